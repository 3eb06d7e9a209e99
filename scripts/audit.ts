/**
 * Lighthouse (mobile) on every page of the built site, plus a check that no page makes a
 * request to another origin. Prints figures against DESIGN.md's budgets
 * (performance >= 98, accessibility 100, zero foreign requests).
 *
 *   npm run build && npm run audit              every page
 *   npm run audit -- /lessons/dma-ownership/    only the pages named
 *   npm run audit -- --why /present/            and, per page, what costs: the LCP element and
 *                                               its parts, the long main-thread tasks (ms, of the
 *                                               simulated 4x slower CPU) and whose they are,
 *                                               render-blocking requests
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { serve } from './serve.mjs';
import { CHROMIUM_PATH } from './chromium-args.ts';
import { sitePages } from './site-pages.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const why = process.argv.includes('--why');

type Table = { items?: Record<string, unknown>[] };

/** Prints what a page's performance score is made of (`--why`); figures from Lighthouse's own audits. */
function explain(lhr: { audits: Record<string, { details?: unknown; displayValue?: string }> }): void {
  const a = lhr.audits;
  const lcp = (a['lcp-breakdown-insight']?.details as { items?: ({ items?: { label: string; duration: number }[] } & { nodeLabel?: string; selector?: string })[] } | undefined)?.items ?? [];
  const node = lcp.find((i) => i.selector);
  if (node) console.log(`  LCP element: ${node.selector} ("${String(node.nodeLabel).slice(0, 60)}")`);
  for (const part of lcp.find((i) => i.items)?.items ?? []) console.log(`    ${part.label}: ${Math.round(part.duration)} ms`);
  const tasks = ((a['long-tasks']?.details as Table | undefined)?.items ?? []) as { url: string; duration: number; startTime: number }[];
  for (const t of tasks.slice(0, 10)) console.log(`  long task ${Math.round(t.duration)} ms at ${Math.round(t.startTime)} ms: ${t.url.replace(/^https?:\/\/[^/]+/, '')}`);
  const blocking = ((a['render-blocking-insight']?.details as Table | undefined)?.items ?? []) as { url: string; totalBytes: number; wastedMs: number }[];
  for (const b of blocking) console.log(`  render-blocking: ${b.url.replace(/^https?:\/\/[^/]+/, '')} (${b.totalBytes} bytes, ${Math.round(b.wastedMs)} ms)`);
}

async function main() {
  const port = 4393;
  const server = await serve({ port, quiet: true });
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM_PATH,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let worst = { perf: 100, a11y: 100, foreign: 0 };
  try {
    const only = process.argv.slice(2).filter((a) => a.startsWith('/'));
    for (const p of sitePages(path.join(root, 'dist')).filter((x) => only.length === 0 || only.includes(x))) {
      const url = `http://127.0.0.1:${port}${p}`;
      const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'], formFactor: 'mobile' });
      if (!result) throw new Error(`lighthouse returned nothing for ${p}`);
      const lhr = result.lhr;
      const perf = Math.round((lhr.categories.performance.score ?? 0) * 100);
      const a11y = Math.round((lhr.categories.accessibility.score ?? 0) * 100);
      const items = ((lhr.audits['network-requests']?.details as { items?: { url: string }[] } | undefined)?.items ?? []).map((i) => i.url);
      const foreign = items.filter((u) => !u.startsWith(`http://127.0.0.1:${port}`) && !u.startsWith('data:') && !u.startsWith('blob:'));
      const lcp = lhr.audits['largest-contentful-paint']?.displayValue ?? '?';
      const tbt = lhr.audits['total-blocking-time']?.displayValue ?? '?';
      const cls = lhr.audits['cumulative-layout-shift']?.displayValue ?? '?';
      console.log(`${p.padEnd(34)} performance ${perf} (LCP ${lcp}, TBT ${tbt}, CLS ${cls}), accessibility ${a11y}, requests ${items.length}, to other origins ${foreign.length}${foreign.length ? `: ${foreign.join(', ')}` : ''}`);
      if (why) explain(lhr);
      worst = { perf: Math.min(worst.perf, perf), a11y: Math.min(worst.a11y, a11y), foreign: worst.foreign + foreign.length };
    }
  } finally {
    await chrome.kill();
    server.close();
  }
  const ok = worst.perf >= 98 && worst.a11y === 100 && worst.foreign === 0;
  console.log(`\nworst: performance ${worst.perf} (budget >= 98), accessibility ${worst.a11y} (budget 100), foreign requests ${worst.foreign} (budget 0): ${ok ? 'within budget' : 'OVER BUDGET'}`);
}

await main();
