/**
 * The learner's path through lessons 2 to 5, in real Chromium: step a translation, watch the
 * migration under a running DMA, see dma_map_sg merge behind an IOMMU, read stale data on a
 * non-coherent CPU, watch a wrong bus address corrupt another process (and the IOMMU stop
 * it), and solve one exercise per lesson.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { runExercise, setPlainCode, uncover, watchRequests } from './helpers';

/** Moves a player to its last step with the keyboard (the scrubber's End key). */
async function toEnd(sim: Locator) {
  await uncover(sim);
  await sim.scrollIntoViewIfNeeded();
  await expect(sim).toHaveAttribute('data-ready', 'true');
  const steps = Number(await sim.getAttribute('data-steps'));
  await sim.getByRole('slider').focus();
  await sim.page().keyboard.press('End');
  await expect(sim).toHaveAttribute('data-step', String(steps - 1));
}

async function solve(page: Page, id: string) {
  await setPlainCode(page, id, readFileSync(`content/exercises/${id}/solution.ts`, 'utf8'));
  const ex = await runExercise(page, id);
  await expect(ex).toHaveAttribute('data-state', 'passed');
  await expect(ex.locator('[data-role="summary"]')).toContainText(/All \d+ tests passed/);
}

test('pinning user pages: a translation, a migration under DMA, an exercise', async ({ page, baseURL }) => {
  const requests = watchRequests(page, baseURL!);
  await page.goto('/');
  await page.getByRole('link', { name: /pinning/i }).first().click();
  await expect(page).toHaveURL(/\/lessons\/pinning-user-pages\/$/);

  const translate = page.locator('mm-sim[data-preset="translate"]').first();
  await uncover(translate);
  await translate.scrollIntoViewIfNeeded();
  await expect(translate).toHaveAttribute('data-ready', 'true');
  await translate.getByRole('button', { name: 'Step forward' }).click();
  await expect(translate).toHaveAttribute('data-step', '1');
  await toEnd(translate);
  await expect(translate.locator('[data-part="narration"]')).toContainText('PGD[254] → PUD[0] → PMD[0] → PTE[1]');
  await translate.getByRole('button', { name: 'Step back' }).click();
  await expect(translate).not.toHaveAttribute('data-step', String(Number(await translate.getAttribute('data-steps')) - 1));

  const lost = page.locator('mm-sim[data-preset="dma-without-pin"]').first();
  await toEnd(lost);
  await expect(lost).toHaveAttribute('data-lost', 'true');
  const pinned = page.locator('mm-sim[data-preset="dma-with-pin"]').first();
  await toEnd(pinned);
  await expect(pinned).toHaveAttribute('data-lost', 'false');

  await solve(page, 'page-span');
  expect(requests.foreign()).toEqual([]);
});

test('scatter-gather and the IOMMU: dma_map_sg returns fewer entries, an exercise', async ({ page }) => {
  await page.goto('/lessons/scatter-gather-iommu/');
  const direct = page.locator('sg-sim[data-preset="map-direct"]').first();
  await toEnd(direct);
  const iommu = page.locator('sg-sim[data-preset="map-iommu"]').first();
  await toEnd(iommu);
  // Step back to just after dma_map_sg returned: the counts show 1 DMA segment for 4 entries.
  const counts = iommu.locator('dl.sg-counts').first();
  await iommu.getByRole('slider').focus();
  // After the run the table is freed; step back until the counts show what dma_map_sg returned.
  for (let i = 0; i < 40; i++) {
    const text = (await counts.count()) ? ((await counts.textContent()) ?? '') : '';
    if (/dma_map_sg returned\s*1(?!\d)/.test(text)) break;
    await page.keyboard.press('ArrowLeft');
  }
  await expect(counts).toContainText(/sgt->orig_nents\s*4(?!\d)/);
  await expect(counts).toContainText(/dma_map_sg returned\s*1(?!\d)/);
  await solve(page, 'dma-descriptors');
});

test('who owns the buffer: stale data without a sync, right data with it, an exercise', async ({ page }) => {
  await page.goto('/lessons/dma-ownership/');
  const stale = page.locator('coherence-sim[data-preset="rx-no-sync-arm"]').first();
  await toEnd(stale);
  await expect(stale).toHaveAttribute('data-verdict', 'stale');
  const right = page.locator('coherence-sim[data-preset="rx-correct"]').first();
  await toEnd(right);
  await expect(right).toHaveAttribute('data-verdict', 'right');
  await solve(page, 'rx-sync');
});

test('UIO and user-space DMA: a wrong bus address without and with the IOMMU, an exercise', async ({ page }) => {
  await page.goto('/lessons/uio-user-space-dma/');
  const noIommu = page.locator('uio-sim[data-preset="wrong-bus-address-no-iommu"]').first();
  await toEnd(noIommu);
  await expect(noIommu).not.toHaveAttribute('data-stray', '0');
  await expect(noIommu).toContainText("B's page overwritten");
  const vfio = page.locator('uio-sim[data-preset="wrong-iova-vfio"]').first();
  await toEnd(vfio);
  await expect(vfio).toHaveAttribute('data-stray', '0');
  await expect(vfio).not.toHaveAttribute('data-faults', '0');
  await solve(page, 'uio-irq-loop');
});
