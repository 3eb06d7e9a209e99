/**
 * Offline after the first visit (components/offline/, dist/sw.js from scripts/postbuild.mjs):
 * one visit shows "Available offline"; then, with Playwright's network cut, every page of the
 * site loads from the service worker with all its resources, an exercise still grades, the Lab
 * runs a notebook, and the
 * grading worker still carries its strict CSP (the cached response keeps its headers).
 */
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { sitePages } from '../../scripts/site-pages.ts';
import { WORKER_CSP } from '../../scripts/headers.mjs';
import { runExercise, setExerciseCode, watchRequests } from './helpers';

test.use({ serviceWorkers: 'allow' });

test('after one visit every page loads and an exercise grades with the network cut', async ({ page, context, baseURL }) => {
  test.setTimeout(240_000);
  const requests = watchRequests(page, baseURL!);
  const failed: string[] = [];
  // ERR_ABORTED is a request the page itself dropped (a navigation away, a worker the grader
  // terminates and restarts); a request the offline cache cannot answer fails otherwise.
  // /api/ is the workshop server's live room service (scripts/rooms.mjs), never cached: offline,
  // /present/ and /join/ find it unreachable and say so in the page.
  page.on('requestfailed', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) return;
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto('/');
  const status = page.locator('#offline-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(status).toHaveText('Available offline');

  await context.setOffline(true);
  const pages = sitePages('dist');
  expect(pages.length).toBeGreaterThan(5);
  for (const p of pages) {
    const res = await page.goto(p);
    expect(res?.status(), p).toBe(200);
    expect(res?.fromServiceWorker(), p).toBe(true);
    await expect(page.getByRole('heading', { level: 1 }), p).toBeVisible();
    await page.waitForLoadState('load');
  }
  expect(failed).toEqual([]);

  // The grading worker, served from the cache, keeps its own strict CSP.
  const worker = readdirSync('dist/_astro/workers').find((f) => /^grader\.worker-.*\.js$/.test(f));
  expect(worker).toBeTruthy();
  const csp = await page.evaluate(async (u) => (await fetch(u)).headers.get('content-security-policy'), `/_astro/workers/${worker}`);
  expect(csp).toBe(WORKER_CSP);

  await page.goto('/lessons/pinning-user-pages/');
  await setExerciseCode(page, 'page-span', readFileSync('content/exercises/page-span/solution.ts', 'utf8'));
  const ex = await runExercise(page, 'page-span');
  await expect(ex).toHaveAttribute('data-state', 'passed');
  expect(failed).toEqual([]);

  // The Lab runs its cells offline too: its worker, the reactive runtime and the simulators
  // all come from the cache.
  await page.goto('/lab/');
  await page.evaluate(() => localStorage.setItem('dpl:lab:plain', '1'));
  await page.goto('/lab/?nb=tty-write-atomicity');
  await expect(page.locator('#lab-root')).toHaveAttribute('data-ready', 'true');
  await page.getByRole('button', { name: 'Run all' }).click();
  const cells = page.locator('.lab-cell');
  const count = await cells.count();
  expect(count).toBeGreaterThan(1);
  for (let i = 0; i < count; i++) await expect(cells.nth(i)).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
  expect(failed).toEqual([]);
  expect(requests.foreign()).toEqual([]);
});
