/**
 * axe on every page of the build, in light and dark themes, at desktop and phone widths, in the
 * state a reader sees: every player on the page has been scrolled to and has drawn its diagrams.
 *
 * Per page, in one visit: light at 1280 px runs every rule axe enables by default. Dark at
 * 1280 px runs the rules that read colours: the dark theme only redefines colour custom
 * properties (src/styles/global.css), so the other rules, which read the DOM, ARIA and which
 * elements are rendered, see the same page; the test checks that last part (the same elements
 * are rendered in both themes) before it trusts it. Then the page is narrowed to 375 px: the
 * phone layout hides, shows and wraps different elements, so every rule runs again, except
 * that the colour rules (most of a scan's time) run only on what the phone shows differently:
 * the elements it renders and the desktop did not, and those that a width-dependent CSS rule
 * colours (found in the source by tests/unit/helpers/width-colours.ts).
 *
 * Scans go through ./axe.ts (violations only, in the page): the same rules on the same nodes as
 * `@axe-core/playwright`, without describing every passing node.
 */
import { expect, test, type Page } from '@playwright/test';
import { sitePages } from '../../scripts/site-pages';
import { widthColourSelectors } from '../unit/helpers/width-colours';
import { axeViolations } from './axe';

const pages = sitePages(process.env.DIST_DIR ?? 'dist');

/** axe rules whose outcome depends on colours (all others read structure, ARIA and rendering). */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];
/** Selectors of the rules that set colours only at some widths. */
const PHONE_COLOURED = widthColourSelectors();

// Every scan is independent: spread them over the workers.
test.describe.configure({ mode: 'parallel' });

/**
 * Brings each player into view, as a reader scrolling down would, and waits until it has drawn
 * its diagrams (players load their views when they come near the viewport); none may fail.
 * Players that are not rendered (a Prove-it panel's player before an answer) stay pending.
 */
async function settle(page: Page) {
  // The presenter page's lesson frame: wait until the page has embedded it (its own header
  // hidden, its main landmark named), which happens when the frame has loaded.
  const present = page.locator('[data-room-present]');
  if ((await present.count()) > 0) await expect(present).toHaveAttribute('data-frame', /\//, { timeout: 30_000 });
  for (const p of await page.locator('[data-diagrams]').all()) {
    if (!(await p.isVisible())) continue;
    await p.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await expect(p).not.toHaveAttribute('data-diagrams', 'pending', { timeout: 30_000 });
  }
  await expect(page.locator('[data-diagrams="failed"]')).toHaveCount(0);
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** Records, per element, whether it is rendered (what axe calls hidden for everyone or not). */
function recordRendered(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { __rendered: WeakMap<Element, boolean> };
    w.__rendered = new WeakMap();
    for (const e of document.querySelectorAll('body *')) w.__rendered.set(e, e.checkVisibility({ visibilityProperty: true }));
  });
}

/** Elements whose rendering differs from the last `recordRendered` (up to 5, described). */
function renderedChanges(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { __rendered: WeakMap<Element, boolean> };
    const out: string[] = [];
    for (const e of document.querySelectorAll('body *')) {
      const now = e.checkVisibility({ visibilityProperty: true });
      const before = w.__rendered.get(e);
      if (before === undefined ? now : before !== now) out.push(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${String(e.className).split(' ')[0]}: ${before} -> ${now}`);
    }
    return out.slice(0, 5);
  });
}

/**
 * Marks (`data-axe-phone-only`) the outermost elements rendered now that were not rendered at
 * the last `recordRendered`, and returns how many.
 */
function markNewlyRendered(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { __rendered: WeakMap<Element, boolean> };
    let n = 0;
    for (const e of document.querySelectorAll('body *')) {
      if (w.__rendered.get(e) !== false || !e.checkVisibility({ visibilityProperty: true })) continue;
      if (e.parentElement?.closest('[data-axe-phone-only]')) continue;
      e.setAttribute('data-axe-phone-only', '');
      n++;
    }
    return n;
  });
}

for (const path of pages) {
  // One visit per page (a load and a settle cost more than a scan).
  test(`axe finds no violations on ${path}: light at 1280 and 375 px, colours in dark, and dark renders the same elements`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(path);
    await settle(page);
    expect(await axeViolations(page), 'light, 1280 px').toEqual([]);

    // The light scan ran every rule; it holds for dark only if the same elements render.
    await recordRendered(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await renderedChanges(page), 'elements rendered differently in dark').toEqual([]);
    expect(await axeViolations(page, { rules: COLOUR_RULES }), 'dark, 1280 px').toEqual([]);

    // The phone: every rule but the colour ones everywhere, then the colour rules (most of a
    // scan's time) on what the phone layout renders differently: the elements only it renders,
    // and those a width-dependent rule gives colours (tests/unit/helpers/width-colours.ts).
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 375, height: 900 });
    await expect.poll(() => page.evaluate(() => innerWidth)).toBe(375);
    await settle(page);
    expect(await axeViolations(page, { disable: COLOUR_RULES }), 'light, 375 px').toEqual([]);
    const phoneOnly = (await markNewlyRendered(page)) > 0 ? ['[data-axe-phone-only]'] : [];
    const recoloured = await page.evaluate(
      (list) =>
        list.filter((sel) => {
          try {
            return document.querySelector(sel) !== null;
          } catch {
            return false;
          }
        }),
      PHONE_COLOURED,
    );
    const include = [...phoneOnly, ...recoloured];
    if (include.length > 0) {
      expect(await axeViolations(page, { rules: COLOUR_RULES, include }), 'light, 375 px, colours of what the phone shows differently').toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(() => page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
      expect(await axeViolations(page, { rules: COLOUR_RULES, include }), 'dark, 375 px, colours of what the phone shows differently').toEqual([]);
    }
  });
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
