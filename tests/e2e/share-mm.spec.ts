/**
 * Share links of the memory player, end to end: "Copy link to this step" on a player of the
 * pinning lesson, the link opened in a new page shows the same player (same id) at the same
 * step of the same run; a link to a preset the memory model does not have shows the error
 * alert and changes nothing.
 */
import { expect, test } from '@playwright/test';
import { uncover } from './helpers';

const LESSON = '/lessons/pinning-user-pages/';

test('copy link to step 5 of a memory player, open it: the same player shows step 5', async ({ page, context }) => {
  await page.goto(LESSON);
  const sim = page.locator('mm-sim[data-preset="dma-with-pin"]').first();
  await uncover(sim);
  await sim.scrollIntoViewIfNeeded();
  await expect(sim).toHaveAttribute('data-ready', 'true');
  const id = await sim.getAttribute('id');
  const forward = sim.getByRole('button', { name: 'Step forward' });
  for (let i = 1; i <= 5; i++) {
    await forward.click();
    await expect(sim).toHaveAttribute('data-step', String(i));
  }
  const narration = await sim.locator('[data-part="narration"]').textContent();
  await sim.getByRole('button', { name: 'Copy link to this step' }).click();
  const input = sim.locator('[data-part="linkinput"]');
  await expect(input).toHaveValue(/#sim=mm\.1\.dma-with-pin\.[A-Za-z0-9_-]*\.5$/);
  await expect(sim.locator('[data-part="linkstep"]')).toHaveText('5');
  const url = await input.inputValue();

  const other = await context.newPage();
  await other.goto(url);
  const opened = other.locator(`mm-sim#${id}`);
  await expect(opened).toHaveAttribute('data-loaded', 'true');
  await expect(opened).toHaveAttribute('data-step', '5');
  await expect(opened.locator('[data-part="narration"]')).toHaveText(narration!);
  await expect(other.getByTestId('share-error')).toHaveCount(0);
  // Only that player took the run.
  await expect(other.locator('mm-sim[data-loaded]')).toHaveCount(1);
});

test('a memory link to a preset that does not exist shows the error alert', async ({ page }) => {
  await page.goto(`${LESSON}#sim=mm.1.no-such-preset.AA.1`);
  await expect(page.getByTestId('share-error')).toContainText('“no-such-preset”');
  await expect(page.locator('mm-sim[data-loaded]')).toHaveCount(0);
});
