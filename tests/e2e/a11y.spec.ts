/** axe on every page of the build, in light and dark themes, at desktop and phone widths. */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sitePages } from '../../scripts/site-pages';

const pages = sitePages(process.env.DIST_DIR ?? 'dist');

for (const path of pages) {
  for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['light', 375]] as const) {
    test(`axe finds no violations on ${path} (${scheme}, ${width} px)`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      // Scroll through so lazily upgraded widgets (simulations, terminals) are checked too.
      await page.evaluate(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 600) {
          window.scrollTo(0, y);
          await new Promise((r) => setTimeout(r, 30));
        }
      });
      await page.waitForLoadState('networkidle');
      const results = await new AxeBuilder({ page }).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`)).toEqual([]);
    });
  }
}

test('keyboard: the skip link moves focus to the lesson, past the table of contents, and the theme toggle works', async ({ page }) => {
  await page.goto('/lessons/tty-write-atomicity/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the lesson' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  // The next Tab stop is in the lesson itself, not one of the table of contents' links.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => [!!document.activeElement?.closest('article.lesson'), !!document.activeElement?.closest('.toc')])).toEqual([true, false]);
  // On pages without a table of contents the link still goes to the main content.
  await page.goto('/');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();
  await page.goto('/lessons/tty-write-atomicity/');
  const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
  const after = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(after).not.toBe(before);
  await page.reload();
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(after);
});
