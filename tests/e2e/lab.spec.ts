import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe';
import { uncover } from './helpers';

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
  // Cells keep their textareas (the Monaco upgrade has its own test).
  await page.evaluate(() => {
    localStorage.clear();
    localStorage.setItem('dpl:lab:plain', '1');
  });
});

test('focusing a cell loads Monaco; Shift+Enter in it runs the cell', async ({ page }) => {
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
});

test('changing a cell re-runs its dependents, and the run trace follows', async ({ page }) => {
  await openStarter(page, 'tty-write-atomicity');
  await runAll(page);
  const trace = cell(page, 3).locator('.lab-run-head');
  await expect(trace).toContainText('Run of the tty model');
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

test('a player link opens in the Lab as cells that recreate the run', async ({ page }) => {
  const { encodeShare, } = await import('../../sims/core/share.ts');
  const { TTY_PRESETS } = await import('../../sims/tty/presets.ts');
  const p = TTY_PRESETS['kernel-blocking'];
  const text = encodeShare({ model: 'tty', params: p.params, schedule: p.schedule!, step: p.schedule!.length });
  await page.goto(`/lab/?sim=${text}`);
  await expect(cell(page, 2)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  await expect(cell(page, 2).locator('.lab-run-head')).toContainText('Run of the tty model');
  await expect(cell(page, 3).locator('.lab-output')).toContainText('BBBBBBBBBBAAAAAAAAAAAA');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: no violations with outputs shown (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openStarter(page, 'scatter-gather-iommu');
    await runAll(page);
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

test('"Open this run in the Lab" on a lesson player opens the run at that step', async ({ page }) => {
  await page.goto('/lessons/tty-write-atomicity/');
  const player = page.locator('tty-sim').first();
  await player.scrollIntoViewIfNeeded();
  await uncover(player);
  const copy = player.getByRole('button', { name: 'Copy link to this step' });
  await expect(copy).toBeEnabled({ timeout: 20_000 });
  await copy.click();
  const lab = player.getByRole('link', { name: 'Open this run in the Lab' });
  await expect(lab).toHaveAttribute('href', /\/lab\/\?sim=/);
  await lab.click();
  await expect(page).toHaveURL(/\/lab\/\?sim=/);
  await expect(cell(page, 2)).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
  await expect(cell(page, 2).locator('.lab-run-head')).toContainText('Run of the tty model');
  await expect(cell(page, 1).locator('textarea.lab-code')).toHaveValue(/const params = \{/);
});
