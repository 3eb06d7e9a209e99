import { afterEach, describe, expect, it, vi } from 'vitest';
import { replay } from '../../sims/core/model.ts';
import { ttyModel } from '../../sims/tty/index.ts';
import type { TtyParams } from '../../sims/tty/index.ts';
import { ExplorerClient } from './client.ts';
import { createExplorerHost } from './host.ts';
import { isFromExplorer, isToExplorer, type ExploreRequest, type ExploreRequestOptions, type FromExplorer } from './protocol.ts';

const w = (size: number, nonblock = false, signal = false) => ({ size, nonblock, signal });
const base = { chunkSize: 4, xmitSize: 8, pipeBuf: 4, pipeSlots: 2, baud: 230400, drainBytes: 2 };
const blocking: TtyParams = { variant: 'kernel', writers: [w(8), w(8)], ...base };
const long: TtyParams = { variant: 'kernel', writers: [w(16, false, true), w(16, false, true), w(16, false, true)], ...base };
const opts: ExploreRequestOptions = { preemptionBound: null, reduction: 'sleep-sets', maxStates: 500_000, maxTimeMs: 60_000 };
const req = (id: number, params: TtyParams, property: 'atomic-write' | 'no-interleaving' = 'atomic-write', o = opts): ExploreRequest => ({ id, type: 'explore', model: 'tty', params, property, options: o });

/** A host with a manual event loop. */
function harness(sliceMs = 50) {
  const posted: FromExplorer[] = [];
  const queue: (() => void)[] = [];
  const host = createExplorerHost({ post: (m) => posted.push(m), defer: (fn) => queue.push(fn), sliceMs });
  const tick = () => queue.shift()?.();
  const drain = (max = 1e6) => {
    for (let i = 0; i < max && queue.length; i++) tick();
  };
  return { host, posted, queue, tick, drain };
}

describe('explorer host (the worker side)', () => {
  it('proves the blocking configuration, with counts, after progress', () => {
    const h = harness();
    expect(h.host.handle(req(1, blocking))).toBe(true);
    expect(h.posted).toEqual([]); // nothing before the first slice: the worker yields first
    h.drain();
    const last = h.posted[h.posted.length - 1];
    expect(last).toMatchObject({ id: 1, type: 'result', result: { verdict: 'proved', stats: { states: 147, transitions: 194, schedules: 312 } } });
    expect(h.posted.every(isFromExplorer)).toBe(true);
    expect(h.host.running).toBeNull();
  });

  it('finds a counterexample that replays (O_NONBLOCK)', () => {
    const h = harness();
    h.host.handle(req(2, { ...blocking, writers: [w(8), w(8, true)] }));
    h.drain();
    const last = h.posted[h.posted.length - 1];
    if (last.type !== 'result' || last.result.verdict !== 'counterexample') throw new Error(`expected a counterexample, got ${JSON.stringify(last)}`);
    expect(last.result.message).toMatch(/EAGAIN/);
    const states = replay(ttyModel, { ...blocking, writers: [w(8), w(8, true)] }, 1, last.result.schedule);
    expect(states[states.length - 1].writers[1].errno).toBe('EAGAIN');
  });

  it('posts progress between slices and answers cancel with the incomplete result', () => {
    const h = harness(1);
    h.host.handle(req(3, long, 'no-interleaving'));
    h.tick();
    h.tick();
    const progress = h.posted.filter((m) => m.type === 'progress');
    expect(progress.length).toBe(2);
    expect(progress[1].type === 'progress' && progress[1].progress.states).toBeGreaterThan(0);
    h.host.handle({ id: 3, type: 'cancel' });
    const last = h.posted[h.posted.length - 1];
    expect(last).toMatchObject({ id: 3, type: 'result', result: { verdict: 'incomplete', reason: 'cancelled' } });
    const n = h.posted.length;
    h.drain();
    expect(h.posted.length).toBe(n); // the pending slice does nothing
  });

  it('a new search replaces the one in flight, which answers cancelled', () => {
    const h = harness(1);
    h.host.handle(req(4, long, 'no-interleaving'));
    h.tick();
    h.host.handle(req(5, blocking));
    expect(h.posted[h.posted.length - 1]).toMatchObject({ id: 4, type: 'result', result: { verdict: 'incomplete', reason: 'cancelled' } });
    h.drain();
    expect(h.posted[h.posted.length - 1]).toMatchObject({ id: 5, type: 'result', result: { verdict: 'proved' } });
    expect(h.posted.filter((m) => m.id === 4 && m.type === 'result')).toHaveLength(1);
  });

  it('stops at the state limit with what was covered', () => {
    const h = harness();
    h.host.handle(req(6, long, 'no-interleaving', { ...opts, maxStates: 1000 }));
    h.drain();
    expect(h.posted[h.posted.length - 1]).toMatchObject({ id: 6, type: 'result', result: { verdict: 'incomplete', reason: 'states', stats: { states: 1000 } } });
  });

  it('answers invalid parameters with the model’s message, and ignores malformed messages', () => {
    const h = harness();
    h.host.handle(req(7, { ...blocking, xmitSize: 12 }));
    expect(h.posted).toEqual([{ id: 7, type: 'error', message: expect.stringMatching(/xmitSize must be a power of two/) }]);
    expect(h.host.handle({ type: 'explore' })).toBe(false);
    expect(h.host.handle(null)).toBe(false);
    expect(h.host.handle({ id: 8, type: 'explore', model: 'dma', params: {}, property: 'x', options: opts })).toBe(false);
    expect(h.host.handle({ id: 99, type: 'cancel' })).toBe(true); // nothing to cancel: no reply
    expect(h.posted).toHaveLength(1);
  });
});

