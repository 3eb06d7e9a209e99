/**
 * The code editor (Monaco) in real Chromium:
 * - it reports no problem in any exercise's reference solution (the standard library and the
 *   `@sims/*` declarations are there), and every known-wrong variant that `tsc` rejects shows
 *   its type error;
 * - the keyboard can leave it (WCAG 2.1.2): Esc then Tab / Shift+Tab.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

interface Problem {
  line: number;
  column: number;
  message: string;
}
type Handle = { editorHandle: { setValue(v: string): void; problems(): Promise<Problem[]>; markers(): Problem[] } | null };

const root = process.cwd();
const exercisesDir = path.join(root, 'content/exercises');
const exercises = readdirSync(exercisesDir).filter((d) => !d.startsWith('.')).sort();
const lessonOf = (id: string) => /^lesson:\s*(\S+)/m.exec(readFileSync(path.join(exercisesDir, id, 'exercise.md'), 'utf8'))![1];
const wrongFiles = (id: string) => {
  const dir = path.join(exercisesDir, id, 'wrong');
  return readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(dir, f));
};

/**
 * The lines `tsc` reports errors on, per file, for the given files, type-checked the way the
 * editor does (ES2022 with the DOM, strict, `@sims/*` from sims/).
 */
function tscErrorLines(files: string[]): Map<string, number[]> {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.full.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    baseUrl: root,
    paths: { '@sims/*': ['sims/*/index.ts'] },
  });
  const out = new Map<string, number[]>(files.map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file || d.category !== ts.DiagnosticCategory.Error) continue;
    const lines = out.get(path.resolve(d.file.fileName));
    if (lines) lines.push(d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1);
  }
  return out;
}

/** Loads Monaco in exercise `id`'s editor (on the page already open) by clicking its code. */
async function openEditor(page: Page, id: string): Promise<Locator> {
  const ex = page.locator(`dpl-exercise[data-exercise-id="${id}"]`);
  await ex.locator('textarea[data-role="code"]').click();
  await expect(ex).toHaveAttribute('data-editor', 'monaco', { timeout: 30_000 });
  return ex;
}

const setCode = (ex: Locator, code: string) => ex.evaluate((el, c) => (el as unknown as Handle).editorHandle!.setValue(c), code);
const problems = (ex: Locator) => ex.evaluate((el) => (el as unknown as Handle).editorHandle!.problems());
const markerCount = (ex: Locator) => ex.evaluate((el) => (el as unknown as Handle).editorHandle!.markers().length);

test.describe('type checking in the editor', () => {
  test.describe.configure({ timeout: 300_000 });
  let tsc: Map<string, number[]>;
  test.beforeAll(() => {
    const files = exercises.flatMap((id) => [path.join(exercisesDir, id, 'solution.ts'), ...wrongFiles(id)]);
    tsc = tscErrorLines(files);
    // The reference solutions are type-correct (else the editor test below proves nothing).
    for (const id of exercises) expect(tsc.get(path.join(exercisesDir, id, 'solution.ts')), `tsc on ${id}/solution.ts`).toEqual([]);
  });

  // One visit per lesson: its exercises' editors share the page's TypeScript worker.
  const lessons = [...new Set(exercises.map(lessonOf))];
  for (const lesson of lessons) {
    const ids = exercises.filter((id) => lessonOf(id) === lesson);
    test(`${lesson} (${ids.join(', ')}): each solution shows no problem; each wrong variant tsc rejects shows its error`, async ({ page }) => {
      await page.goto(`/lessons/${lesson}/`);
      for (const id of ids) {
        const ex = await openEditor(page, id);
        // Markers appear for a real error (so the service is running), then go for the solution.
        await setCode(ex, 'const n: number = "not a number";\n');
        await expect.poll(() => markerCount(ex), { message: `${id}: a type error is underlined`, timeout: 30_000 }).toBeGreaterThan(0);
        await setCode(ex, readFileSync(path.join(exercisesDir, id, 'solution.ts'), 'utf8'));
        expect(await problems(ex), `${id}/solution.ts`).toEqual([]);
        await expect.poll(() => markerCount(ex), { message: `${id}/solution.ts: nothing underlined`, timeout: 30_000 }).toBe(0);

        for (const file of wrongFiles(id)) {
          const expected = tsc.get(file)!;
          await setCode(ex, readFileSync(file, 'utf8'));
          const found = await problems(ex);
          const name = path.relative(exercisesDir, file);
          if (expected.length === 0) {
            expect(found, `${name}: tsc finds no type error`).toEqual([]);
          } else {
            expect(found.map((p) => p.line).sort((a, b) => a - b), `${name}: lines of tsc's errors`).toEqual([...expected].sort((a, b) => a - b));
            await expect.poll(() => markerCount(ex), { message: `${name}: underlined`, timeout: 30_000 }).toBeGreaterThan(0);
          }
        }
      }
    });
  }
});

test('Esc then Tab leaves the editor, Esc then Shift+Tab leaves it backwards; Tab alone indents', async ({ page }) => {
  const id = 'circ-buffer';
  await page.goto(`/lessons/${lessonOf(id)}/`);
  const ex = page.locator(`dpl-exercise[data-exercise-id="${id}"]`);
  const run = ex.getByRole('button', { name: /Run tests/ });
  // Reach the editor from the Run button with the keyboard: Shift+Tab lands in the code, in
  // the textarea or, if focusing the exercise has already loaded it, in Monaco.
  await run.focus();
  await page.keyboard.press('Shift+Tab');
  const inEditor = () => page.evaluate(() => !!document.activeElement?.closest('.monaco-editor'));
  const inCode = () => page.evaluate((sel) => document.activeElement === document.querySelector(sel) || !!document.activeElement?.closest('.monaco-editor'), `dpl-exercise[data-exercise-id="${id}"] textarea[data-role="code"]`);
  await expect.poll(inCode).toBe(true);
  await expect(ex).toHaveAttribute('data-editor', 'monaco', { timeout: 30_000 });
  await expect.poll(inEditor).toBe(true);
  await expect(ex.locator('[data-role="editor-state"]')).toContainText('Esc then Tab');
  const code = () => ex.evaluate((el) => (el as HTMLElement & { code: string }).code);
  const before = await code();

  // Tab alone indents (the editor keeps Tab for code).
  await page.keyboard.press('Tab');
  await expect.poll(code).not.toBe(before);
  await expect.poll(inEditor).toBe(true);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect.poll(code).toBe(before);

  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  await expect(run).toBeFocused();
  expect(await code()).toBe(before);

  // Back in with Shift+Tab, then out backwards.
  await page.keyboard.press('Shift+Tab');
  await expect.poll(inEditor).toBe(true);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  await expect.poll(inEditor).toBe(false);
  await expect(run).not.toBeFocused();
  expect(await code()).toBe(before);

  // Esc then another key disarms: a later Tab indents again.
  await page.keyboard.press('Tab');
  await expect.poll(inEditor).toBe(true);
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await expect.poll(inEditor).toBe(true);
  await expect.poll(code).not.toBe(before);
});
