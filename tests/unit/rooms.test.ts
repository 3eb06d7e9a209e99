// The follow-along room service (scripts/rooms.mjs) over real HTTP on an ephemeral port.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRoomService, validateState, isRoomCode, newCode } from '../../scripts/rooms.mjs';

type Service = ReturnType<typeof createRoomService>;
let server: http.Server | null = null;
let service: Service | null = null;

async function start(options: Record<string, unknown> = {}): Promise<string> {
  service = createRoomService({ heartbeatMs: 60_000, ...options });
  server = http.createServer((req, res) => {
    if (!service!.handle(req, res)) {
      res.statusCode = 404;
      res.end('static');
    }
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  service?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
  }
  server = null;
  service = null;
});

const post = (url: string, body: unknown, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Reads SSE events from a stream until `want` of them arrived; returns them parsed. */
async function readEvents(res: Response, want: number): Promise<{ event: string; data: any }[]> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const out: { event: string; data: any }[] = [];
  while (out.length < want) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev && data) out.push({ event: ev, data: JSON.parse(data) });
    }
  }
  reader.cancel().catch(() => {});
  return out;
}

const STATE = { lesson: '/lessons/tty-atomicity/', section: 'the-lock', scroll: 0.25, player: 'tty-1', step: 3, hash: '#sim=tty.abc' };

describe('room codes and states', () => {
  it('makes codes of the documented shape and rejects others', () => {
    for (let i = 0; i < 50; i++) expect(isRoomCode(newCode())).toBe(true);
    expect(isRoomCode('abcdef')).toBe(false);
    expect(isRoomCode('ABCDE0')).toBe(false);
    expect(isRoomCode('ABCDEFG')).toBe(false);
  });
  it('keeps only known fields of a valid state', () => {
    expect(validateState({ ...STATE, extra: 'x' })).toEqual(STATE);
  });
  it.each([
    [null, 'JSON object'],
    [{ lesson: 'http://evil/' }, 'state.lesson'],
    [{ lesson: '/lessons/../x' }, 'state.lesson'],
    [{ lesson: '/a/', section: '<img>' }, 'state.section'],
    [{ lesson: '/a/', scroll: 2 }, 'state.scroll'],
    [{ lesson: '/a/', step: 1.5 }, 'state.step'],
    [{ lesson: '/a/', hash: '#top' }, 'state.hash'],
    [{ lesson: '/a/', player: 5 }, 'state.player'],
  ])('rejects %j naming %s', (s, field) => {
    expect(() => validateState(s)).toThrow(field);
  });
});

