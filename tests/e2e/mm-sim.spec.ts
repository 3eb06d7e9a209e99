/**
 * The memory simulation (`<mm-sim>`) in the pinning lesson, in real Chromium: the
 * translation of the preset's address and of a typed one (with a clear message for a bad
 * one), the table view, the lost DMA write of `dma-without-pin`, the driver's calls and the
 * pin check, keyboard stepping, a shared link to a step, and no layout shift on upgrade.
 */
import { expect, test, type Page } from '@playwright/test';
import { encodeMmShare, MM_PRESETS } from '../../sims/mm/index.ts';
import { uncover } from './helpers';

const LESSON = '/lessons/pinning-user-pages/';

// The tweens run here (the config asks for reduced motion by default).
test.use({ reducedMotion: 'no-preference' });

async function widget(page: Page, preset: string) {
  const sim = page.locator(`mm-sim[data-preset="${preset}"]`).first();
  await uncover(sim);
  await sim.scrollIntoViewIfNeeded();
  await expect(sim).toHaveAttribute('data-ready', 'true');
  await expect(sim).toHaveAttribute('data-diagrams', 'loaded');
  return sim;
}

test('translate: the walk ends at physical address 0x6234; a typed address is walked or refused', async ({ page }) => {
  await page.goto(LESSON);
  const sim = await widget(page, 'translate');
  await expect(sim).toHaveAttribute('data-step', '0');
  await sim.getByRole('button', { name: 'Step forward' }).click();
  await sim.getByRole('button', { name: 'Step forward' }).click();
  await expect(sim).toHaveAttribute('data-finished', 'true');
  await expect(sim.locator('[data-part="narration"]')).toContainText('physical address 0x6234');
  await expect(sim.locator('[role="slider"]')).toHaveAttribute('aria-valuetext', /physical address 0x6234/);
  const walkSvg = sim.locator('[data-part="svg-walk"]');
  await expect(walkSvg.locator('.mw-phys')).toHaveText(/= 0x6234$/);
  await expect(walkSvg.locator('desc')).toContainText('physical address 0x6234');

  // The table view holds the same walk.
  const toggle = sim.getByRole('button', { name: 'Table view' });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(sim).toHaveAttribute('data-view', 'table');
  const tables = sim.locator('[data-part="tables"]');
  await expect(tables).toBeVisible();
  await expect(tables.locator('caption').first()).toContainText('0x7f0000001234');
  await expect(tables).toContainText('physical address 0x6234');
  await toggle.click();
  await expect(tables).toBeHidden();

  // A bad address gets a message, never an exception; a good one is walked.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const input = sim.getByLabel(/Walk an address of process/);
  await input.fill('0xffff800000001000');
  await sim.getByRole('button', { name: 'Walk', exact: true }).click();
  await expect(sim.locator('[data-part="walkmsg"]')).toContainText('kernel address');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await input.fill('0x800000000000');
  await input.press('Enter');
  await expect(sim.locator('[data-part="walkmsg"]')).toContainText('not canonical');
  await input.fill('0x7f0000203000');
  await input.press('Enter');
  await expect(sim).toHaveAttribute('data-walk', 'typed');
  await expect(sim.locator('[data-part="walkmsg"]')).toContainText('none of process 0');
  await expect(walkSvg.locator('.mw-phys')).toContainText(/no (PMD|PTE) entry/);
  await sim.getByRole('button', { name: 'Follow the steps' }).click();
  await expect(sim).toHaveAttribute('data-walk', 'step');
  await expect(walkSvg.locator('.mw-phys')).toHaveText(/= 0x6234$/);
  expect(errors).toEqual([]);
});