describe('protocol guards', () => {
  it('accept what the host posts and reject near misses', () => {
    expect(isToExplorer(req(1, blocking))).toBe(true);
    expect(isToExplorer({ ...req(1, blocking), options: { ...opts, preemptionBound: -1 } })).toBe(false);
    expect(isFromExplorer({ id: 1, type: 'progress', progress: { states: 1, transitions: 1, depth: 1, elapsedMs: 1, phase: 'search' } })).toBe(true);
    expect(isFromExplorer({ id: 1, type: 'progress', progress: { states: -1, transitions: 1, depth: 1, elapsedMs: 1, phase: 'search' } })).toBe(false);
    expect(isFromExplorer({ id: 1, type: 'result', result: { verdict: 'counterexample', schedule: [{ kind: 'jump' }], invariant: 'x', message: 'y', stats: {} } })).toBe(false);
    expect(isFromExplorer({ id: '1', type: 'error', message: 'x' })).toBe(false);
    expect(isFromExplorer({ id: 1, type: 'timeout' })).toBe(false);
  });
});

/** A Worker stand-in that runs the real host on a manual loop, or stays mute. */
class FakeWorker {
  onmessage: ((ev: MessageEvent<unknown>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  sent: unknown[] = [];
  private h: ReturnType<typeof harness>;
  constructor(
    private mute = false,
    sliceMs = 1,
  ) {
    this.h = harness(sliceMs);
  }
  postMessage(m: unknown) {
    this.sent.push(structuredClone(m));
    if (!this.mute) this.h.host.handle(structuredClone(m));
    this.flush();
  }
  terminate() {
    this.terminated = true;
  }
  /** Delivers what the host posted so far to the page. */
  flush() {
    for (const m of this.h.posted.splice(0)) this.emit(m);
  }
  emit(data: unknown) {
    if (!this.terminated) this.onmessage?.({ data } as MessageEvent<unknown>);
  }
  tick(n = 1) {
    for (let i = 0; i < n; i++) this.h.tick();
    this.flush();
  }
  drain() {
    this.h.drain();
    this.flush();
  }
}

describe('explorer client (the page side)', () => {
  afterEach(() => vi.useRealTimers());

  it('reports progress and settles with the result; stale and malformed messages are ignored', async () => {
    const fake = new FakeWorker(false, 0.001);
    const client = new ExplorerClient(() => fake as unknown as Worker);
    const seen: number[] = [];
    const run = client.explore(long, 'no-interleaving', { ...opts, maxStates: 3000 }, (p) => seen.push(p.states));
    fake.emit({ id: run.id + 100, type: 'result', result: { verdict: 'proved', stats: { states: 1, transitions: 1, schedules: 1, maxDepth: 1, elapsedMs: 1 } } });
    fake.emit({ id: run.id, type: 'result', result: { verdict: 'maybe' } });
    fake.emit('hello');
    fake.drain();
    const out = await run.done;
    expect(out).toMatchObject({ type: 'result', result: { verdict: 'incomplete', reason: 'states' } });
    expect(seen.length).toBeGreaterThan(0);
    expect(fake.sent).toEqual([expect.objectContaining({ id: run.id, type: 'explore', model: 'tty', property: 'no-interleaving' })]);
  });

  it('cancel: the worker answers, the worker is kept', async () => {
    const fake = new FakeWorker();
    let made = 0;
    const client = new ExplorerClient(() => (made++, fake as unknown as Worker));
    const run = client.explore(long, 'no-interleaving', opts);
    fake.tick(2);
    run.cancel();
    const out = await run.done;
    expect(out).toMatchObject({ type: 'result', result: { verdict: 'incomplete', reason: 'cancelled' } });
    expect(out.type === 'result' && out.forced).toBeFalsy();
    expect(fake.terminated).toBe(false);
    const again = client.explore(blocking, 'atomic-write', opts);
    fake.drain();
    expect(await again.done).toMatchObject({ result: { verdict: 'proved' } });
    expect(made).toBe(1);
  });

  it('cancel: a worker that does not answer within 500 ms is terminated', async () => {
    vi.useFakeTimers();
    const mute = new FakeWorker(true);
    const client = new ExplorerClient(() => mute as unknown as Worker);
    const run = client.explore(long, 'no-interleaving', opts);
    mute.emit({ id: run.id, type: 'progress', progress: { states: 42, transitions: 50, depth: 7, elapsedMs: 120, phase: 'search' } });
    run.cancel();
    vi.advanceTimersByTime(499);
    expect(mute.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(mute.terminated).toBe(true);
    const out = await run.done;
    expect(out).toMatchObject({ type: 'result', forced: true, result: { verdict: 'incomplete', reason: 'cancelled', stats: { states: 42, transitions: 50, maxDepth: 7 } } });
  });

  it('a worker that falls silent or crashes settles with an error', async () => {
    vi.useFakeTimers();
    const mute = new FakeWorker(true);
    const client = new ExplorerClient(() => mute as unknown as Worker, { silenceMs: 1000 });
    const run = client.explore(blocking, 'atomic-write', opts);
    vi.advanceTimersByTime(1000);
    expect(await run.done).toMatchObject({ type: 'error', message: expect.stringMatching(/stopped responding/) });
    expect(mute.terminated).toBe(true);

    const crashy = new FakeWorker(true);
    const c2 = new ExplorerClient(() => crashy as unknown as Worker);
    const r2 = c2.explore(blocking, 'atomic-write', opts);
    crashy.onerror?.({ message: 'boom', preventDefault() {} } as ErrorEvent);
    expect(await r2.done).toEqual({ type: 'error', message: 'The explorer stopped unexpectedly: boom.' });
  });

  it('a second search settles the first as cancelled', async () => {
    const fake = new FakeWorker();
    const client = new ExplorerClient(() => fake as unknown as Worker);
    const first = client.explore(long, 'no-interleaving', opts);
    fake.tick();
    const second = client.explore(blocking, 'atomic-write', opts);
    expect(await first.done).toMatchObject({ result: { verdict: 'incomplete', reason: 'cancelled' } });
    fake.drain();
    expect(await second.done).toMatchObject({ result: { verdict: 'proved' } });
  });
});
