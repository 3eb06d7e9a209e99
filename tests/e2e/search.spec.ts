/**
 * Site search (components/search/, index built by scripts/postbuild.mjs with Pagefind):
 * nothing of it loads before the learner asks; `/` and the header button open it; a kernel
 * function name finds the lesson and the section that explains it, also with the network cut
 * after the first visit (the service worker serves the index).
 */
import { expect, test, type Page } from '@playwright/test';
import { axeViolations } from './axe';
import { watchRequests } from './helpers';

async function search(page: Page, q: string) {
  const dialog = page.getByRole('dialog', { name: 'Search the lessons' });
  await expect(dialog).toBeVisible();
  const box = dialog.getByRole('searchbox', { name: 'Search the lessons' });
  await expect(box).toBeFocused();
  await box.fill(q);
  await expect(dialog.getByRole('status')).toContainText(/found/, { timeout: 20_000 });
  return dialog;
}

test('loads on first use; `/` finds iterate_tty_write in its section of the tty lesson', async ({ page, baseURL }) => {
  const requests = watchRequests(page, baseURL!);
  await page.goto('/lessons/pinning-user-pages/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(requests.all.filter((u) => u.includes('/pagefind/'))).toEqual([]);

  await page.keyboard.press('/');
  const dialog = await search(page, 'iterate_tty_write');
  const lesson = dialog.locator('.ss-results > li').filter({ has: page.locator('a.ss-page[href*="/lessons/tty-write-atomicity/"]') });
  await expect(lesson).toHaveCount(1);
  await expect(lesson.locator('.ss-page strong')).toContainText(/tty/i);
  const section = lesson.locator('a.ss-sub', { hasText: 'iterate_tty_write and atomic_write_lock' });
  await expect(section).toBeVisible();
  await expect(section.locator('mark').first()).toBeVisible();
  expect(await axeViolations(page, { include: ['dialog.site-search'] })).toEqual([]);
  await section.click();
  await expect(page).toHaveURL(/\/lessons\/tty-write-atomicity\/#[\w-]+$/);
  const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
  await expect(page.locator(`[id="${id}"]`)).toContainText('iterate_tty_write and atomic_write_lock');
  expect(requests.all.some((u) => u.includes('/pagefind/pagefind.js'))).toBe(true);
  expect(requests.foreign()).toEqual([]);
});

test.describe('offline', () => {
  test.use({ serviceWorkers: 'allow' });

  test('with the network cut after the first visit, the header button finds dma_map_sgtable', async ({ page, context, baseURL }) => {
    test.setTimeout(180_000);
    const requests = watchRequests(page, baseURL!);
    await page.goto('/');
    await expect(page.locator('#offline-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    await context.setOffline(true);
    const res = await page.goto('/lessons/dma-ownership/');
    expect(res?.fromServiceWorker()).toBe(true);
    await page.getByRole('button', { name: /Search/ }).click();
    const dialog = await search(page, 'dma_map_sgtable');
    const pages = dialog.locator('a.ss-page');
    await expect(pages.filter({ has: page.locator('xpath=self::*[contains(@href, "/lessons/scatter-gather-iommu/")]') })).toHaveCount(1);
    const subs = dialog.locator('a.ss-sub[href*="#"]');
    await expect(subs.first()).toBeVisible();
    await expect(dialog.locator('a.ss-sub mark', { hasText: /dma_map_sgtable/ }).first()).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('button', { name: /Search/ })).toBeFocused();
    expect(requests.foreign()).toEqual([]);
  });
});