test('dma-without-pin: the device writes into the freed frame, marked as a lost write', async ({ page }) => {
  await page.goto(LESSON);
  const sim = await widget(page, 'dma-without-pin');
  const slider = sim.locator('[role="slider"]');
  await slider.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
  await expect(sim).toHaveAttribute('data-step', '7');
  // The compaction step: the page moved from pfn 7 to pfn 15.
  await expect(sim.locator('.mm-move text').first()).toHaveText('migrated 7→15');
  await page.keyboard.press('ArrowRight');
  await expect(sim).toHaveAttribute('data-lost', 'true');
  await expect(sim.locator('[data-part="narration"]')).toContainText('the data is lost');
  await expect(sim.locator('.mm-dma-arrow[data-status="freed"] text')).toHaveText('lost write');
  await expect(sim.locator('.mm-frame.mm-lost .mm-marker')).toHaveText('DMA1');
  await expect(sim.locator('[data-part="check"]')).toContainText('The device wrote page 1 into pfn 7');
  await expect(sim.locator('[data-part="driver"]')).toContainText(/look up the pfns of 3 pages.*returned 3/);
  // The shortcut keys step while focus is in the widget (not in the address field).
  await sim.getByRole('button', { name: 'Step back' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(sim).toHaveAttribute('data-step', '9');
  await slider.focus();
  await page.keyboard.press('End');
  await expect(sim).toHaveAttribute('data-finished', 'true');
  await expect(sim.locator('[data-part="check"]')).toContainText('checkPins: 3 problems');
});

test('a shared link opens the memory player of its preset at the step', async ({ page }) => {
  const spec = MM_PRESETS['dma-without-pin'];
  const text = encodeMmShare({ preset: 'dma-without-pin', schedule: spec.schedule, step: 8 });
  await page.goto(`${LESSON}#sim=${text}`);
  const sim = page.locator('mm-sim[data-preset="dma-without-pin"]').first();
  await expect(sim).toHaveAttribute('data-step', '8');
  await expect(sim).toHaveAttribute('data-loaded', 'true');
  await expect(sim.locator('[data-part="narration"]')).toContainText('the data is lost');
  await page.goto(`${LESSON}#sim=mm.1.no-such-preset..0`);
  await expect(page.getByTestId('share-error')).toContainText('“no-such-preset”');
});

test('no layout shift when the diagrams are drawn', async ({ browser }) => {
  for (const width of [1280, 360]) {
    // Hold the diagrams' code back to measure the server-rendered state in the same page (same fonts).
    const ctx = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/views\.[^/]*\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(LESSON);
    const sim = page.locator('mm-sim[data-preset="translate"]').first();
    await sim.scrollIntoViewIfNeeded();
    await expect(sim).toHaveAttribute('data-ready', 'true');
    await expect(sim).toHaveAttribute('data-diagrams', 'pending');
    const stage = sim.locator('[data-part="stage"]');
    // The player has measured its control bar (a ResizeObserver, once the player is rendered:
    // it starts below the fold, in a content-visibility box), which sets the stage's height
    // limit in the frame it is first painted; and the web fonts are in (their swap rewraps words).
    await expect.poll(() => sim.evaluate((e) => (e as HTMLElement).style.getPropertyValue('--sim-bar-h'))).toMatch(/px$/);
    await page.evaluate(async () => {
      await document.fonts.ready;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    });
    const before = await stage.evaluate((e) => e.getBoundingClientRect().height);
    release();
    await expect(sim).toHaveAttribute('data-diagrams', 'loaded');
    const after = await stage.evaluate((e) => e.getBoundingClientRect().height);
    expect(Math.abs(after - before), `at ${width} px: ${before} -> ${after}`).toBeLessThanOrEqual(4);
    await ctx.close();
  }
});

test('reduced motion: a step shows its end state at once', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(LESSON);
  const sim = await widget(page, 'translate');
  await sim.getByRole('button', { name: 'Step forward' }).click();
  // No tween: right after the click every row of the walk is fully drawn and the highlight is on the result.
  const state = await sim.evaluate((el) => {
    const rows = [...el.querySelectorAll<SVGGElement>('.mw-row')].map((r) => getComputedStyle(r).opacity);
    const hl = el.querySelector('.mw-highlight')!.getAttribute('y');
    const phys = el.querySelector('.mw-phys')!;
    return { rows, hl: Number(hl), physY: Number(phys.getAttribute('y')), physOpacity: getComputedStyle(phys).opacity };
  });
  expect(state.rows).toEqual(['1', '1', '1', '1', '1']);
  expect(state.physOpacity).toBe('1');
  expect(state.physY - state.hl).toBeGreaterThan(0);
  expect(state.physY - state.hl).toBeLessThan(30);
});
