/**
 * Bad input loses nothing and leaves the page responsive: syntax errors, thrown strings,
 * huge console output, attempts to post to the page, network attempts, full storage,
 * malformed progress files. Plus the exercise controls: Ctrl+Enter, hints, reset, solution.
 */
import { expect, test, type Page } from '@playwright/test';
import { runExercise, setExerciseCode, setPlainCode } from './helpers';

const LESSON = '/lessons/tty-write-atomicity/';
const ID = 'circ-buffer';
const exercise = (page: Page) => page.locator(`dpl-exercise[data-exercise-id="${ID}"]`);

test('a syntax error is reported with line and column and the code is kept', async ({ page }) => {
  await page.goto(LESSON);
  const code = 'export function circSpaceToEnd(head: number, tail: number, size: number): number {\n  return head +;\n}\n';
  await setPlainCode(page, ID, code);
  const ex = await runExercise(page, ID);
  await expect(ex.locator('[data-role="grade-error"]')).toContainText('Syntax error at line 2, column');
  await expect(ex.locator('[data-role="grade-error"]')).toContainText('submission.ts');
  expect(await ex.evaluate((el) => (el as HTMLElement & { code: string }).code)).toBe(code);
});

test('a thrown string and a thrown object are shown as readable failures', async ({ page }) => {
  await page.goto(LESSON);
  await setPlainCode(page, ID, 'export function circSpaceToEnd(): number { throw "ring on fire"; }\nexport function uartWrite(): number { throw { errno: -11 }; }\n');
  const ex = await runExercise(page, ID);
  await expect(ex.locator('.ex-msg').filter({ hasText: 'A string was thrown, not an Error: "ring on fire"' }).first()).toBeVisible();
  await expect(ex.locator('.ex-msg').filter({ hasText: 'A value that is not an Error was thrown: { errno: -11 }' }).first()).toBeVisible();
});

test('huge console output is capped, and learner code cannot post to the page', async ({ page }) => {
  await page.goto(LESSON);
  await setPlainCode(
    page,
    ID,
    [
      "let posted = 'no';",
      "try { (globalThis as any).postMessage({ id: 999999, type: 'result', report: { tests: [] } }); posted = 'yes'; } catch { posted = 'refused'; }",
      'export function circSpaceToEnd(): number { for (let i = 0; i < 500; i++) console.log("spam", i, posted); return 0; }',
      'export function uartWrite(): number { return 0; }',
    ].join('\n'),
  );
  const ex = await runExercise(page, ID);
  await expect(ex.locator('[data-role="summary"]')).toContainText('tests failed');
  await expect(ex.locator('.ex-console summary')).toContainText('truncated');
  await expect(ex.locator('.ex-console pre')).toContainText('spam 0 refused');
  await expect(page.evaluate(() => document.title)).resolves.toContain('Data Path Lab');
});

test('learner code has no network: no fetch in its scope, and the worker has a CSP besides', async ({ page }) => {
  await page.goto(LESSON);
  await setPlainCode(
    page,
    ID,
    [
      "let outcome = typeof fetch === 'undefined' ? 'no-fetch' : 'fetch';",
      "outcome += typeof (globalThis as any).WorkerGlobalScope === 'undefined' ? ',no-scope' : ',scope';",
      "outcome += typeof (globalThis as any).XMLHttpRequest === 'undefined' ? ',no-xhr' : ',xhr';",
      "throw new Error('network:' + outcome);",
    ].join('\n'),
  );
  const ex = await runExercise(page, ID);
  await expect(ex.locator('[data-role="grade-error"]')).toContainText('network:no-fetch,no-scope,no-xhr');
});

test('Ctrl+Enter runs the tests; hints unlock one at a time; the solution needs a run; reset asks first', async ({ page }) => {
  await page.goto(LESSON);
  const ex = exercise(page);
  await expect(ex.getByRole('button', { name: 'Reveal solution' })).toBeDisabled();
  const starter = await ex.locator('textarea[data-role="code"]').inputValue();
  await setExerciseCode(page, ID, `${starter}\n// my note\n`);
  await page.keyboard.press('Control+Enter');
  await expect(ex).toHaveAttribute('data-state', /failed|passed/, { timeout: 15_000 });

  const hint = ex.getByRole('button', { name: /Show a hint/ });
  const total = await ex.locator('[data-hint]').count();
  await hint.click();
  await expect(ex.locator('[data-hint]:visible')).toHaveCount(1);
  await hint.click();
  await expect(ex.locator('[data-hint]:visible')).toHaveCount(2);
  await expect(hint).toContainText(`(${total - 2} left)`);

  await ex.getByRole('button', { name: 'Reveal solution' }).click();
  await expect(ex.locator('[data-role="solution-code"]')).toContainText('export function uartWrite');

  await ex.getByRole('button', { name: 'Reset code' }).click();
  await expect(ex.locator('[data-role="confirm"]')).toBeVisible();
  await ex.getByRole('button', { name: 'Keep my code' }).click();
  expect(await ex.evaluate((el) => (el as HTMLElement & { code: string }).code)).toContain('// my note');
  await ex.getByRole('button', { name: 'Reset code' }).click();
  await ex.getByRole('button', { name: 'Yes, reset' }).click();
  await expect.poll(() => ex.evaluate((el) => (el as HTMLElement & { code: string }).code)).toBe(starter);

  // Hints stay unlocked after a reload.
  await page.reload();
  await expect(exercise(page).locator('[data-hint]:visible')).toHaveCount(2);
});

