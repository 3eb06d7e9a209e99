import { expect, type Locator, type Page, type Request } from '@playwright/test';

/** Records every request the page makes; `foreign()` lists those to another origin. */
export function watchRequests(page: Page, origin: string) {
  const all: string[] = [];
  const onRequest = (r: Request) => all.push(r.url());
  page.on('request', onRequest);
  page.context().on('request', onRequest);
  return {
    all,
    foreign: () => all.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')),
  };
}

/** Replaces the code of exercise `id` as a learner would: click in, select all, type. */
export async function setExerciseCode(page: Page, id: string, code: string) {
  const ex = page.locator(`dpl-exercise[data-exercise-id="${id}"]`);
  const textarea = ex.locator('textarea[data-role="code"]');
  if (await textarea.isVisible()) await textarea.click();
  await expect(ex).toHaveAttribute('data-editor', 'monaco', { timeout: 20_000 });
  await ex.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // Paste, as a learner would: typing would trigger the editor's auto-indent and auto-close.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((text) => navigator.clipboard.writeText(text), code);
  await page.keyboard.press('ControlOrMeta+V');
  await expect.poll(() => ex.evaluate((el) => (el as HTMLElement & { code: string }).code)).toBe(code);
}

/** Pages on which the full editor's chunk is refused (`setPlainCode`). */
const plainPages = new WeakSet<Page>();

/**
 * Types `code` into exercise `id`'s plain editor: the textarea a learner has until the full
 * editor loads, and instead of it when the full editor cannot load. The full editor's chunk
 * (`/_astro/monaco.*.js`) is refused for the page, as on a connection that drops it, so the
 * exercise says so and keeps the textarea, and grading takes what it holds. Loading the full
 * editor costs seconds of CPU; tests whose subject is grading, saving or the lesson use this,
 * and the tests of the full editor itself (tests/e2e/editor.spec.ts, the learner's path, the
 * keyboard) use `setExerciseCode`.
 */
export async function setPlainCode(page: Page, id: string, code: string) {
  if (!plainPages.has(page)) {
    plainPages.add(page);
    await page.route(/\/_astro\/monaco\.[\w-]+\.js$/, (route) => route.abort());
  }
  const ex = page.locator(`dpl-exercise[data-exercise-id="${id}"]`);
  await ex.locator('textarea[data-role="code"]').fill(code);
  await expect(ex.locator('[data-role="editor-state"]')).toContainText('the plain editor works');
  await expect(ex).not.toHaveAttribute('data-editor', 'monaco');
  await expect.poll(() => ex.evaluate((el) => (el as HTMLElement & { code: string }).code)).toBe(code);
}

/** Runs the tests of exercise `id` with the button and waits for the outcome. */
export async function runExercise(page: Page, id: string) {
  const ex = page.locator(`dpl-exercise[data-exercise-id="${id}"]`);
  await ex.getByRole('button', { name: /Run tests/ }).click();
  await expect(ex).not.toHaveAttribute('data-state', 'running', { timeout: 15_000 });
  return ex;
}

/**
 * A player inside a <Predict> is covered (inert) until the question is answered or skipped.
 * Tests that are about the player, not the question, skip it first, as a learner may.
 */
export async function uncover(player: Locator) {
  const predict = player.locator('xpath=ancestor::dpl-predict[1]');
  if ((await predict.count()) === 0) return;
  // The Skip button works once the element has upgraded (its script is a file, which may
  // still be loading after a click on a link: toHaveURL does not wait for it).
  await expect(predict).toHaveAttribute('data-ready', '1');
  if ((await predict.getAttribute('data-run')) !== 'locked') return;
  // The button works once the element has upgraded (a click before that is lost on a busy machine).
  await expect(predict).toHaveAttribute('data-ready', '1');
  await predict.getByRole('button', { name: 'Skip: show the run' }).click();
  await expect(predict).toHaveAttribute('data-run', 'open');
}

/** Records the page's layout shifts (not those right after input) from its first paint; call before `goto`. */
export async function recordLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    type Shift = { value: number; at: number; scrollY: number; sources: string[] };
    const w = window as unknown as { shifts: Shift[] };
    w.shifts = [];
    const describe = (n: Node | null) => {
      const e = n instanceof Element ? n : n?.parentElement;
      if (!e) return '?';
      const host = e.closest('[id]');
      return `${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ')[0]}` : ''}${host ? ` in #${host.id}` : ''}`;
    };
    new PerformanceObserver((l) => {
      for (const e of l.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: { node: Node | null }[] })[]) {
        if (!e.hadRecentInput) w.shifts.push({ value: e.value, at: Math.round(e.startTime), scrollY: Math.round(scrollY), sources: (e.sources ?? []).map((s) => describe(s.node)) });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The layout shifts recorded so far (`recordLayoutShifts`), described: value, time, scrollY, moved nodes. */
export function layoutShiftLog(page: Page): Promise<string> {
  return page.evaluate(() =>
    (window as unknown as { shifts: { value: number; at: number; scrollY: number; sources: string[] }[] }).shifts
      .map((s) => `${s.value.toFixed(4)} at ${s.at} ms, scrollY ${s.scrollY}: ${s.sources.join(', ')}`)
      .join('\n'),
  );
}

/** The sum of the layout shifts recorded so far (`recordLayoutShifts`). */
export function layoutShiftTotal(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { shifts: { value: number }[] }).shifts.reduce((a, b) => a + b.value, 0));
}
