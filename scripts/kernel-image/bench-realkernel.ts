/**
 * `npm run bench` figures for the "Run it on Linux 6.12" panel: bytes fetched after pressing
 * Run (on the wire: bodies as sent, compressed where the server compresses, plus headers; and
 * the uncompressed size of the wasm and images the panel reads), time from
 * the click to the first RESULT line and to the end of the run (the panel's data-first-result-ms
 * and data-done-ms), median of `runs` fresh page loads with an empty cache.
 */
import type { Browser } from '@playwright/test';

/** Measures the first panel of `lesson` on the site at `base`; prints one line per run and a median. */
export async function benchRealKernel(browser: Browser, base: string, lesson = '/lessons/tty-write-atomicity/', runs = 3): Promise<void> {
  console.log(`\n"Run it on Linux 6.12" panel, ${lesson} (first panel; fresh context, empty cache):`);
  const firsts: number[] = [];
  const dones: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(base + lesson, { waitUntil: 'networkidle' });
    const panel = page.locator('.rk').first();
    let wire = 0;
    let files = 0;
    const pending: Promise<void>[] = [];
    page.on('requestfinished', (req) => {
      pending.push(
        (async () => {
          const s = await req.sizes();
          wire += s.responseBodySize + s.responseHeadersSize;
          files++;
        })().catch(() => {}),
      );
    });
    await panel.getByRole('button', { name: 'Run it on Linux 6.12' }).click();
    await page.waitForFunction(() => /^(done|failed|error)$/.test(document.querySelector('.rk')?.getAttribute('data-state') ?? ''), null, { timeout: 300_000 });
    await Promise.all(pending);
    const state = await panel.getAttribute('data-state');
    // What the panel reads (uncompressed): v86.wasm and the three images.
    const raw = Object.values(JSON.parse((await panel.getAttribute('data-rk-sizes')) ?? '{}') as Record<string, number>).reduce((a, b) => a + b, 0);
    const first = Number(await panel.getAttribute('data-first-result-ms'));
    const done = Number(await panel.getAttribute('data-done-ms'));
    firsts.push(first);
    dones.push(done);
    console.log(
      `  run ${i + 1}: ${state}; fetched ${(wire / 1e6).toFixed(2)} MB on the wire (wasm and images ${(raw / 1e6).toFixed(2)} MB uncompressed) in ${files} requests; ` +
        `first RESULT ${(first / 1000).toFixed(1)} s, done ${(done / 1000).toFixed(1)} s after the click`,
    );
    await ctx.close();
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(`  median: first RESULT ${(med(firsts) / 1000).toFixed(1)} s, done ${(med(dones) / 1000).toFixed(1)} s (emulated machine; depends on this host's load)`);
}