test('a full storage quota is reported and the code stays in the editor', async ({ page }) => {
  await page.goto(LESSON);
  await page.evaluate(() => {
    const chunk = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 200; i++) {
      try {
        localStorage.setItem(`filler-${i}`, chunk);
      } catch {
        // Fill the remainder in smaller pieces.
        for (let j = 0; j < 2000; j++) {
          try {
            localStorage.setItem(`filler-${i}-${j}`, 'x'.repeat(1024));
          } catch {
            return;
          }
        }
        return;
      }
    }
  });
  const code = `// ${'long comment '.repeat(2000)}\nexport function circSpaceToEnd(): number { return 0; }\n`;
  await setPlainCode(page, ID, code);
  const ex = exercise(page);
  await expect(ex.locator('[data-role="save"]')).toContainText('storage for this site is full');
  await expect(ex.locator('[data-role="save"]')).toHaveAttribute('data-kind', 'error');
  expect(await ex.evaluate((el) => (el as HTMLElement & { code: string }).code)).toBe(code);
});

test('progress export and import; a malformed file changes nothing', async ({ page }, testInfo) => {
  await page.goto(LESSON);
  await setPlainCode(page, ID, '// exported work\nexport function circSpaceToEnd(): number { return 0; }\n');
  // Wait for the store itself: "Saved" may still be the note of the save before the paste
  // (Delete empties the editor, and that first change is saved at once).
  await expect.poll(() => page.evaluate((id) => localStorage.getItem(`dpl:v1:ex:${id}`) ?? '', ID)).toContain('exported work');
  await expect(exercise(page).locator('[data-role="save"]')).toContainText('Saved');
  await page.goto('/');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export progress' }).click();
  const file = testInfo.outputPath('progress.json');
  await (await download).saveAs(file);

  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.locator('#curriculum [data-exercise-status="circ-buffer"]')).toHaveText('Not started');

  const input = page.locator('#import-progress');
  await input.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"app": "data-path-lab", "version": 1, "exercises": {"circ-buffer": {"status": "passed"}}}') });
  await expect(page.locator('#import-message')).toContainText('malformed');
  await expect(page.locator('#import-message')).toContainText('Nothing was changed');
  await input.setInputFiles({ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('not json at all') });
  await expect(page.locator('#import-message')).toContainText('not valid JSON');
  expect(await page.evaluate(() => localStorage.length)).toBe(0);

  await input.setInputFiles(file);
  await page.getByRole('button', { name: 'Import 1 exercise' }).click();
  await expect(page.locator('#import-message')).toContainText("Imported the file's code for 1 exercise");
  await expect(page.locator('#curriculum [data-exercise-status="circ-buffer"]')).toHaveText('Attempted');
  await page.goto(LESSON);
  await expect(exercise(page).locator('textarea[data-role="code"]')).toHaveValue(/exported work/);
});

test('leaving a lesson whose work is saved does not undo what another tab did', async ({ page, context }) => {
  await page.goto(LESSON);
  await setPlainCode(page, ID, '// saved work\nexport function circSpaceToEnd(): number { return 0; }\n');
  await expect.poll(() => page.evaluate((id) => localStorage.getItem(`dpl:v1:ex:${id}`) ?? '', ID)).toContain('saved work');
  await expect(exercise(page).locator('[data-role="save"]')).toContainText('Saved');
  // Another tab starts over (the home page's import or a cleared site), then this tab is left.
  const other = await context.newPage();
  await other.goto('/');
  await other.evaluate(() => localStorage.clear());
  await page.evaluate(() => {
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  expect(await other.evaluate(() => localStorage.length)).toBe(0);
  // A save still waiting for the typing to pause is written on leaving (in one task: no timer
  // can write it first).
  await page.evaluate(() => Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true }));
  const written = await page.evaluate((id) => {
    const area = document.querySelector<HTMLTextAreaElement>(`dpl-exercise[data-exercise-id="${id}"] textarea[data-role="code"]`)!;
    area.value += '// typed last\n';
    area.dispatchEvent(new Event('input', { bubbles: true }));
    const before = localStorage.getItem(`dpl:v1:ex:${id}`);
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    return [before, localStorage.getItem(`dpl:v1:ex:${id}`) ?? ''];
  }, ID);
  expect(written[0]).toBeNull();
  expect(written[1]).toContain('typed last');
});
