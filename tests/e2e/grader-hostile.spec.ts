/**
 * Graded honestly in the browser (issue 13) and timeouts that give a clue (issue 11, item 7):
 * every hostile submission of tests/hostile/submissions.ts fails in the browser grader with a
 * readable message, the reference solution still passes after them, and a timeout names the
 * test that was running and keeps what the code printed before it hung.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runExercise, setPlainCode } from './helpers';
import { HOSTILE_EXERCISES, hostileCases, type HostileExercise } from '../hostile/submissions';

const root = path.resolve(import.meta.dirname, '../..');

for (const exercise of Object.keys(HOSTILE_EXERCISES) as HostileExercise[]) {
  test(`hostile submissions fail readably in the browser: ${exercise}`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto(HOSTILE_EXERCISES[exercise].lesson);
    const cases = hostileCases(exercise, '/tmp/dpl-markers', `content/exercises/${exercise}/solution.ts`).filter((c) => !c.nodeOnly);
    for (const c of cases) {
      await test.step(c.name, async () => {
        await setPlainCode(page, exercise, c.source);
        const ex = await runExercise(page, exercise);
        await expect(ex, c.name).toHaveAttribute('data-state', 'failed');
        switch (c.ends) {
          case 'load':
            await expect(ex.locator('[data-role="grade-error"]'), c.name).toHaveAttribute('data-kind', 'load');
            await expect(ex.locator('[data-role="grade-error"] .ex-msg'), c.name).toHaveText(c.message);
            break;
          case 'tests':
            await expect(ex.locator('[data-role="summary"]'), c.name).toContainText('tests failed');
            await expect(ex.locator('.ex-msg').filter({ hasText: c.message }).first(), c.name).toBeVisible();
            break;
          case 'timeout':
          case 'crash-or-timeout':
            await expect(ex.locator('[data-role="timeout-where"]'), c.name).toHaveText(c.message);
            break;
        }
        // Readable: every failure has a message (the tests' own texts may print the learner's values as they like).
        for (const msg of await ex.locator('.ex-msg').allTextContents()) expect(msg.trim().length, c.name).toBeGreaterThan(3);
      });
    }
    // The grader is not damaged by any of it: the reference solution passes.
    await setPlainCode(page, exercise, readFileSync(path.join(root, 'content/exercises', exercise, 'solution.ts'), 'utf8'));
    const ex = await runExercise(page, exercise);
    await expect(ex).toHaveAttribute('data-state', 'passed');
  });
}

test('a timeout names the running test and keeps what the code printed before it hung', async ({ page }) => {
  await page.goto(HOSTILE_EXERCISES['circ-buffer'].lesson);
  await setPlainCode(
    page,
    'circ-buffer',
    'console.log("loaded fine");\nexport function circSpaceToEnd(head: number, tail: number, size: number): number {\n  console.log("head", head, "tail", tail);\n  while (true) {}\n}\nexport function uartWrite(): number { return 0; }\n',
  );
  const ex = await runExercise(page, 'circ-buffer');
  await expect(ex.locator('[data-role="timeout"] h4')).toHaveText('Stopped after 5 s');
  await expect(ex.locator('[data-role="timeout-where"]')).toHaveText('Time ran out in the test "circSpaceToEnd (CIRC_SPACE_TO_END) > is size - 1 for an empty ring with head and tail at 0".');
  const consoleOut = ex.locator('.ex-console');
  await expect(consoleOut.locator('summary')).toHaveText('Console output before the stop (2 lines)');
  await consoleOut.locator('summary').click();
  await expect(consoleOut.locator('pre')).toHaveText('loaded fine\nhead 0 tail 0');
});
