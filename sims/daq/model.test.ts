import { describe, it, expect } from 'vitest';
import { daqModel, defaultParams, enabled, initialState, runToHorizon, step, summarize, validateParams, timeToMove, MiB, DAQ_PRESETS, longParams, throughput, DEFAULT_COSTS, COST_SOURCES, replay, exploreRing, correctHandler, BUGGY_HANDLERS, ringModel, type RingParams, } from './index.ts';

const long = longParams;

describe('daq model: parameters', () => {
  it('rejects impossible parameters with a RangeError naming the field', () => {
    expect(() => initialState(defaultParams('B', { read_bytes: 1000 }))).toThrow(/read_bytes/);
    expect(() => initialState(defaultParams('C', { ring_buffers: 0 }))).toThrow(/ring_buffers/);
    expect(() => initialState(defaultParams('A', { fifo_bytes: 1024 }))).toThrow(/fifo_bytes >= chunk_bytes/);
    expect(() => initialState(defaultParams('B', { costs: { syscall_ns: -1 } }))).toThrow(/syscall_ns/);
    expect(() => validateParams({ ...defaultParams('B'), design: 'D' as never })).toThrow(RangeError);
    expect(() => initialState(defaultParams('B', { horizon_ns: 2e9 }))).toThrow(/horizon_ns/);
  });

  it('every default cost says where it comes from', () => {
    for (const k of Object.keys(DEFAULT_COSTS)) {
      const s = COST_SOURCES[k as keyof typeof COST_SOURCES];
      expect(s, k).toBeTruthy();
      expect(['cited', 'assumption']).toContain(s.kind);
      expect(s.note.length, k).toBeGreaterThan(20);
    }
  });

  it('timeToMove: a backlog drains at the DMA rate, then the DMA follows the device', () => {
    // 64 KiB waiting, device 350 MB/s, DMA 1.6 GB/s.
    const t1 = (65536 / (1.6e9 - 350e6)) * 1e9;
    expect(timeToMove(65536, 350e6, 1.6e9, 1000)).toBeCloseTo(1000 / 1.6, 6);
    expect(timeToMove(65536, 350e6, 1.6e9, 1 << 20)).toBeCloseTo(t1 + ((MiB - 1.6e9 * t1 / 1e9) / 350e6) * 1e9, 3);
    expect(timeToMove(0, 350e6, 1.6e9, 350)).toBeCloseTo(1000, 6);
  });
});

describe('daq model: stepping', () => {
  it('is deterministic and pure: the same run twice gives equal states, and a state is never changed', () => {
    const p = DAQ_PRESETS['design-b'].params;
    const s0 = initialState(p);
    const copy = JSON.stringify(s0);
    const a = step(s0, enabled(s0)[0]);
    expect(JSON.stringify(s0)).toBe(copy);
    expect(JSON.stringify(runToHorizon(p))).toBe(JSON.stringify(runToHorizon(p)));
    expect(a.t_ns).toBeGreaterThan(0);
  });

  it('refuses a choice that is not enabled', () => {
    const s0 = initialState(DAQ_PRESETS['design-b'].params);
    expect(() => step(s0, { lane: 'kthread' })).toThrow(/not enabled/);
  });

  it('every step narrates, and kernel steps name a 6.12 source', () => {
    let s = initialState(DAQ_PRESETS['design-b'].params);
    for (let i = 0; i < 40 && enabled(s).length; i++) {
      s = step(s, enabled(s)[0]);
      expect(s.event?.narration.length).toBeGreaterThan(10);
      if (s.event?.source) expect(s.event.source.version).toBe('6.12');
    }
  });

  it('conserves bytes: produced = lost + in the FIFO + moved out', () => {
    for (const key of Object.keys(DAQ_PRESETS)) {
      const s = runToHorizon(DAQ_PRESETS[key].params);
      const c = s.counters;
      const out = s.params.design === 'A' ? c.cpu_copied_bytes - c.frames * s.params.frame_bytes : c.dma_bytes;
      // In flight: the DMA engine's current chunk (moved out of the FIFO, not yet counted).
      const inflight = c.produced_bytes - c.lost_bytes - s.fifo_level - out;
      expect(inflight, key).toBeGreaterThanOrEqual(-1e-3);
      expect(inflight, key).toBeLessThanOrEqual(s.params.chunk_bytes + 1e-3);
    }
  });

  it('every preset runs to its horizon and replays through the generic player', () => {
    for (const [key, pr] of Object.entries(DAQ_PRESETS)) {
      const end = runToHorizon(pr.params);
      expect(enabled(end), key).toEqual([]);
      const states = replay(daqModel, pr.params, 1, []);
      expect(states.length).toBe(1);
    }
  });
});

