/**
 * Load test of the follow-along rooms (not part of `npm test`):
 *   npx node scripts/room-load.mjs [followers=200] [changes=100]
 * Starts `scripts/serve.mjs` as a child process on a free port (ROOM_MAX_PER_ADDRESS raised,
 * since every simulated follower comes from 127.0.0.1), creates one room, opens `followers`
 * SSE streams, has the presenter publish `changes` step changes, and checks that every follower
 * received every change, in order. Prints latency figures and the server's resident memory
 * (VmRSS from /proc/<pid>/status, Linux) before, at peak and after a second round, so a leak
 * shows as growth between rounds. Exits 1 if any follower missed a change.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FOLLOWERS = Number(process.argv[2] ?? 200);
const CHANGES = Number(process.argv[3] ?? 100);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function request(port, method, pathname, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, agent, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** One SSE follower: records the step of every `state` event and when it arrived. */
function follow(port, code) {
  return new Promise((resolve, reject) => {
    const f = { steps: [], at: [], res: null };
    const req = http.get({ host: '127.0.0.1', port, path: `/api/rooms/${code}/events`, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`follower got HTTP ${res.statusCode}`));
      f.res = res;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!block.startsWith('event: state')) continue;
          const data = JSON.parse(block.slice(block.indexOf('data: ') + 6));
          f.steps.push(data.step);
          f.at.push(performance.now());
        }
      });
      resolve(f);
    });
    req.on('error', reject);
  });
}

async function round(port, code, key, offset, followers) {
  const sent = [];
  for (let k = 0; k < CHANGES; k++) {
    const step = offset + k;
    sent.push(performance.now());
    const r = await request(port, 'POST', `/api/rooms/${code}/state`, { key, state: { lesson: '/lessons/tty-write-atomicity/', section: 'intro', scroll: 0, player: 'tty-1', step, hash: null } });
    if (r.status !== 200) throw new Error(`publish ${k}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }
  // Wait (on state, bounded) until every follower has the last change.
  const last = offset + CHANGES - 1;
  const deadline = performance.now() + 30_000;
  while (followers.some((f) => f.steps.at(-1) !== last) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  let complete = 0;
  const lat = [];
  for (const f of followers) {
    const got = f.steps.filter((s) => s >= offset && s <= last);
    if (got.length === CHANGES && got.every((s, i) => s === offset + i)) complete++;
    for (let i = 0; i < CHANGES; i++) {
      const j = f.steps.indexOf(offset + i);
      if (j >= 0) lat.push(f.at[j] - sent[i]);
    }
  }
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]?.toFixed(1);
  return { complete, deliveries: lat.length, p50: pct(0.5), p99: pct(0.99), max: lat.at(-1)?.toFixed(1) };
}

const port = await freePort();
const child = spawn(process.execPath, [path.join(root, 'scripts/serve.mjs')], { env: { ...process.env, PORT: String(port), ROOM_MAX_PER_ADDRESS: String(FOLLOWERS + 10) }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => child.stdout.once('data', resolve));
let failed = false;
try {
  const rss0 = rssKb(child.pid);
  const { body } = await request(port, 'POST', '/api/rooms', {});
  const { code, key } = body;
  const followers = await Promise.all(Array.from({ length: FOLLOWERS }, () => follow(port, code)));
  const rssConnected = rssKb(child.pid);
  const r1 = await round(port, code, key, 0, followers);
  const rss1 = rssKb(child.pid);
  const r2 = await round(port, code, key, CHANGES, followers);
  const rss2 = rssKb(child.pid);
  for (const f of followers) f.res.destroy();
  console.log(`room-load: ${FOLLOWERS} SSE followers on one room, presenter publishes ${CHANGES} step changes, two rounds`);
  for (const [name, r] of [['round 1', r1], ['round 2', r2]]) {
    console.log(`  ${name}: ${r.complete}/${FOLLOWERS} followers received all ${CHANGES} changes in order; ${r.deliveries} deliveries; latency publish->receive ms p50 ${r.p50}, p99 ${r.p99}, max ${r.max}`);
    if (r.complete !== FOLLOWERS) failed = true;
  }
  console.log(`  server RSS (MB): idle ${(rss0 / 1024).toFixed(1)}, ${FOLLOWERS} connected ${(rssConnected / 1024).toFixed(1)}, after round 1 ${(rss1 / 1024).toFixed(1)}, after round 2 ${(rss2 / 1024).toFixed(1)}`);
  console.log(`  growth round 1 -> round 2: ${((rss2 - rss1) / 1024).toFixed(1)} MB (the room keeps only its latest state)`);
} catch (e) {
  console.error('room-load failed:', e.message);
  failed = true;
} finally {
  child.kill('SIGTERM');
  agent.destroy();
}
process.exit(failed ? 1 : 0);
