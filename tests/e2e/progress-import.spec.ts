/**
 * Importing a progress file on the home page: a review of what changes per exercise (newer
 * here / newer in the file / same / only in the file), the newer kept by default, replacing
 * newer work only when ticked, undo, unknown ids refused by name, a size limit with its own
 * message, Esc cancels.
 */
import { expect, test, type Page } from '@playwright/test';
import { axeViolations } from './axe';

const KEY = (id: string) => `dpl:v1:ex:${id}`;
const rec = (code: string, updatedAt: number, status = 'attempted', runs = 1) => ({ code, status, hintsShown: 0, runs, updatedAt });
const fileOf = (exercises: Record<string, unknown>) => ({
  name: 'backup.json',
  mimeType: 'application/json',
  buffer: Buffer.from(JSON.stringify({ app: 'data-path-lab', version: 1, exportedAt: '2026-01-01T00:00:00Z', exercises })),
});
const stored = (page: Page, id: string) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? 'null'), KEY(id));

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(
    ([a, b]) => {
      localStorage.clear();
      localStorage.setItem(a[0], a[1]);
      localStorage.setItem(b[0], b[1]);
    },
    [
      [KEY('circ-buffer'), JSON.stringify(rec('// passing code, written today', 2_000_000, 'passed', 3))],
      [KEY('page-span'), JSON.stringify(rec('// old attempt', 1_000))],
    ],
  );
  await page.reload();
  await expect(page.locator('#curriculum [data-exercise-status="circ-buffer"]')).toHaveText('Passed');
});

test('an older backup: review, the newer kept, unknown ids refused, undo', async ({ page }) => {
  const input = page.locator('#import-progress');
  await input.setInputFiles(
    fileOf({
      'circ-buffer': rec('// last week', 1_000_000),
      'page-span': rec('// newer attempt', 5_000),
      'rx-sync': rec('// only in the backup', 7_000),
      'no-such-exercise': rec('x', 1),
    }),
  );
  const review = page.getByRole('group', { name: 'Review the import' });
  await expect(review).toBeVisible();
  await expect(review).toBeFocused();
  const row = (id: string) => review.locator(`tr[data-exercise="${id}"]`);
  await expect(row('circ-buffer')).toContainText('Newer here');
  await expect(row('page-span')).toContainText('Newer in the file');
  await expect(row('rx-sync')).toContainText('Only in the file');
  await expect(review.locator('tbody tr')).toHaveCount(3);
  await expect(row('circ-buffer').getByRole('checkbox')).not.toBeChecked();
  await expect(row('page-span').getByRole('checkbox')).toBeChecked();
  await expect(row('rx-sync').getByRole('checkbox')).toBeChecked();
  await expect(review).toContainText('"no-such-exercise" is not an exercise of this site');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect((await axeViolations(page, { include: ['#progress'] })).map((v) => `${scheme} ${v}`)).toEqual([]);
  }
  // Nothing is written before the learner confirms.
  expect((await stored(page, 'page-span')).code).toBe('// old attempt');
  expect(await stored(page, 'rx-sync')).toBeNull();

  await review.getByRole('button', { name: 'Import 2 exercises' }).click();
  await expect(page.locator('#import-message')).toContainText("Imported the file's code for 2 exercises; kept this browser's for 1.");
  expect(await stored(page, 'circ-buffer')).toEqual(rec('// passing code, written today', 2_000_000, 'passed', 3));
  expect((await stored(page, 'page-span')).code).toBe('// newer attempt');
  expect((await stored(page, 'rx-sync')).code).toBe('// only in the backup');
  expect(await stored(page, 'no-such-exercise')).toBeNull();
  await expect(page.locator('#curriculum [data-exercise-status="circ-buffer"]')).toHaveText('Passed');
  await expect(page.locator('#curriculum [data-exercise-status="rx-sync"]')).toHaveText('Attempted');

  const undo = page.getByRole('button', { name: 'Undo the import' });
  await expect(undo).toBeFocused();
  await undo.click();
  await expect(page.locator('#import-message')).toContainText('Import undone');
  expect((await stored(page, 'page-span')).code).toBe('// old attempt');
  expect(await stored(page, 'rx-sync')).toBeNull();
  await expect(page.locator('#curriculum [data-exercise-status="rx-sync"]')).toHaveText('Not started');
  await expect(undo).toBeHidden();
});

test('replacing newer work only when ticked, with a warning; a pass is kept', async ({ page }) => {
  await page.locator('#import-progress').setInputFiles(fileOf({ 'circ-buffer': rec('// last week', 1_000_000) }));
  const review = page.getByRole('group', { name: 'Review the import' });
  await expect(review.getByRole('button', { name: 'Nothing to import' })).toBeDisabled();
  await review.getByRole('checkbox', { name: /circ_buf|ring|Use the file's code/ }).check();
  await expect(review).toContainText('This replaces newer code in this browser');
  await review.getByRole('button', { name: 'Import 1 exercise' }).click();
  const after = await stored(page, 'circ-buffer');
  expect(after.code).toBe('// last week');
  expect(after.status).toBe('passed');
  expect(after.runs).toBe(3);
});

test('Esc cancels the review and changes nothing; focus goes back to the file input', async ({ page }) => {
  await page.locator('#import-progress').setInputFiles(fileOf({ 'page-span': rec('// newer attempt', 5_000) }));
  const review = page.getByRole('group', { name: 'Review the import' });
  await expect(review).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(review).toBeHidden();
  await expect(page.locator('#import-progress')).toBeFocused();
  await expect(page.locator('#import-message')).toContainText('Nothing was changed');
  expect((await stored(page, 'page-span')).code).toBe('// old attempt');
});

test('a file of only unknown ids and a file over the size limit get their own messages', async ({ page }) => {
  const input = page.locator('#import-progress');
  await input.setInputFiles(fileOf({ 'not-here': rec('x', 1) }));
  await expect(page.locator('#import-message')).toContainText('no exercise of this site (it has "not-here")');
  await input.setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(20 * 1024 * 1024, 32) });
  const msg = page.locator('#import-message');
  await expect(msg).toContainText('This file is 20.0 MB; a progress file is at most 1.0 MB');
  await expect(msg).not.toContainText('storage');
  await expect(msg).not.toContainText('editor');
  await expect(page.getByRole('group', { name: 'Review the import' })).toBeHidden();
  expect((await stored(page, 'page-span')).code).toBe('// old attempt');
});