describe('daq model: golden numbers of the presets over 1 s', () => {
  // Golden values: computed by the model from the default cost table; a change to the model
  // or a default must update them deliberately (and the lesson's text with them).
  const golden = (key: string) => summarize(runToHorizon(long(DAQ_PRESETS[key].params)));

  it('design A delivers about 2 MB/s and loses almost everything; two copies per byte', () => {
    const m = golden('design-a');
    expect(m.collected_Bps / 1e6).toBeGreaterThan(1.9);
    expect(m.collected_Bps / 1e6).toBeLessThan(2.01);
    expect(m.delivered_Bps / 1e6).toBeGreaterThan(1.5);
    expect(m.lost_fraction).toBeGreaterThan(0.99);
    expect(m.signals_per_MiB).toBeCloseTo(MiB / DAQ_PRESETS['design-a'].params.frame_bytes, 6);
    expect(m.interrupts_per_MiB).toBe(0);
    // Where the time goes: CPU reads over PCIe dwarf everything else.
    expect(m.breakdown_ns_per_MiB.mmio_read).toBeGreaterThan(100 * (m.breakdown_ns_per_MiB.copy_to_user ?? 0));
  });

  it('design B with one read in flight loses data in every gap; with two it keeps up', () => {
    const one = golden('design-b');
    const two = golden('design-b-two-reads');
    expect(one.lost_fraction).toBeGreaterThan(0.05);
    expect(one.delivered_Bps).toBeLessThan(0.95 * 350e6);
    expect(two.lost_bytes).toBe(0);
    expect(two.delivered_Bps).toBeGreaterThan(0.98 * 350e6);
    expect(two.copies_per_byte).toBe(0);
    expect(two.interrupts_per_MiB).toBeCloseTo(1, 6);
  });

  it('design C keeps up with no loss; a slow consumer overruns and the overruns are counted', () => {
    const c = golden('design-c');
    expect(c.lost_bytes).toBe(0);
    expect(c.delivered_Bps).toBeGreaterThan(0.98 * 350e6);
    const slow = golden('design-c-overrun');
    expect(slow.overruns).toBeGreaterThan(0);
    expect(slow.lost_bytes).toBeGreaterThan(0);
    expect(slow.delivered_Bps).toBeLessThan(260e6);
  });

  it('the formula agrees with the simulation within 3% for every preset', () => {
    for (const [key, pr] of Object.entries(DAQ_PRESETS)) {
      const g = golden(key);
      const sim = pr.params.design === 'A' ? g.collected_Bps : g.delivered_Bps;
      const f = throughput(pr.params).delivered_Bps;
      expect(Math.abs(sim - f) / f, `${key}: sim ${sim} formula ${f}`).toBeLessThan(0.03);
    }
  });
});

const RING: RingParams = { n: 2, frames: 4, coherent: true, start: 0, consumer: 'correct', device: 'correct' };

describe('ring protocol under the explorer', () => {
  it('proves the correct protocol, coherent and not, with counters about to wrap', () => {
    for (const over of [{}, { coherent: false }, { start: 2 ** 32 - 2 }, { n: 1, frames: 3 }, { n: 4, frames: 5, coherent: false, start: 2 ** 32 - 3 }]) {
      const r = exploreRing({ ...RING, ...over });
      expect(r.verdict, JSON.stringify(over)).toBe('proved');
    }
  });

  it('finds the buggy variants, each with a schedule that replays to the violation', () => {
    const cases: [Partial<RingParams>, keyof typeof BUGGY_HANDLERS | null, RegExp][] = [
      [{}, 'publish-started', /ahead of the DMAs completed/],
      [{ coherent: false }, 'publish-before-sync', /saw/],
      [{ consumer: 'release-before-read' }, null, /after handing it back/],
      [{ device: 'refill-full' }, null, /started writing buffer/],
    ];
    for (const [over, bug, msg] of cases) {
      const handler = bug ? BUGGY_HANDLERS[bug].handler : correctHandler;
      const params = { ...RING, ...over };
      const r = exploreRing(params, handler);
      expect(r.verdict, `${bug} ${JSON.stringify(over)}`).toBe('counterexample');
      if (r.verdict !== 'counterexample') continue;
      expect(r.message).toMatch(msg);
      const states = replay(ringModel(handler), params, 1, r.schedule);
      expect(states[states.length - 1].bad ?? '').toMatch(r.invariant === 'ring ownership' && !states[states.length - 1].bad ? /^$/ : msg);
    }
  });

  it('a handler that forgets to sync is fine on a coherent machine and wrong on a non-coherent one', () => {
    const noSync = (hw: Parameters<typeof correctHandler>[0]) => correctHandler({ ...hw, coherent: true });
    expect(exploreRing(RING, noSync).verdict).toBe('proved');
    expect(exploreRing({ ...RING, coherent: false }, noSync).verdict).toBe('counterexample');
  });
});

describe('daq model: golden runs (exact, at each preset horizon)', () => {
  it('matches the recorded counters of every preset', () => {
    const rows = Object.entries(DAQ_PRESETS).map(([key, pr]) => {
      const s = runToHorizon(pr.params);
      const c = s.counters;
      return `${key}: steps-end t=${Math.round(s.t_ns)}ns delivered=${c.delivered_bytes} lost=${Math.round(c.lost_bytes)} syscalls=${c.syscalls} signals=${c.signals} irqs=${c.interrupts} overruns=${c.overruns}`;
    });
    expect(rows.join('\n')).toMatchInlineSnapshot(`
      "design-a: steps-end t=298934000ns delivered=524288 lost=103971540 syscalls=2 signals=2 irqs=0 overruns=0
      design-b: steps-end t=7992576ns delivered=2097152 lost=372570 syscalls=3 signals=0 irqs=2 overruns=0
      design-b-two-reads: steps-end t=7864320ns delivered=2097152 lost=0 syscalls=4 signals=0 irqs=2 overruns=0
      design-c: steps-end t=7864320ns delivered=2097152 lost=0 syscalls=5 signals=0 irqs=2 overruns=0
      design-c-overrun: steps-end t=29857607ns delivered=9437184 lost=357618 syscalls=7 signals=0 irqs=9 overruns=2"
    `);
  });
});
