/**
 * Small things a learner notices on a phone (issue 11, item 9): the tty lesson not shifting
 * when the diagrams arrive, the tty swimlane's lane labels kept in view while it scrolls
 * sideways, a 100,000-character address that stays inside the "Walk an address" card, and
 * the step label and the trace count agreeing. Diagram text of at least 11 px on a phone is
 * measured for every player by tests/e2e/widget-fit.spec.ts, and the scroll boxes by the axe
 * scan at 375 px (tests/e2e/a11y.spec.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { layoutShiftTotal, recordLayoutShifts, uncover } from './helpers';

test.use({ viewport: { width: 375, height: 740 } });

test('the swimlane keeps its lane labels in view when it scrolls sideways', async ({ page }) => {
  await page.goto('/lessons/tty-write-atomicity/');
  const sim = page.locator('tty-sim[data-preset="kernel-blocking"]');
  await sim.evaluate((e) => e.scrollIntoView());
  await uncover(sim);
  await expect(sim).toHaveAttribute('data-diagrams', 'loaded', { timeout: 30_000 });
  await sim.locator('[data-part="slider"]').focus();
  await page.keyboard.press('End');
  const scroller = sim.locator('[data-figure="swimlane"] .sim-zoom');
  await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await expect.poll(() => scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(100);
  const box = (await scroller.boundingBox())!;
  const labels = sim.locator('text.sl-label');
  await expect(labels.first()).toHaveText('writer A');
  for (const l of await labels.all()) {
    await expect.poll(async () => (await l.boundingBox())!.x).toBeGreaterThanOrEqual(box.x);
  }
});

test('a 100,000-character address gives a message that stays inside the walk card', async ({ page }) => {
  await page.goto('/lessons/pinning-user-pages/');
  const sim = page.locator('mm-sim[data-preset="translate"]');
  await sim.evaluate((e) => e.scrollIntoView());
  await uncover(sim);
  await expect(sim).toHaveAttribute('data-ready', 'true');
  const input = sim.locator('[data-part="walkinput"]');
  await input.fill('1'.repeat(100_000));
  await sim.getByRole('button', { name: 'Walk', exact: true }).click();
  const msg = sim.locator('[data-part="walkmsg"]');
  await expect(msg).toContainText('does not fit in 64 bits');
  const form = sim.locator('[data-part="walkform"]');
  const [f, m] = [(await form.boundingBox())!, (await msg.boundingBox())!];
  expect(m.x + m.width).toBeLessThanOrEqual(f.x + f.width + 0.5);
  expect(m.height).toBeLessThan(200);
  expect(await form.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
});

test('"Step N of N" sits beside "N steps so far" in the text trace', async ({ page }) => {
  await page.goto('/lessons/tty-write-atomicity/');
  const sim = page.locator('tty-sim[data-preset="kernel-blocking"]');
  await sim.evaluate((e) => e.scrollIntoView());
  await uncover(sim);
  await expect(sim).toHaveAttribute('data-ready', 'true');
  await expect(sim.locator('[data-part="tracecount"]')).toHaveText('0 steps');
  await sim.getByRole('button', { name: 'Step forward' }).click();
  await expect(sim.locator('[data-part="tracecount"]')).toHaveText('1 step');
  const steps = Number(await sim.getAttribute('data-steps')) - 1;
  await sim.locator('[data-part="slider"]').focus();
  await page.keyboard.press('End');
  await expect(sim.locator('[data-part="stepno"]')).toContainText(`Step ${steps} of ${steps}`);
  await expect(sim.locator('[data-part="tracecount"]')).toHaveText(`${steps} steps`);
});

test('the tty player does not shift when its diagrams arrive (their room is reserved)', async ({ browser }) => {
  for (const width of [1280, 375]) {
    const ctx = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await ctx.newPage();
    await recordLayoutShifts(page);
    await page.goto('/lessons/tty-write-atomicity/');
    const sim = page.locator('tty-sim[data-preset="kernel-blocking"]');
    // As a reader scrolling down: two screens above it the player has built its markup (a
    // light render, components/player/widget-html.ts) and started (once its question is
    // answered or skipped: a covered player is cut off, so it is not near the viewport).
    await uncover(sim);
    await sim.evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 2 * window.innerHeight));
    await expect(sim).toHaveAttribute('data-ready', 'true');
    const before = await layoutShiftTotal(page);
    await sim.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await expect(sim).toHaveAttribute('data-diagrams', 'loaded', { timeout: 30_000 });
    await expect(sim.locator('svg.ts-swim .sl-lane')).toHaveCount(3);
    // Two frames after the drawings, so any shift they caused has been reported.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const after = await layoutShiftTotal(page);
    // Measured 0.0000-0.0059 at 375 px since the control bar's height is measured on upgrade
    // (the stage's height limit settles by a few px); a visible jump is 0.05 and more.
    expect(after - before, `width ${width}`).toBeLessThan(0.01);
    await ctx.close();
  }
});
