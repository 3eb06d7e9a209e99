/**
 * Issue 11, item 9 (the editor's and layout's part): no ligatures or contextual arrows in
 * code or C identifiers, the table of contents marks the section being read, the home page
 * links each exercise to its place in the lesson, Esc closes an exercise's reset prompt.
 */
import { expect, test } from '@playwright/test';

const LESSON = '/lessons/tty-write-atomicity/';

test('code, the plain editor, Monaco and prose draw `<=` and `->` as typed', async ({ page }) => {
  await page.goto(LESSON);
  const style = (selector: string) =>
    page.locator(selector).first().evaluate((el) => {
      const cs = getComputedStyle(el);
      return { ligatures: cs.fontVariantLigatures, features: cs.fontFeatureSettings };
    });
  for (const sel of ['.prose p', '.prose pre code', '.prose :not(pre) > code', 'textarea[data-role="code"]']) {
    const s = await style(sel);
    expect(s.features, sel).toContain('"calt" 0');
    expect(s.ligatures, sel).toMatch(/none|no-contextual/);
  }
  for (const sel of ['.prose pre code', 'textarea[data-role="code"]']) expect((await style(sel)).features, sel).toContain('"liga" 0');

  const ex = page.locator('dpl-exercise').first();
  await ex.locator('textarea[data-role="code"]').click();
  await expect(ex).toHaveAttribute('data-editor', 'monaco', { timeout: 30_000 });
  const monacoFeatures = await ex.locator('.monaco-editor .view-lines').evaluate((el) => getComputedStyle(el).fontFeatureSettings);
  expect(monacoFeatures).toMatch(/"liga" (0|off)/);
  expect(monacoFeatures).toMatch(/"calt" (0|off)/);
});

test('the table of contents marks the section being read', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(LESSON);
  const slugs = await page.locator('.toc-wide a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).hash.slice(1)));
  expect(slugs.length).toBeGreaterThan(3);
  for (const slug of [slugs[2], slugs[slugs.length - 2], slugs[1]]) {
    await page.evaluate((id) => document.getElementById(id)!.scrollIntoView({ block: 'start' }), slug);
    await expect(page.locator(`.toc-wide a[aria-current="location"]`)).toHaveAttribute('href', `#${slug}`);
    await expect(page.locator('.toc-wide a[aria-current]')).toHaveCount(1);
    await expect(page.locator(`.toc-phone a[href="#${slug}"]`)).toHaveAttribute('aria-current', 'location');
  }
});

test('the home page links each exercise to its place in its lesson', async ({ page }) => {
  await page.goto('/');
  const link = page.locator('#curriculum .ex-list').getByRole('link').first();
  const href = await link.getAttribute('href');
  expect(href).toMatch(/^\/lessons\/[a-z0-9-]+\/#ex-[a-z0-9-]+-title$/);
  const title = (await link.textContent())!.trim();
  await link.click();
  await expect(page.locator(decodeURIComponent(new URL(href!, 'http://x').hash))).toHaveText(title);
  expect(await page.locator('#curriculum .ex-list li').count()).toBe(await page.locator('#curriculum .ex-list li a').count());
});

test('Esc closes the reset prompt, keeps the code and returns focus to Reset code', async ({ page }) => {
  await page.goto(LESSON);
  const ex = page.locator('dpl-exercise').first();
  const code = () => ex.evaluate((el) => (el as HTMLElement & { code: string }).code);
  const before = await code();
  const reset = ex.getByRole('button', { name: 'Reset code' });
  await reset.focus();
  await page.keyboard.press('Enter');
  const prompt = ex.getByRole('alertdialog');
  await expect(prompt).toBeVisible();
  await expect(ex.getByRole('button', { name: 'Keep my code' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(prompt).toBeHidden();
  await expect(reset).toBeFocused();
  expect(await code()).toBe(before);
});
