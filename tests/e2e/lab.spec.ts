import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe';
import { layoutShiftTotal, recordLayoutShifts, uncover } from './helpers';

/** Cell `n` (1-based) of the open notebook. */
const cell = (page: Page, n: number) => page.locator('.lab-cell').nth(n - 1);

async function openStarter(page: Page, slug: string) {
  await page.goto(`/lab/?nb=${slug}`);
  await expect(page.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
}

/** Replaces cell `n`'s code in its textarea. */
async function setCode(page: Page, n: number, code: string) {
  await cell(page, n).locator('textarea.lab-code').fill(code);
}

async function runAll(page: Page) {
  await page.getByRole('button', { name: 'Run all' }).click();
  const count = await page.locator('.lab-cell').count();
  for (let i = 1; i <= count; i++) await expect(cell(page, i)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
}

test.beforeEach(async ({ page }) => {
  await page.goto('/lab/');
  // Once the page has opened (and saved) its default notebook, so the clearing below is last.
  await expect(page.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
  // Cells keep their textareas (the Monaco upgrade has its own test).
  await page.evaluate(() => {
    localStorage.clear();
    localStorage.setItem('dpl:lab:plain', '1');
  });
});

test('focusing a cell loads Monaco; Shift+Enter in it runs the cell; it sees the names other cells define, with their types', async ({ page }) => {
  type Handle = { editorHandle?: { setValue(v: string): void; problems(): Promise<{ message: string }[]> } };
  const problems = (n: number) => cell(page, n).evaluate(async (li) => (await (li as unknown as Handle).editorHandle!.problems()).map((p) => p.message));
  await page.evaluate(() => localStorage.setItem('dpl:lab:plain', '0'));
  await openStarter(page, 'capstone-daq-driver');
  await cell(page, 3).locator('textarea.lab-code').focus();
  await expect(cell(page, 3)).toHaveAttribute('data-editor', 'monaco', { timeout: 30_000 });
  await cell(page, 3).locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Shift+Enter');
  await expect(cell(page, 3)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  await expect(cell(page, 3).locator('.lab-output')).toContainText('descriptorsPerSecond');
  // Shift+Enter ran the cell without inserting a line.
  await expect(cell(page, 3).locator('textarea.lab-code')).toBeHidden();
  // Cell 3 reads sampleRate, bytesPerSample and blockBytes (cell 1) and commands (cell 2):
  // no "Cannot find name".
  await expect.poll(() => problems(3), { timeout: 30_000 }).toEqual([]);
  // A wrong use of one of them is a type error: sampleRate is a number.
  await cell(page, 3).evaluate((li) => (li as unknown as Handle).editorHandle!.setValue('const shout = sampleRate.toUpperCase();'));
  await expect.poll(async () => (await problems(3)).join(' | '), { timeout: 30_000 }).toMatch(/Property 'toUpperCase' does not exist on type '1000000'/);
});

/** The lesson player a cell's run output plays in, once it shows the run. */
function playerOf(page: Page, n: number, tag = 'tty-sim') {
  return cell(page, n).locator(`.lab-run[data-player="ready"] ${tag}`);
}

test('changing a cell re-runs its dependents, and the run\'s player follows in place', async ({ page }) => {
  await openStarter(page, 'tty-write-atomicity');
  await runAll(page);
  const trace = cell(page, 3).locator('.lab-run-head');
  await expect(trace).toContainText('Run of the tty model');
  const player = playerOf(page, 3);
  await expect(player).toHaveAttribute('data-ready', 'true');
  const stepsBefore = Number(await player.getAttribute('data-steps'));
  // The player opens at the end of the run, and is marked to check it is the same element later.
  await expect(player).toHaveAttribute('data-step', String(stepsBefore - 1));
  await player.evaluate((e) => ((e as HTMLElement & { labMark?: number }).labMark = 1));
  const before = await cell(page, 2).locator('.lab-output').innerText();
  await expect(cell(page, 4).locator('table')).toBeVisible();
  // Change the parameters: writer A writes 3 bytes.
  const src = await cell(page, 1).locator('textarea.lab-code').inputValue();
  await setCode(page, 1, src.replace('const sizeA = 12;', 'const sizeA = 3;'));
  await cell(page, 1).locator('textarea.lab-code').press('Shift+Enter');
  // Cell 2 reads sizeA: it re-runs and shows the new received text; cell 4 reads received.
  await expect(cell(page, 1).locator('.lab-output')).toContainText('3');
  await expect.poll(() => cell(page, 2).locator('.lab-output').innerText(), { timeout: 30_000 }).not.toBe(before);
  await expect(cell(page, 2).locator('.lab-output')).toContainText('AAA');
  await expect(cell(page, 4).locator('tbody tr').first()).toBeVisible();
  await expect(cell(page, 4)).toHaveAttribute('data-state', 'ok');
  // The same player shows the shorter run (9 bytes fewer to write and send), at its end.
  await expect(player).not.toHaveAttribute('data-steps', String(stepsBefore), { timeout: 30_000 });
  const steps = Number(await player.getAttribute('data-steps'));
  expect(steps).toBeLessThan(stepsBefore);
  await expect(player).toHaveAttribute('data-step', String(steps - 1));
  expect(await player.evaluate((e) => (e as HTMLElement & { labMark?: number }).labMark)).toBe(1);
  await expect(player.locator('[data-part="params"]')).toContainText('3 bytes');
});

test('an endless loop stops that cell with a message; the rest keeps its values and the page answers', async ({ page }) => {
  await openStarter(page, 'pinning-user-pages');
  await runAll(page);
  const pages = await cell(page, 2).locator('.lab-output').innerText();
  await setCode(page, 3, 'const naive = 1;\nwhile (true) {}\nconst real = 2;');
  await cell(page, 3).locator('textarea.lab-code').press('Shift+Enter');
  await expect(cell(page, 3)).toHaveAttribute('data-state', 'error', { timeout: 20_000 });
  await expect(cell(page, 3).locator('.lab-cell-status')).toContainText('did not finish');
  // The page stayed responsive (this click and typing work), and the other cells keep their output.
  await expect.poll(() => cell(page, 2).locator('.lab-output').innerText()).toBe(pages);
  // Fix it: the Lab restarts its worker and recomputes what the cell reads.
  await setCode(page, 3, 'const naive = Math.ceil(len / PAGE_SIZE);\nconst real = pages.length;');
  await cell(page, 3).locator('textarea.lab-code').press('Shift+Enter');
  await expect(cell(page, 3)).toHaveAttribute('data-state', 'ok', { timeout: 20_000 });
  await expect(cell(page, 3).locator('.lab-output')).toContainText('real');
});

test('an error shows its line and column; dependents keep their last values', async ({ page }) => {
  await openStarter(page, 'capstone-daq-driver');
  await runAll(page);
  await setCode(page, 1, 'const sampleRate = 1000;\nconst bytesPerSample = (undefined as any).x;\nconst maxLen = 1;\nconst blockBytes = 2;');
  await cell(page, 1).locator('textarea.lab-code').press('Shift+Enter');
  await expect(cell(page, 1)).toHaveAttribute('data-state', 'error');
  await expect(cell(page, 1).locator('.lab-cell-status')).toContainText(/Line 2, column \d+: TypeError/);
  await expect(cell(page, 3)).toHaveAttribute('data-state', 'stale');
  await expect(cell(page, 3).locator('.lab-cell-status')).toContainText('cell 1');
  await expect(cell(page, 3).locator('.lab-output')).toContainText('interruptsPerSecond');
});

test('export then import round trip; a malformed import changes nothing', async ({ page }, info) => {
  await openStarter(page, 'dma-ownership');
  await setCode(page, 1, "import { COHERENCE_PRESETS } from '@sims/dma';\nconst preset = 'rx-correct';\nconst chosen = COHERENCE_PRESETS[preset];");
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export .md' }).click();
  const file = info.outputPath('nb.md');
  await (await download).saveAs(file);
  const md = readFileSync(file, 'utf8');
  expect(md).toContain("```ts\nimport { COHERENCE_PRESETS } from '@sims/dma';\nconst preset = 'rx-correct';");
  // A file without cells is refused and nothing changes.
  await page.locator('#lab-import').setInputFiles({ name: 'bad.md', mimeType: 'text/markdown', buffer: Buffer.from('# Nothing\n\nno code here\n') });
  await expect(page.getByRole('alert')).toContainText('No ```ts code blocks');
  await expect(page.locator('#lab-title')).toHaveText(/owns the buffer/);
  // The exported file comes back as a new notebook with the same cells.
  await page.locator('#lab-import').setInputFiles(file);
  await expect(page.locator('#lab-status')).toContainText('Imported');
  await expect(cell(page, 1).locator('textarea.lab-code')).toHaveValue(/rx-correct/);
  await expect(page.locator('.lab-cell')).toHaveCount(3);
  await expect(page.locator('#lab-list option')).toHaveCount(2);
});

test('share link round trip; a damaged link changes nothing and says why', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openStarter(page, 'side-questions');
  await setCode(page, 1, "import { TTY_PRESETS } from '@sims/tty';\nconst xmitSize = 32;\nconst chunkSize = 4;\nconst base = TTY_PRESETS['kernel-blocking'].params;");
  await page.getByRole('button', { name: 'Share link' }).click();
  // The link is written once the notebook is compressed: wait for it.
  await expect(page.locator('#lab-share-url')).toHaveValue(/\/lab\/#nb=[A-Za-z0-9_-]+$/);
  const url = await page.locator('#lab-share-url').inputValue();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
  await expect(other.locator('.lab-cell').first().locator('textarea.lab-code')).toHaveValue(/const xmitSize = 32;/);
  await expect(other.locator('#lab-title')).toHaveText(/xmit ring/);
  await other.goto('/lab/#nb=AAAA-not-deflate');
  await other.reload();
  await expect(other.getByRole('alert')).toContainText('damaged');
});

test('notebooks are listed, renamed and deleted (asking first); Ctrl+Enter runs every cell', async ({ page }) => {
  await openStarter(page, 'tty-write-atomicity');
  await expect(cell(page, 1).locator('.lab-cell-status')).toHaveText('Not run yet.');
  await openStarter(page, 'scatter-gather-iommu');
  await expect(page.locator('#lab-list option')).toHaveCount(2);
  // Ctrl+Enter outside a cell runs them all.
  await page.locator('#lab-title').click();
  await page.keyboard.press('Control+Enter');
  const count = await page.locator('.lab-cell').count();
  for (let i = 1; i <= count; i++) await expect(cell(page, i)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  // Rename: the heading and the list follow.
  page.once('dialog', (d) => void d.accept('My IOMMU questions'));
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.locator('#lab-title')).toHaveText('My IOMMU questions');
  await expect(page.locator('#lab-list option:checked')).toHaveText('My IOMMU questions');
  // Delete asks first: answering no keeps the notebook.
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); void d.dismiss(); });
  await page.getByRole('button', { name: 'Delete', exact: true }).first().click();
  await expect.poll(() => asked).toContain('Delete the notebook "My IOMMU questions"');
  await expect(page.locator('#lab-list option')).toHaveCount(2);
  // Answering yes removes it from the list and opens another one.
  page.once('dialog', (d) => void d.accept());
  await page.locator('#lab-delete').click();
  await expect(page.locator('#lab-status')).toHaveText('Deleted My IOMMU questions.');
  await expect(page.locator('#lab-list option')).toHaveCount(1);
  await expect(page.locator('#lab-list option')).not.toHaveText('My IOMMU questions');
});

test('a notebook too large for a link offers export; the last keystroke before leaving is kept', async ({ page }) => {
  await openStarter(page, 'uio-user-space-dma');
  // Text that does not compress: over the link limit even deflated.
  const noise = await page.evaluate(() => Array.from(crypto.getRandomValues(new Uint8Array(9000)), (b) => b.toString(36)).join(''));
  await setCode(page, 1, `const noise = '${noise}';`);
  await page.getByRole('button', { name: 'Share link' }).click();
  await expect(page.getByRole('alert')).toContainText('too large for a link');
  const download = page.waitForEvent('download');
  await page.getByRole('alert').getByRole('button', { name: 'Export .md' }).click();
  expect((await download).suggestedFilename()).toMatch(/\.md$/);
  // Typed, then the page is left at once (before the save's pause): the text is there on return.
  await cell(page, 2).locator('textarea.lab-code').pressSequentially('// kept');
  await page.reload();
  await expect(page.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
  await expect(cell(page, 2).locator('textarea.lab-code')).toHaveValue(/\/\/ kept$/);
});

test('a player link opens in the Lab as cells that recreate the run', async ({ page }) => {
  const { encodeShare } = await import('../../sims/tty/index.ts');
  const { TTY_PRESETS } = await import('../../sims/tty/presets.ts');
  const p = TTY_PRESETS['kernel-blocking'];
  const text = encodeShare({ model: 'tty', params: p.params, schedule: p.schedule!, step: p.schedule!.length });
  await page.goto(`/lab/?sim=${text}`);
  await expect(cell(page, 2)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  await expect(cell(page, 2).locator('.lab-run-head')).toContainText('Run of the tty model');
  await expect(cell(page, 3).locator('.lab-output')).toContainText('BBBBBBBBBBAAAAAAAAAAAA');
  // The run plays in the lesson's player, of the preset with these parameters, at that step.
  const player = playerOf(page, 2);
  await expect(player).toHaveAttribute('data-preset', 'kernel-blocking');
  await expect(player).toHaveAttribute('data-step', String(p.schedule!.length));
  await expect(player).toHaveAttribute('data-verdict', 'atomic');
  await expect(player.locator('[data-part="fallback"]')).toContainText('BBBBBBBBBBAAAAAAAAAAAA');
  // A link to a step in the middle: the player opens there with the whole run, and steps on.
  await page.goto(`/lab/?sim=${encodeShare({ model: 'tty', params: p.params, schedule: p.schedule!, step: 5 })}`);
  const mid = playerOf(page, 2);
  await expect(mid).toHaveAttribute('data-step', '5', { timeout: 30_000 });
  await expect(mid).toHaveAttribute('data-steps', String(p.schedule!.length + 1));
  await mid.getByRole('button', { name: 'Step forward' }).click();
  await expect(mid).toHaveAttribute('data-step', '6');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: no violations with outputs shown (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openStarter(page, 'scatter-gather-iommu');
    await runAll(page);
    // The runs' lesson players, drawn (their views load as they come into view).
    const players = page.locator('.lab-run .sim-host[data-model]');
    await expect(page.locator('.lab-run:not([data-player="ready"])')).toHaveCount(0);
    expect(await players.count()).toBeGreaterThan(0);
    for (const p of await players.all()) {
      await p.scrollIntoViewIfNeeded();
      await expect(p).toHaveAttribute('data-diagrams', 'loaded', { timeout: 20_000 });
    }
    expect(await axeViolations(page)).toEqual([]);
  });
}

test('phone layout: cells stack and nothing overflows the page', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await openStarter(page, 'uio-user-space-dma');
  await runAll(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const box = await cell(page, 1).locator('textarea.lab-code').boundingBox();
  expect(box!.width).toBeGreaterThan(300);
  expect(box!.x + box!.width).toBeLessThanOrEqual(375);
});

test('"Open this run in the Lab" on a lesson player; a changed parameter updates the dependent cells and the player', async ({ page }) => {
  // The lesson's first player, stepped to the end of its run.
  await page.goto('/lessons/tty-write-atomicity/');
  const lesson = page.locator('tty-sim').first();
  await lesson.scrollIntoViewIfNeeded();
  await uncover(lesson);
  await expect(lesson).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  const steps = Number(await lesson.getAttribute('data-steps'));
  await lesson.getByRole('slider', { name: 'Step' }).press('End');
  await expect(lesson).toHaveAttribute('data-step', String(steps - 1));
  const narration = (await lesson.locator('[data-part="narration"]').innerText()).trim();
  expect(narration).toMatch(/\(230400 baud/);
  const copy = lesson.getByRole('button', { name: 'Copy link to this step' });
  await copy.click();
  const lab = lesson.getByRole('link', { name: 'Open this run in the Lab' });
  await expect(lab).toHaveAttribute('href', /\/lab\/\?sim=/);
  await lab.click();
  await expect(page).toHaveURL(/\/lab\/\?sim=/);
  await expect(cell(page, 3)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  await expect(cell(page, 1).locator('textarea.lab-code')).toHaveValue(/"baud": 230400/);
  // The run plays in the same kind of player, at the same step, saying the same.
  const player = playerOf(page, 2);
  await expect(player).toHaveAttribute('data-step', String(steps - 1));
  await expect(player).toHaveAttribute('data-steps', String(steps));
  await expect(player.locator('[data-part="narration"]')).toHaveText(narration);
  await player.evaluate((e) => ((e as HTMLElement & { labMark?: number }).labMark = 1));
  await expect(cell(page, 3).locator('.lab-output')).toContainText('lineTimeUs');
  const lineTime = await cell(page, 3).locator('.lab-output').innerText();
  // Change a parameter: the line runs at 9600 baud. Shift+Enter runs cell 1; cells 2 and 3 read params.
  const src = await cell(page, 1).locator('textarea.lab-code').inputValue();
  await setCode(page, 1, src.replace('"baud": 230400', '"baud": 9600'));
  await cell(page, 1).locator('textarea.lab-code').press('Shift+Enter');
  // The dependent cell's value changes: 22 bytes at 9600 baud, 10 bits a byte = 22917 µs (rounded).
  await expect.poll(() => cell(page, 3).locator('.lab-output').innerText(), { timeout: 30_000 }).not.toBe(lineTime);
  await expect(cell(page, 3).locator('.lab-output')).toContainText(String(Math.round((22 * 10 * 1e9) / 9600) / 1000));
  // The same player shows the new run, at the same step, its narration at the new speed.
  await expect(player.locator('[data-part="narration"]')).toContainText('(9600 baud', { timeout: 30_000 });
  await expect(player).toHaveAttribute('data-step', String(steps - 1));
  await expect(player).toHaveAttribute('data-steps', String(steps));
  expect(await player.evaluate((e) => (e as HTMLElement & { labMark?: number }).labMark)).toBe(1);
  await expect(player.locator('[data-part="desc"]')).toContainText('parameters of its own');
  // The player's own link (tty links carry the parameters) opens the changed run in the Lab again.
  await player.getByRole('button', { name: 'Copy link to this step' }).click();
  const link = player.locator('[data-part="linkinput"]');
  await expect(link).toHaveValue(/\/lab\/#sim=tty\./);
  await page.goto(await link.inputValue());
  await expect(cell(page, 1).locator('textarea.lab-code')).toHaveValue(/"baud": 9600/);
  await expect(playerOf(page, 2).locator('[data-part="narration"]')).toContainText('(9600 baud', { timeout: 30_000 });
});

test('an explorer result renders as the Prove-it answer; its counterexample steps in a player', async ({ page }) => {
  const { proveTty } = await import('../../sims/tty/index.ts');
  const { describeResult, PANEL_DEFAULTS, paramsOf, violationStep, formatCount } = await import('../../components/explorer/panel-model.ts');
  const params = { ...paramsOf(PANEL_DEFAULTS), variant: 'no-lock' as const };
  const expected = proveTty(params);
  if (expected.verdict !== 'counterexample') throw new Error('the no-lock configuration should break');
  const at = violationStep(params, expected.schedule, expected.invariant);
  await page.goto('/lab/');
  await expect(page.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
  await page.getByRole('button', { name: 'New' }).click();
  await setCode(page, 1, `import { proveTty } from '@sims/tty';\nconst variant = 'no-lock';\nconst answer = proveTty({ ...${JSON.stringify(paramsOf(PANEL_DEFAULTS))}, variant });`);
  await cell(page, 1).locator('textarea.lab-code').press('Shift+Enter');
  await expect(cell(page, 1)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  const answer = cell(page, 1).locator('.lab-answer');
  await expect(answer).toHaveAttribute('data-status', 'counterexample');
  await expect(answer.locator('.lab-answer-head')).toHaveText(describeResult(expected, params, 'atomic-write').heading);
  await expect(answer).toContainText(expected.message);
  // The counterexample plays in the lesson's tty player, opened where the property fails, and steps back and forth.
  const player = answer.locator('.lab-run[data-player="ready"] tty-sim');
  await expect(player).toHaveAttribute('data-step', String(at));
  await expect(player).toHaveAttribute('data-steps', String(expected.schedule.length + 1));
  await expect(player).toHaveAttribute('data-variant', 'no-lock');
  await expect(player.getByRole('heading', { name: 'The counterexample' })).toBeVisible();
  const { ttyModel } = await import('../../sims/tty/index.ts');
  const { ttyWidget } = await import('../../components/widgets/tty/definition.ts');
  const { replay } = await import('../../sims/core/model.ts');
  const states = replay(ttyModel, params, 1, expected.schedule);
  await expect(player.getByRole('slider', { name: 'Step' })).toHaveAttribute('aria-valuetext', ttyWidget.narration(states[at]));
  await player.getByRole('button', { name: 'Step back' }).click();
  await expect(player).toHaveAttribute('data-step', String(at - 1));
  await player.getByRole('slider', { name: 'Step' }).press('End');
  await expect(player).toHaveAttribute('data-step', String(expected.schedule.length));
  await expect(player).toHaveAttribute('data-verdict', 'interleaved');
  await expect(answer.locator('.lab-player')).toHaveCount(0);
  await expect(answer.getByRole('link', { name: /Open this counterexample in the lesson player/ })).toHaveAttribute('href', /\/lessons\/tty-write-atomicity\/#sim=/);
  // Put the lock back: the same cell now answers with a proof and its state count.
  const proved = proveTty(paramsOf(PANEL_DEFAULTS));
  await setCode(page, 1, `import { proveTty } from '@sims/tty';\nconst variant = 'kernel';\nconst answer = proveTty({ ...${JSON.stringify(paramsOf(PANEL_DEFAULTS))}, variant });`);
  await cell(page, 1).locator('textarea.lab-code').press('Shift+Enter');
  await expect(answer).toHaveAttribute('data-status', 'proved', { timeout: 30_000 });
  await expect(answer.locator('.lab-answer-head')).toHaveText('Proved: no schedule breaks it');
  await expect(answer.locator('dl')).toContainText(`States${formatCount(proved.stats.states)}`);
});

test('"Open a Node.js terminal" loads nothing until clicked; offline it says why, quickly', async ({ page, context }) => {
  const { PROBE_TIMEOUT_MS, BOOT_TIMEOUT_MS } = await import('../../components/webcontainer/availability.ts');
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  // No internet: the service's host does not answer.
  await page.route('https://stackblitz.com/**', (r) => r.abort('internetdisconnected'));
  await openStarter(page, 'tty-write-atomicity');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const panel = page.locator('#lab-root [data-wc]');
  await expect(panel.locator('.wc-note')).toContainText('until then this page requests nothing from any other site');
  expect(requests.filter((u) => !u.startsWith('http://127.0.0.1'))).toEqual([]);
  expect(requests.filter((u) => /\/_astro\/(panel|dist)\./.test(u))).toEqual([]);
  // The cells still run on the isolated page (its worker carries COEP too).
  await runAll(page);
  const t0 = Date.now();
  await panel.getByRole('button', { name: 'Open a Node.js terminal' }).click();
  await expect(panel).toHaveAttribute('data-wc-state', 'unavailable', { timeout: PROBE_TIMEOUT_MS + 5_000 });
  expect(Date.now() - t0).toBeLessThan(BOOT_TIMEOUT_MS);
  await expect(panel.getByRole('status')).toHaveText(/^The Node\.js terminal is unavailable because StackBlitz’?'?s WebContainer service \(stackblitz\.com\) cannot be reached from here; everything else on this page works as before\.$/);
  expect(requests.filter((u) => !u.startsWith('http://127.0.0.1')).every((u) => u.startsWith('https://stackblitz.com/'))).toBe(true);
  // The browser offline: it says so without asking the network.
  await context.setOffline(true);
  await panel.getByRole('button', { name: 'Open a Node.js terminal' }).click();
  await expect(panel.getByRole('status')).toContainText('because this browser is offline');
  await context.setOffline(false);
});

test('an exercise offers the Node.js terminal; offline it says why and in-page grading still works', async ({ page }) => {
  await page.route('https://stackblitz.com/**', (r) => r.abort('internetdisconnected'));
  await page.goto('/lessons/pinning-user-pages/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const ex = page.locator('dpl-exercise').first();
  await expect(ex).toHaveAttribute('data-ready', 'true');
  const panel = ex.locator('[data-wc]');
  await panel.getByRole('button', { name: 'Open a Node.js terminal' }).click();
  await expect(panel).toHaveAttribute('data-wc-state', 'unavailable', { timeout: 10_000 });
  await expect(panel.getByRole('status')).toContainText('cannot be reached');
  await ex.getByRole('button', { name: /Run tests/ }).click();
  await expect(ex.locator('[data-role="summary"]')).toContainText(/tests (failed|passed)/, { timeout: 20_000 });
});

test('in the workshop room\'s frame the lesson is not isolated, and the panel says why', async ({ page }) => {
  await page.goto('/join/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  // The room's page frames the lesson the presenter shows (a same-origin iframe, as follower.ts does).
  await page.evaluate(() => {
    const f = document.createElement('iframe');
    f.src = '/lessons/pinning-user-pages/';
    f.id = 'probe-frame';
    document.body.append(f);
  });
  const frame = page.frameLocator('#probe-frame');
  const panel = frame.locator('dpl-exercise [data-wc]').first();
  await expect(frame.locator('dpl-exercise').first()).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  await panel.getByRole('button', { name: 'Open a Node.js terminal' }).click();
  await expect(panel.getByRole('status')).toContainText('opened on its own');
  expect(await frame.locator('body').evaluate(() => crossOriginIsolated)).toBe(false);
});

test('nothing on the page moves when the notebook appears (its cells come after everything drawn before them)', async ({ browser }) => {
  for (const width of [412, 1280]) {
    const ctx = await browser.newContext({ viewport: { width, height: 823 }, serviceWorkers: 'block' });
    const page = await ctx.newPage();
    await recordLayoutShifts(page);
    await page.goto('/lab/');
    await expect(page.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
    await expect(page.locator('.lab-cell').first()).toBeVisible();
    await expect(page.locator('#lab-add')).toBeVisible();
    // Two frames after the cells, so any shift they caused has been reported.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const total = await layoutShiftTotal(page);
    // Measured 0.25-0.29 before the notebook's cells came last on the page.
    expect(total, `width ${width}`).toBeLessThan(0.01);
    await ctx.close();
  }
});
