/**
 * "Copy link to this step" on a scatter-gather player: the link reopens the same player at
 * the same step (and nothing else on the page changes); a link to a preset this site does
 * not have says so and changes nothing.
 */
import { expect, test } from '@playwright/test';
import { uncover } from './helpers';

// The tweens run here (the config asks for reduced motion by default).
test.use({ reducedMotion: 'no-preference' });

const LESSON = '/lessons/scatter-gather-iommu/';

test('a copied sg link restores the exact step in the same player', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto(LESSON);
  const sim = page.locator('sg-sim[data-preset="map-iommu"]');
  await uncover(sim);
  await sim.scrollIntoViewIfNeeded();
  for (let i = 0; i < 7; i++) await sim.getByRole('button', { name: 'Step forward' }).click();
  await expect(sim).toHaveAttribute('data-step', '7');
  const narration = await sim.locator('[data-part="narration"]').textContent();
  await sim.getByRole('button', { name: 'Copy link to this step' }).click();
  const input = sim.getByRole('textbox', { name: /Link to step 7/ });
  await expect(input).toHaveValue(/\/lessons\/scatter-gather-iommu\/#sim=dma\.1\.map-iommu\.[A-Za-z0-9_-]+\.7$/);
  const url = await input.inputValue();

  const other = await context.newPage();
  await other.goto(url);
  const restored = other.locator('sg-sim[data-preset="map-iommu"]');
  await expect(restored).toHaveAttribute('data-step', '7');
  await expect(restored).toHaveAttribute('data-loaded', 'true');
  await expect(restored.locator('[data-part="narration"]')).toHaveText(narration!);
  await expect(restored).toBeInViewport();
  await expect(other.getByRole('alert')).toHaveCount(0);
  await expect(other.locator('sg-sim[data-loaded]')).toHaveCount(1);
});

test('an sg link to a preset the site does not have says so and changes nothing', async ({ page }) => {
  await page.goto(`${LESSON}#sim=dma.1.no-such-preset.AA.1`);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('could not be opened');
  await expect(page.locator('sg-sim[data-loaded]')).toHaveCount(0);
});
