/**
 * Lesson players are light renders (components/player/widget-html.ts, docs/ARCHITECTURE.md
 * "Page weight"): the page carries each player's heading, description, parameters and first
 * narration, and the element builds the rest as a reader comes near. A page builds none while
 * it loads; a reader scrolling down finds every player built before it is in view, and nothing
 * on the page moves.
 */
import { expect, test } from '@playwright/test';
import { layoutShiftLog, layoutShiftTotal, recordLayoutShifts } from './helpers';

for (const slug of ['tty-write-atomicity', 'dma-ownership']) {
  for (const [w, h] of [[1280, 800], [375, 740]] as const) {
    test(`${slug} at ${w}px: no player is built while the page loads; scrolling down, each is built before it shows and nothing moves`, async ({ browser }) => {
      const ctx = await browser.newContext({ viewport: { width: w, height: h }, serviceWorkers: 'block' });
      const page = await ctx.newPage();
      await recordLayoutShifts(page);
      await page.goto(`/lessons/${slug}/`, { waitUntil: 'load' });
      const hosts = page.locator('.sim-host[data-model]');
      expect(await hosts.count()).toBeGreaterThan(3);
      // The light render: the words are there, the controls are not.
      const first = hosts.first();
      await expect(first.locator('[data-part="title"]')).not.toBeEmpty();
      await expect(first.locator('.sim-pending .sim-narration')).not.toBeEmpty();
      await expect(first.locator('[data-part="bar"]')).toHaveCount(0);
      expect(await page.locator('.sim-host[data-model][data-ready]').count()).toBe(0);

      // Down the page three quarters of a screen at a time, as a reader scrolls: every player
      // (but one covered by its question, which is cut off) within 1,400 px of the view has
      // built (BUILD_MARGIN is 1,500 px), so none is ever on screen unbuilt.
      const unbuiltNear = () =>
        page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>('.sim-host[data-model]')]
            .filter((e) => !e.closest('[hidden], [data-run="locked"]'))
            .filter((e) => {
              const r = e.getBoundingClientRect();
              return r.top < window.innerHeight + 1400 && r.bottom > -1400;
            })
            .filter((e) => e.dataset.ready !== 'true')
            .map((e) => e.id),
        );
      let built = 0;
      for (let y = 0; y < (await page.evaluate(() => document.documentElement.scrollHeight)); y += Math.round(h * 0.75)) {
        await page.evaluate((top) => window.scrollTo(0, top), y);
        await expect.poll(unbuiltNear, { message: `at scrollY ${y}` }).toEqual([]);
        built = await page.locator('.sim-host[data-model][data-ready]').count();
      }
      // Every player a reader passed has built (one covered by its question may wait until it is uncovered).
      expect(built).toBeGreaterThan(0);
      const missed = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.sim-host[data-model]')].filter((e) => !e.closest('[hidden], [data-run="locked"]') && e.dataset.ready !== 'true').map((e) => e.id),
      );
      expect(missed).toEqual([]);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect(await layoutShiftTotal(page), await layoutShiftLog(page)).toBeLessThan(0.01);
      await ctx.close();
    });
  }
}

test('a keyboard user who tabs to a player not built yet lands in it, and Tab goes on into its controls', async ({ page }) => {
  await page.goto('/lessons/uio-user-space-dma/');
  const sim = page.locator('uio-sim[data-preset="wrong-iova-vfio"]');
  // The Tab stop before it is some 3,700 px above (prose with no link between): focused there,
  // the player is still far out of view, so not built.
  await sim.evaluate((host) => {
    const sel = 'a[href], button:not([disabled]):not([hidden]), input:not([disabled]), select, textarea, summary, [tabindex="0"]';
    const stops = [...document.querySelectorAll<HTMLElement>(sel)].filter((e) => e.getClientRects().length > 0 && !host.contains(e));
    stops.filter((e) => e.compareDocumentPosition(host) & Node.DOCUMENT_POSITION_FOLLOWING).pop()!.focus();
  });
  await expect(sim).toHaveAttribute('data-build', 'pending');
  await page.keyboard.press('Tab');
  await expect(sim).toHaveAttribute('data-ready', 'true');
  await expect(sim.locator('[data-part="title"]')).toBeFocused();
  await page.keyboard.press('Tab');
  expect(await sim.evaluate((e) => e.contains(document.activeElement) && document.activeElement !== e.querySelector('[data-part="title"]'))).toBe(true);
});

test('players that come near the view together are built one per task, not in one long task', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/lessons/dma-ownership/', { waitUntil: 'load' });
  // A mutation observer's callback runs once per task that changed what it watches (at the
  // task's microtask checkpoint): players built in one task arrive in one callback.
  await page.evaluate(() => {
    const w = window as unknown as { __builtTogether: number[] };
    w.__builtTogether = [];
    new MutationObserver((records) => {
      const ready = new Set(records.filter((r) => (r.target as HTMLElement).dataset.ready === 'true').map((r) => r.target));
      if (ready.size > 0) w.__builtTogether.push(ready.size);
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
  });
  // A jump to where the most players not built yet lie within 1,400 px of the view (a link
  // to a section) brings them near at once.
  const near = await page.evaluate(() => {
    const tops = [...document.querySelectorAll<HTMLElement>('.sim-host[data-model]')]
      .filter((e) => !e.closest('[hidden], [data-run="locked"]') && e.dataset.ready !== 'true')
      .map((e) => e.getBoundingClientRect().top + window.scrollY);
    let best = { y: 0, n: 0 };
    for (const t of tops) {
      const y = Math.max(0, t - 100);
      const n = tops.filter((u) => u > y - 1400 && u < y + window.innerHeight + 1400).length;
      if (n > best.n) best = { y, n };
    }
    window.scrollTo(0, best.y);
    return best.n;
  });
  expect(near).toBeGreaterThan(1);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __builtTogether: number[] }).__builtTogether.reduce((a, b) => a + b, 0))).toBeGreaterThanOrEqual(near);
  const batches = await page.evaluate(() => (window as unknown as { __builtTogether: number[] }).__builtTogether);
  expect(batches.every((n) => n === 1), `players built per task: ${batches.join(', ')}`).toBe(true);
});
