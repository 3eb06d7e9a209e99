/**
 * `npm run pack`: the archive unpacks to a directory whose serve.mjs, run by plain Node with
 * no node_modules, serves a lesson with the site's headers (the worker CSP on grading workers).
 * Uses a small stand-in build so the test does not need `npm run build`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { pack } from './pack.mjs';
import { WORKER_CSP, SITE_CSP, ISOLATED_CSP } from './headers.mjs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dpl-pack-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeDist(): string {
  const dist = path.join(tmp, 'dist');
  const lesson = '<!doctype html><title>Pinning</title><h1>Pinning user pages</h1>' + '<p>pin_user_pages_fast</p>'.repeat(100);
  for (const [rel, text] of [
    ['index.html', '<!doctype html><title>Home</title>'],
    ['lessons/pinning/index.html', lesson],
    ['_astro/workers/grade.abc123.js', 'self.onmessage = () => {};'],
    ['sw.js', '/* sw */'],
  ]) {
    mkdirSync(path.dirname(path.join(dist, rel)), { recursive: true });
    writeFileSync(path.join(dist, rel), text);
  }
  writeFileSync(path.join(dist, 'lessons/pinning/index.html.gz'), gzipSync(lesson));
  return dist;
}

/** Starts the unpacked serve.mjs on a free port; resolves to its base URL and the child. */
function start(dir: string): Promise<{ base: string; stop: () => void }> {
  const child = spawn(process.execPath, ['serve.mjs'], { cwd: dir, env: { ...process.env, PORT: '0', NODE_PATH: '' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve({ base: `http://127.0.0.1:${m[1]}`, stop: () => child.kill() });
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
}

describe('npm run pack', () => {
  it('writes one archive whose serve.mjs serves a lesson with the site headers', async () => {
    const out = path.join(tmp, 'dpl.tar.gz');
    const size = pack({ dist: fakeDist(), out });
    expect(size).toBeGreaterThan(0);
    const unpacked = path.join(tmp, 'usb');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', out, '-C', unpacked]);
    expect(readdirSync(unpacked)).toEqual(['data-path-lab']);
    const dir = path.join(unpacked, 'data-path-lab');
    expect(readdirSync(dir).sort()).toEqual(['README.txt', 'headers.mjs', 'package.json', 'serve.mjs', 'site']);
    const { base, stop } = await start(dir);
    try {
      const lesson = await fetch(`${base}/lessons/pinning/`);
      expect(lesson.status).toBe(200);
      expect(lesson.headers.get('content-type')).toMatch(/^text\/html/);
      // Lessons offer the Node.js terminal: cross-origin isolated, and their CSP allows its one service.
      expect(lesson.headers.get('content-security-policy')).toBe(ISOLATED_CSP);
      expect(lesson.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(lesson.headers.get('cross-origin-embedder-policy')).toBe('credentialless');
      const home = await fetch(`${base}/`);
      expect(home.headers.get('content-security-policy')).toBe(SITE_CSP);
      expect(home.headers.get('cross-origin-embedder-policy')).toBeNull();
      expect(await lesson.text()).toContain('pin_user_pages_fast');
      const gz = await fetch(`${base}/lessons/pinning/index.html`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      const worker = await fetch(`${base}/_astro/workers/grade.abc123.js`);
      expect(worker.headers.get('content-security-policy')).toBe(WORKER_CSP);
      expect(worker.headers.get('cross-origin-embedder-policy')).toBe('credentialless');
      expect(worker.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect((await fetch(`${base}/sw.js`)).headers.get('cache-control')).toBe('no-cache');
      expect((await fetch(`${base}/nope/`)).status).toBe(404);
      expect((await fetch(`${base}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
      expect((await fetch(`${base}/%E0%A4%A`)).status).toBe(404);
      expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    } finally {
      stop();
    }
  });

  it('refuses to pack a directory with no build', () => {
    expect(() => pack({ dist: path.join(tmp, 'empty'), out: path.join(tmp, 'x.tar.gz') })).toThrow(/npm run build/);
  });
});
