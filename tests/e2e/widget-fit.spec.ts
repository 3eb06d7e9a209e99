/**
 * Players that fit on a screen (issue 12): for every player on every lesson page, at
 * 1280x800 and on a 375x740 phone, once its stage is scrolled just under the site header, the
 * figure shown (or the tables, in a player without drawings), the narration, the step buttons
 * and the scrubber are all inside the window at once: the control bar sticks to the bottom
 * and the drawing is limited to the height above it. On the phone, the drawing's text is at
 * least 11 px as drawn (after the SVG's scaling), and nothing makes the page scroll sideways
 * (a wide drawing scrolls in its own box; tests/e2e/a11y.spec.ts checks that the keyboard
 * reaches it).
 */
import { expect, test, type Page } from '@playwright/test';
import { uncover } from './helpers';

const LESSONS = ['tty-write-atomicity', 'pinning-user-pages', 'scatter-gather-iommu', 'dma-ownership', 'uio-user-space-dma', 'capstone-daq-driver', 'side-questions'];

interface Fit {
  id: string;
  problems: string[];
  /** Text elements drawn in the player's diagrams (counted on phones only). */
  texts: number;
}

/** The smallest text a phone may draw in a diagram, in CSS px. */
const MIN_PHONE_TEXT_PX = 11;

/**
 * Scrolls the player's stage under the header and measures what is inside the window; with
 * `minTextPx`, also the size of every diagram text drawn (px after the SVG's scaling).
 */
async function measure(page: Page, id: string, minTextPx?: number): Promise<Fit> {
  return page.evaluate(async ({ id, minTextPx }) => {
    const host = document.getElementById(id)!;
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const header = document.querySelector('.site-header')?.getBoundingClientRect().bottom ?? 0;
    const stage = host.querySelector<HTMLElement>('[data-part="stage"]')!;
    // Twice: players above may change height as they render (content-visibility).
    for (let i = 0; i < 3; i++) {
      window.scrollTo(0, stage.getBoundingClientRect().top + window.scrollY - header - 4);
      await frame();
    }
    const problems: string[] = [];
    const vh = window.innerHeight;
    const bar = host.querySelector<HTMLElement>('[data-part="bar"]')!.getBoundingClientRect();
    const inWindow = (name: string, r: DOMRect, bottom = vh) => {
      if (r.height === 0) problems.push(`${name} is not shown`);
      else if (r.top < header - 1 || r.bottom > bottom + 1) problems.push(`${name} ${Math.round(r.top)}..${Math.round(r.bottom)} is outside ${Math.round(header)}..${Math.round(bottom)}`);
    };
    const figure = host.querySelector<HTMLElement>('[data-part="views"] > figure[data-figure]:not([hidden])');
    const shown = figure && figure.getBoundingClientRect().height > 0 ? figure : host.querySelector<HTMLElement>('[data-part="tables"]')!;
    // The drawing itself (its scroll box on phones), not the legend under it.
    const drawing = shown.querySelector<HTMLElement>('.sim-zoom') ?? shown;
    inWindow(figure ? `figure "${figure.dataset.figure}"` : 'tables', drawing.getBoundingClientRect(), bar.top);
    for (const part of ['narration', 'play', 'forward', 'back', 'slider']) inWindow(part, host.querySelector(`[data-part="${part}"]`)!.getBoundingClientRect());
    let texts = 0;
    if (minTextPx !== undefined) {
      for (const t of host.querySelectorAll<SVGTextElement>('svg text')) {
        if (!t.textContent?.trim() || t.getBoundingClientRect().width === 0) continue;
        const m = t.getScreenCTM()!;
        const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
        texts++;
        if (px < minTextPx - 0.01) problems.push(`text "${t.textContent.trim().slice(0, 30)}" is drawn at ${px.toFixed(1)} px`);
      }
    }
    return { id, problems: [...new Set(problems)].slice(0, 5), texts };
  }, { id, minTextPx });
}

for (const [w, h] of [
  [1280, 800],
  [375, 740],
]) {
  test.describe(`${w}x${h}`, () => {
    test.use({ viewport: { width: w, height: h } });
    for (const slug of LESSONS) {
      test(`every player of ${slug} shows its controls, narration and diagram in one screen`, async ({ page }) => {
        await page.goto(`/lessons/${slug}/`);
        const players = page.locator('.sim-host[data-model]');
        // Every player a reader can see (the Prove-it panel's own player stays hidden until it shows a run).
        const ids = await players.evaluateAll((els) => els.filter((e) => !e.closest('[hidden]')).map((e) => e.id));
        expect(ids.length).toBeGreaterThan(0);
        const phone = w < 600;
        const bad: Fit[] = [];
        let texts = 0;
        for (const id of ids) {
          const player = page.locator(`#${id}`);
          await uncover(player);
          await player.evaluate((e) => e.scrollIntoView());
          await expect(player).toHaveAttribute('data-ready', 'true');
          await expect(player).not.toHaveAttribute('data-diagrams', 'pending', { timeout: 20_000 });
          const fit = await measure(page, id, phone ? MIN_PHONE_TEXT_PX : undefined);
          texts += fit.texts;
          if (fit.problems.length) bad.push(fit);
        }
        expect(bad).toEqual([]);
        if (phone) {
          // The text check saw drawings (a selector that matched nothing would pass it).
          expect(texts).toBeGreaterThan(5 * ids.length);
          expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        }
      });
    }
    // The Lab shows a cell's run in the same player, inside the narrower output column.
    for (const nb of ['tty-write-atomicity', 'scatter-gather-iommu']) {
      test(`the Lab's player of the ${nb} starter notebook shows its controls, narration and diagram in one screen`, async ({ page }) => {
        await page.goto('/lab/');
        await page.evaluate(() => {
          localStorage.clear();
          localStorage.setItem('dpl:lab:plain', '1');
        });
        await page.goto(`/lab/?nb=${nb}`);
        await expect(page.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
        await page.getByRole('button', { name: 'Run all' }).click();
        const player = page.locator('.lab-run[data-player="ready"] .sim-host[data-model]').first();
        await expect(player).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
        await player.evaluate((e) => e.scrollIntoView());
        await expect(player).not.toHaveAttribute('data-diagrams', 'pending', { timeout: 20_000 });
        const fit = await measure(page, (await player.getAttribute('id'))!);
        expect(fit.problems).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      });
    }
  });
}
