import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { serve } from './serve.mjs';
import { CHROMIUM_PATH } from './chromium-args.ts';
import fs from 'node:fs';
const port = 4394;
const server = await serve({ port, quiet: true });
const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
for (const p of process.argv.slice(2)) {
  const r = await lighthouse(`http://127.0.0.1:${port}${p}`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'], formFactor: 'mobile' });
  const a = r!.lhr.audits;
  fs.writeFileSync(`/tmp/lab/lh-${p.replace(/\W+/g, '_')}.json`, JSON.stringify(r!.lhr));
  console.log(p, Math.round(r!.lhr.categories.performance.score! * 100), 'LCP', a['largest-contentful-paint'].displayValue, 'TBT', a['total-blocking-time'].displayValue, 'FCP', a['first-contentful-paint'].displayValue, 'SI', a['speed-index'].displayValue);
  for (const k of ['largest-contentful-paint-element', 'lcp-lazy-loaded']) console.log(k, JSON.stringify(a[k]?.details)?.slice(0, 1200));
  console.log('long-tasks', JSON.stringify((a['long-tasks']?.details as any)?.items?.slice(0, 12)));
  console.log('bootup', JSON.stringify((a['bootup-time']?.details as any)?.items?.slice(0, 8)));
  console.log('mainthread', JSON.stringify((a['mainthread-work-breakdown']?.details as any)?.items));
}
await chrome.kill(); server.close();