describe('room service over HTTP', () => {
  it('answers ping with the join URLs', async () => {
    const base = await start({ lanUrls: () => ['http://10.0.0.5:4321'] });
    const r = await fetch(`${base}/api/rooms/ping`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, urls: ['http://10.0.0.5:4321'] });
  });

  it('creates a room, sends the current state on connect and every later change', async () => {
    const base = await start();
    const created = await post(`${base}/api/rooms`, {});
    expect(created.status).toBe(201);
    const { code, key } = await created.json();
    expect(isRoomCode(code)).toBe(true);
    expect((await post(`${base}/api/rooms/${code}/state`, { key, state: STATE })).status).toBe(200);

    const stream = await fetch(`${base}/api/rooms/${code}/events`);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const pending = readEvents(stream, 4); // state, count, (coalesced count), state
    // Wait until the service counts the follower before publishing the change.
    await expect.poll(() => service!.stats().clients).toBe(1);
    await post(`${base}/api/rooms/${code}/state`, { key, state: { ...STATE, step: 4 } });
    const events = await pending;
    const states = events.filter((e) => e.event === 'state').map((e) => e.data);
    expect(states[0]).toEqual({ ...STATE, v: 1 });
    expect(states[1]).toEqual({ ...STATE, step: 4, v: 2 });
    expect(events.find((e) => e.event === 'count')!.data.learners).toBe(1);
  });

  it('keeps only the latest state (no history)', async () => {
    const base = await start();
    const { code, key } = await (await post(`${base}/api/rooms`, {})).json();
    for (let step = 0; step < 20; step++) await post(`${base}/api/rooms/${code}/state`, { key, state: { ...STATE, step } });
    const room = service!.rooms.get(code)!;
    expect((room.state as { step: number }).step).toBe(19);
    expect(Object.keys(room)).not.toContain('history');
  });

  it('gives clear 4xx JSON errors for bad input and keeps serving', async () => {
    const base = await start({ maxBody: 512 });
    const { code, key } = await (await post(`${base}/api/rooms`, {})).json();
    const cases: [Promise<Response>, number, RegExp][] = [
      [fetch(`${base}/api/rooms/ZZZZZZ/events`), 404, /no room ZZZZZZ/],
      [fetch(`${base}/api/rooms/bad!/events`), 400, /not a room code/],
      [post(`${base}/api/rooms/${code}/state`, { key: 'wrong', state: STATE }), 403, /Only the presenter/],
      [post(`${base}/api/rooms/${code}/state`, '{not json'), 400, /not valid JSON/],
      [post(`${base}/api/rooms/${code}/state`, 'x', 'text/plain'), 415, /application\/json/],
      [post(`${base}/api/rooms/${code}/state`, { key, state: { lesson: 5 } }), 400, /state.lesson/],
      [post(`${base}/api/rooms/${code}/state`, { key, state: STATE, pad: 'x'.repeat(2000) }), 413, /larger than 512/],
      [post(`${base}/api/rooms/${code}/passed`, { learner: 'x', exercises: [] }), 400, /learner/],
      [fetch(`${base}/api/rooms/${code}/nothing`), 404, /Unknown room endpoint/],
      [fetch(`${base}/api/rooms`), 405, /POST/],
    ];
    for (const [p, status, msg] of cases) {
      const r = await p;
      expect(r.status).toBe(status);
      expect((await r.json()).error).toMatch(msg);
    }
    expect((await fetch(`${base}/api/rooms/ping`)).status).toBe(200);
  });

  it('caps connections per address and per room', async () => {
    const base = await start({ maxPerAddress: 2, maxPerRoom: 3 });
    const { code } = await (await post(`${base}/api/rooms`, {})).json();
    const a = await fetch(`${base}/api/rooms/${code}/events`);
    const b = await fetch(`${base}/api/rooms/${code}/events`);
    const c = await fetch(`${base}/api/rooms/${code}/events`);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(c.status).toBe(429);
    expect((await c.json()).error).toMatch(/from this address/);
    await a.body!.cancel();
    await expect.poll(() => service!.stats().clients).toBe(1);
    const d = await fetch(`${base}/api/rooms/${code}/events`);
    expect(d.status).toBe(200);
    await b.body!.cancel();
    await d.body!.cancel();
  });

  it('limits a flood of requests from one address with 429', async () => {
    const base = await start({ burst: 5, ratePerSec: 0.001 });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await post(`${base}/api/rooms`, {})).status);
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });

  it('counts passed exercises per room without names, one per learner', async () => {
    const base = await start();
    const { code } = await (await post(`${base}/api/rooms`, {})).json();
    await post(`${base}/api/rooms/${code}/passed`, { learner: 'learner-aaaa', exercises: ['ex-1', 'ex-2'] });
    await post(`${base}/api/rooms/${code}/passed`, { learner: 'learner-aaaa', exercises: ['ex-1', 'ex-2'] });
    await post(`${base}/api/rooms/${code}/passed`, { learner: 'learner-bbbb', exercises: ['ex-1'] });
    const events = await readEvents(await fetch(`${base}/api/rooms/${code}/events?role=presenter`), 1);
    expect(events[0]).toEqual({ event: 'count', data: { learners: 0, passed: { 'ex-1': 2, 'ex-2': 1 } } });
  });
});
