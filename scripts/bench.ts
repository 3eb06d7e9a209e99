/**
 * Benchmarks against DESIGN.md's budgets. Prints figures; does not pass or fail tests.
 *
 *   npm run bench               # builds, then measures
 *   npm run bench -- --no-build # measures the existing dist/
 *   npm run bench -- --explorer # only the explorer figures
 *
 * - build: wall time of `astro build` (budget 60 s);
 * - per page: JavaScript loaded before any interaction, gzip bytes (budget 60 KB), at
 *   phone (412x823) and desktop (1280x800) viewports, with the page left idle;
 * - grading round trip: click "Run tests" -> results shown, median of 15 runs (budget 100 ms);
 * - "Run it on Linux 6.12" panel: bytes fetched after Run, time to the first RESULT line and to
 *   the end of the run (scripts/kernel-image/bench-realkernel.ts);
 * - explorer: states per second on fixed models (budget 300,000 in Node) and the tty
 *   configurations' state counts and times (scripts/bench-explorer.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { serve } from './serve.mjs';
import { sitePages } from './site-pages.ts';
import { benchExplorer } from './bench-explorer.ts';
import { benchRealKernel } from './kernel-image/bench-realkernel.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUDGET_JS = 60 * 1024;
const BUDGET_GRADE_MS = 100;
const BUDGET_BUILD_S = 60;
const CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const mark = (ok: boolean) => (ok ? 'ok' : 'OVER BUDGET');

async function main() {
  if (process.argv.includes('--explorer')) return benchExplorer();
  if (!process.argv.includes('--no-build')) {
    const t0 = performance.now();
    const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('build failed');
    const s = (performance.now() - t0) / 1000;
    console.log(`build: ${s.toFixed(1)} s (budget ${BUDGET_BUILD_S} s: ${mark(s <= BUDGET_BUILD_S)})`);
  }
  const port = 4392;
  const server = await serve({ port, quiet: true });
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROME_ARGS });
  try {
    console.log('\nJavaScript before any interaction (gzip):');
    for (const p of sitePages(path.join(root, 'dist'))) {
      const row: string[] = [];
      for (const [label, viewport] of [['phone', { width: 412, height: 823 }], ['desktop', { width: 1280, height: 800 }]] as const) {
        const ctx = await browser.newContext({ viewport });
        const page = await ctx.newPage();
        let bytes = 0;
        let files = 0;
        const pending: Promise<void>[] = [];
        page.on('response', (res) => {
          const type = res.request().resourceType();
          if (type !== 'script') return;
          pending.push(
            res.body().then(
              (b) => {
                bytes += gzipSync(b).length;
                files++;
              },
              () => {},
            ),
          );
        });
        await page.goto(base + p, { waitUntil: 'networkidle' });
        await page.waitForTimeout(500);
        await Promise.all(pending);
        row.push(`${label} ${kb(bytes)} in ${files} files (${mark(bytes <= BUDGET_JS)})`);
        await ctx.close();
      }
      console.log(`  ${p.padEnd(34)} ${row.join('; ')}`);
    }

    for (const lesson of sitePages(path.join(root, 'dist')).filter((p) => p.startsWith('/lessons/'))) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(base + lesson, { waitUntil: 'networkidle' });
      const measured: { id: string; times: number[] }[] = await page.evaluate(async () => {
        const out: { id: string; times: number[] }[] = [];
        for (const ex of [...document.querySelectorAll('dpl-exercise')] as HTMLElement[]) {
          const btn = ex.querySelector('[data-action="run"]') as HTMLButtonElement;
          const once = () =>
            new Promise<number>((resolve) => {
              const t0 = performance.now();
              const obs = new MutationObserver(() => {
                if (ex.dataset.state === 'passed' || ex.dataset.state === 'failed') {
                  obs.disconnect();
                  resolve(performance.now() - t0);
                }
              });
              obs.observe(ex, { attributes: true, attributeFilter: ['data-state'] });
              btn.click();
            });
          const times: number[] = [];
          for (let i = 0; i < 13; i++) {
            await new Promise((r) => setTimeout(r, 50));
            times.push(await once());
          }
          out.push({ id: ex.dataset.exerciseId ?? '?', times: times.slice(2) });
        }
        return out;
      });
      if (measured.length) console.log(`\ngrading round trip, ${lesson} (click Run tests -> results, starter code, median of 11 after 2 warm-ups):`);
      for (const { id, times } of measured) {
        times.sort((a, b) => a - b);
        const median = times[Math.floor(times.length / 2)];
        console.log(`  ${id.padEnd(20)} median ${median.toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms (budget ${BUDGET_GRADE_MS} ms: ${mark(median <= BUDGET_GRADE_MS)})`);
      }
      await ctx.close();
    }
    await benchRealKernel(browser, base);
  } finally {
    await browser.close();
    server.close();
  }
  benchExplorer();
}

await main();
