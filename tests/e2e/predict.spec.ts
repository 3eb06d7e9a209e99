/**
 * Predict, then run: the run a question is about sits below it, covered and out of reach
 * until the learner answers (or skips); the answer survives a reload; "Try again" forgets it
 * and covers the run again. Keyboard only.
 */
import { expect, test, type Page } from '@playwright/test';

const LESSONS = ['tty-write-atomicity', 'pinning-user-pages', 'scatter-gather-iommu', 'dma-ownership', 'uio-user-space-dma'];

/** The Predict on the tty page about the O_NONBLOCK run. */
const nonblock = (page: Page) => page.locator('dpl-predict[data-preset="nonblock"]');

test('every Predict that names a run holds that player below its question, covered until answered', async ({ page }) => {
  for (const id of LESSONS) {
    await page.goto(`/lessons/${id}/`);
    const predicts = page.locator('dpl-predict[data-preset]');
    const n = await predicts.count();
    expect(n, id).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      const p = predicts.nth(i);
      const preset = await p.getAttribute('data-preset');
      // The player is inside the Predict's slot, after the question.
      const player = p.locator(`.predict__slot .sim-host[data-preset="${preset}"]`);
      await expect(player, `${id}: ${preset}`).toHaveCount(1);
      const order = await p.evaluate((el) => {
        const q = el.querySelector('.predict__set')!;
        const run = el.querySelector('.predict__slot')!;
        return q.compareDocumentPosition(run) & Node.DOCUMENT_POSITION_FOLLOWING;
      });
      expect(order, `${id}: ${preset} comes after its question`).toBeTruthy();
      // No player with that preset anywhere before the Predict.
      const earlier = await p.evaluate((el, name) => {
        return [...document.querySelectorAll(`.sim-host[data-preset="${name}"]`)].filter(
          (s) => !el.contains(s) && s.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING,
        ).length;
      }, preset);
      expect(earlier, `${id}: ${preset} is not played before its question`).toBe(0);
      await expect(p).toHaveAttribute('data-run', 'locked');
      await expect(p.locator('.predict__slot')).toHaveJSProperty('inert', true);
    }
  }
});

test('answering reveals the run, a reload keeps it, and Try again covers it again (keyboard only)', async ({ page }) => {
  await page.goto('/lessons/tty-write-atomicity/');
  const p = nonblock(page);
  const slot = p.locator('.predict__slot');
  const cover = p.locator('.predict__cover');
  await expect(p).toHaveAttribute('data-run', 'locked');
  await expect(cover).toBeVisible();
  await expect(cover).toContainText('Answer first (or skip)');
  await expect(slot).toHaveJSProperty('inert', true);

  // Choose option 2 and check, with the keyboard.
  const radios = p.getByRole('radio');
  await radios.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(radios.nth(1)).toBeChecked();
  await p.getByRole('button', { name: 'Check' }).focus();
  await page.keyboard.press('Enter');
  await expect(p.locator('.predict__verdict')).toHaveText('Right.');
  await expect(p).toHaveAttribute('data-run', 'open');
  await expect(cover).toBeHidden();
  await expect(slot).toHaveJSProperty('inert', false);
  // The run is reachable now: Tab from Try again lands inside the player eventually.
  await expect(slot.locator('tty-sim')).toBeVisible();

  await page.reload();
  await expect(p).toHaveAttribute('data-run', 'open');
  await expect(p.getByRole('radio').nth(1)).toBeChecked();
  await expect(p.locator('.predict__verdict')).toHaveText('Right.');

  // Try again: the answer is forgotten, here and after a reload, and the run is covered.
  const reset = p.getByRole('button', { name: 'Try again' });
  await reset.focus();
  await page.keyboard.press('Enter');
  await expect(p).toHaveAttribute('data-run', 'locked');
  await expect(slot).toHaveJSProperty('inert', true);
  await expect(p.locator('.predict__result')).toBeHidden();
  for (let i = 0; i < 4; i++) await expect(p.getByRole('radio').nth(i)).not.toBeChecked();
  await expect(p.getByRole('radio').first()).toBeFocused();
  await page.reload();
  await expect(p).toHaveAttribute('data-run', 'locked');
  for (let i = 0; i < 4; i++) await expect(p.getByRole('radio').nth(i)).not.toBeChecked();
});

test('skip shows the run without an answer, and is remembered', async ({ page }) => {
  await page.goto('/lessons/tty-write-atomicity/');
  const p = nonblock(page);
  const skip = p.getByRole('button', { name: 'Skip: show the run' });
  await skip.focus();
  await page.keyboard.press('Enter');
  await expect(p).toHaveAttribute('data-run', 'open');
  await expect(p.locator('.predict__slot')).toBeFocused();
  await expect(p.locator('.predict__result')).toBeHidden();
  await page.reload();
  await expect(p).toHaveAttribute('data-run', 'open');
  await expect(p.getByRole('button', { name: 'Try again' })).toBeVisible();
});

test('without JavaScript every run is shown, uncovered', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/lessons/tty-write-atomicity/');
  const p = nonblock(page);
  await expect(p.locator('.predict__cover')).toBeHidden();
  const style = await p.locator('.predict__slot').evaluate((el) => {
    const cs = getComputedStyle(el);
    return { filter: cs.filter, maxHeight: cs.maxHeight };
  });
  expect(style).toEqual({ filter: 'none', maxHeight: 'none' });
  await context.close();
});
