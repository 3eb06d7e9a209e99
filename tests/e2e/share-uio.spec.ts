/**
 * "Copy link to this step" on a UIO player: the link reopens the same player (same id)
 * at the same step, and nothing else on the page changes; a link to a preset this site does
 * not have says so and changes nothing.
 */
import { expect, test } from '@playwright/test';
import { uncover } from './helpers';

const LESSON = '/lessons/uio-user-space-dma/';

test('a copied uio link restores the exact step in the same player', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto(LESSON);
  const sim = page.locator('uio-sim[data-preset="wrong-bus-address-no-iommu"]');
  await uncover(sim);
  await sim.scrollIntoViewIfNeeded();
  const id = await sim.getAttribute('id');
  for (let i = 0; i < 6; i++) await sim.getByRole('button', { name: 'Step forward' }).click();
  await expect(sim).toHaveAttribute('data-step', '6');
  const narration = await sim.locator('[data-part="narration"]').textContent();
  await sim.getByRole('button', { name: 'Copy link to this step' }).click();
  const input = sim.getByRole('textbox', { name: /Link to step 6/ });
  await expect(input).toHaveValue(/\/lessons\/uio-user-space-dma\/#sim=uio\.1\.wrong-bus-address-no-iommu\.[A-Za-z0-9_-]+\.6$/);
  const url = await input.inputValue();

  const other = await context.newPage();
  await other.goto(url);
  const restored = other.locator('uio-sim[data-loaded="true"]');
  await expect(restored).toHaveCount(1);
  await expect(restored).toHaveAttribute('id', id!);
  await expect(restored).toHaveAttribute('data-preset', 'wrong-bus-address-no-iommu');
  await expect(restored).toHaveAttribute('data-step', '6');
  await expect(restored.locator('[data-part="narration"]')).toHaveText(narration!);
  await expect(restored).toBeInViewport();
  await expect(other.getByRole('alert')).toHaveCount(0);
});

test('a uio link to a preset the site does not have says so and changes nothing', async ({ page }) => {
  await page.goto(`${LESSON}#sim=uio.1.no-such-preset.AA.1`);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('could not be opened');
  await expect(page.locator('uio-sim[data-loaded]')).toHaveCount(0);
  await expect(page.locator('uio-sim[data-step="0"]')).toHaveCount(await page.locator('uio-sim').count());
});
