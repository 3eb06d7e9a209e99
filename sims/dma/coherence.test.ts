import { describe, expect, it } from 'vitest';
import { replay, runToEnd } from '../core/model.ts';
import { explore } from '../explore/explore.ts';
import * as api from './index.ts';
import { cleanRange, cpuRead, cpuWrite, deviceRead, deviceWrite, emptyCache, evictLine, fillLine, flushRange, invalidateRange, linesOf } from './cache.ts';
import {
  callText,
  checkerSilent,
  coherenceActor,
  coherenceInitialState,
  coherenceKey,
  coherenceModel,
  coherenceParams,
  dataRight,
  firstWrongData,
  validateCoherenceParams,
} from './coherence.ts';
import { COHERENCE_PRESETS, cohSched, rxCorrect, rxNoSync, sharedLine, txCorrect, txNoClean } from './coherence-presets.ts';
import type { CoherenceParams, CoherenceState, CpuOp, DebugRule, Memory } from './coherence-types.ts';
import { DEBUG_RULES, DMA_MAPPING_ERROR, checkLeaks, checkSync, checkUnmap } from './debug.ts';
import {
  DMA_ATTR_SKIP_CPU_SYNC,
  DMA_BIDIRECTIONAL,
  DMA_FROM_DEVICE,
  DMA_TO_DEVICE,
  createDmaSession,
  defaultBuffer,
  exploreEvictions,
  recordRoutine,
} from './session.ts';
import type { DmaSession, DmaSessionOptions } from './session.ts';
import { swiotlbAlloc, swiotlbInit, swiotlbOrig, swiotlbRelease } from './swiotlb.ts';

const ARM: DmaSessionOptions = { platform: 'noncoherent-arm' };
const ARM926: DmaSessionOptions = { platform: 'noncoherent-arm', arch: 'arm926' };
const X86: DmaSessionOptions = { platform: 'coherent-x86' };
const SWIOTLB: DmaSessionOptions = { platform: 'swiotlb' };
const PACKET = Array.from({ length: 32 }, (_, i) => i + 1);
const zeros = (n: number) => Array.from({ length: n }, () => 0);

function last<T>(xs: readonly T[]): T {
  return xs[xs.length - 1];
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** A small memory: 4 lines of 4 bytes, RAM 0..15, nothing cached. */
function mem4(): Memory {
  return { lineSize: 4, ram: Array.from({ length: 16 }, (_, i) => i), cache: emptyCache(4, 4), uncached: [false, false, false, false] };
}

const rules = (s: { findings: readonly { rule: DebugRule }[] }) => s.findings.map((f) => f.rule);
const lineState = (s: CoherenceState, n: number) => {
  const l = s.mem.cache[n];
  return l.valid ? (l.dirty ? 'dirty' : 'clean') : 'invalid';
};

// ---------------------------------------------------------------------------------------

describe('the cache (cache.ts)', () => {
  it('linesOf covers every line a range touches', () => {
    expect(linesOf(16, 0x44, 28)).toEqual([4, 5]);
    expect(linesOf(16, 0x40, 16)).toEqual([4]);
    expect(linesOf(16, 0x4f, 2)).toEqual([4, 5]);
    expect(linesOf(16, 0x40, 0)).toEqual([]);
  });

  it('a load misses, fills the line clean, then hits', () => {
    const m = deepFreeze(mem4());
    const a = cpuRead(m, 5, 2);
    expect(a.bytes).toEqual([5, 6]);
    expect(a.report).toEqual({ written: [], dropped: [], filled: [1], hits: [] });
    expect(a.mem.cache[1]).toEqual({ addr: 4, valid: true, dirty: false, data: [4, 5, 6, 7] });
    const b = cpuRead(a.mem, 4, 8);
    expect(b.report.hits).toEqual([1]);
    expect(b.report.filled).toEqual([2]);
    expect(m.cache[1].valid).toBe(false);
  });

  it('a store allocates the line and makes it dirty; RAM keeps the old bytes until write-back', () => {
    const w = cpuWrite(deepFreeze(mem4()), 6, [0xaa, 0xbb, 0xcc]);
    expect(w.mem.cache[1]).toEqual({ addr: 4, valid: true, dirty: true, data: [4, 5, 0xaa, 0xbb] });
    expect(w.mem.cache[2]).toEqual({ addr: 8, valid: true, dirty: true, data: [0xcc, 9, 10, 11] });
    expect(w.mem.ram.slice(4, 12)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    const c = cleanRange(w.mem, 4, 8);
    expect(c.report.written).toEqual([1, 2]);
    expect(c.mem.ram.slice(4, 12)).toEqual([4, 5, 0xaa, 0xbb, 0xcc, 9, 10, 11]);
    expect(c.mem.cache[1].valid && !c.mem.cache[1].dirty).toBe(true);
  });

  it('uncached lines bypass the cache both ways', () => {
    const m = { ...mem4(), uncached: [false, true, false, false] };
    const w = cpuWrite(m, 4, [9, 9]);
    expect(w.mem.cache[1].valid).toBe(false);
    expect(w.mem.ram.slice(4, 8)).toEqual([9, 9, 6, 7]);
    const r = cpuRead(w.mem, 4, 4);
    expect(r.bytes).toEqual([9, 9, 6, 7]);
    expect(r.mem.cache[1].valid).toBe(false);
  });

  it('invalidate drops whole lines without write-back but cleans partial edge lines first', () => {
    const dirty = cpuWrite(mem4(), 0, [0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb]).mem;
    // Range 2..9: line 0 partial, line 1 whole, line 2 partial.
    const r = invalidateRange(dirty, 2, 8);
    expect(r.report.written).toEqual([0, 2]);
    expect(r.report.dropped).toEqual([0, 1, 2]);
    expect(r.mem.ram.slice(0, 12)).toEqual([0xd0, 0xd1, 0xd2, 0xd3, 4, 5, 6, 7, 0xd8, 0xd9, 0xda, 0xdb]);
    const f = flushRange(dirty, 4, 4);
    expect(f.report).toEqual({ written: [1], dropped: [1], filled: [], hits: [] });
    expect(f.mem.ram.slice(4, 8)).toEqual([0xd4, 0xd5, 0xd6, 0xd7]);
  });

  it('evicting a dirty line writes it back; a clean one is just dropped; a fill loads RAM', () => {
    const d = cpuWrite(mem4(), 0, [7]).mem;
    const e = evictLine(d, 0);
    expect(e.report).toEqual({ written: [0], dropped: [0], filled: [], hits: [] });
    expect(e.mem.ram[0]).toBe(7);
    const f = fillLine(e.mem, 0);
    expect(f.mem.cache[0]).toEqual({ addr: 0, valid: true, dirty: false, data: [7, 1, 2, 3] });
    expect(evictLine(f.mem, 0).report).toEqual({ written: [], dropped: [0], filled: [], hits: [] });
  });

  it('a snooping device sees dirty lines and invalidates the copies it overwrites; a non-snooping one does neither', () => {
    const d = cpuWrite(mem4(), 0, [0xee]).mem;
    expect(deviceRead(d, 0, 2, false).bytes).toEqual([0, 1]);
    const sr = deviceRead(d, 0, 2, true);
    expect(sr.bytes).toEqual([0xee, 1]);
    expect(sr.mem.cache[0].dirty).toBe(false);
    const nw = deviceWrite(d, 1, [0x55], false);
    expect(nw.mem.cache[0]).toEqual(d.cache[0]);
    expect(nw.mem.ram.slice(0, 2)).toEqual([0, 0x55]);
    const sw = deviceWrite(d, 1, [0x55], true);
    expect(sw.mem.cache[0].valid).toBe(false);
    expect(sw.mem.ram.slice(0, 2)).toEqual([0xee, 0x55]);
  });
});

describe('swiotlb slots (swiotlb.ts)', () => {
  it('allocates first fit, records orig_addr per slot, releases, and reports full', () => {
    let sw = swiotlbInit({ addr: 0x20, size: 0x20 }, 16);
    const a = swiotlbAlloc(sw, 0x40, 20)!;
    expect(a.tlb_addr).toBe(0x20);
    sw = a.sw;
    expect(sw.slots).toEqual([
      { orig_addr: 0x40, alloc_size: 20 },
      { orig_addr: 0x50, alloc_size: 4 },
    ]);
    expect(swiotlbOrig(sw, 0x31)).toEqual({ orig: 0x51, left: 3 });
    expect(swiotlbAlloc(sw, 0x60, 1)).toBeNull();
    sw = swiotlbRelease(sw, 0x20);
    expect(sw.slots.every((s) => s.orig_addr === null)).toBe(true);
    expect(swiotlbOrig(sw, 0x20)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------

describe('the three platforms', () => {
  it('non-coherent arm64: map cleans for every direction and keeps the clean lines; sync for the CPU invalidates unless DMA_TO_DEVICE', () => {
    const k = createDmaSession(ARM);
    k.writeBuffer(0x40, zeros(32));
    expect([lineState(k.state, 4), lineState(k.state, 5)]).toEqual(['dirty', 'dirty']);
    const h = k.dma_map_single(0x40, 32, DMA_FROM_DEVICE);
    expect(h).toBe(0x40);
    expect([lineState(k.state, 4), lineState(k.state, 5)]).toEqual(['clean', 'clean']);
    k.dma_sync_single_for_cpu(h, 32, DMA_TO_DEVICE);
    expect(lineState(k.state, 4)).toBe('clean');
    k.dma_sync_single_for_cpu(h, 32, DMA_FROM_DEVICE);
    expect([lineState(k.state, 4), lineState(k.state, 5)]).toEqual(['invalid', 'invalid']);
    expect(k.state.mappings[0].owner).toBe('cpu');
    k.dma_sync_single_for_device(h, 32, DMA_FROM_DEVICE);
    expect(k.state.mappings[0].owner).toBe('device');
  });

  it('non-coherent arm64: DMA_ATTR_SKIP_CPU_SYNC skips the clean at map and the invalidate at unmap', () => {
    const k = createDmaSession(ARM);
    k.writeBuffer(0x40, [1]);
    const h = k.dma_map_single(0x40, 16, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
    expect(lineState(k.state, 4)).toBe('dirty');
    expect(k.state.mem.ram[0x40]).toBe(0);
    k.dma_mapping_error(h);
    k.dma_unmap_single(h, 16, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
    expect(lineState(k.state, 4)).toBe('dirty');
    expect(() => k.dma_map_single(0x40, 16, DMA_TO_DEVICE, 3)).toThrow(RangeError);
  });

  it('ARM926: map invalidates for DMA_FROM_DEVICE, cleans and invalidates for BIDIRECTIONAL; sync for the CPU does nothing; no speculation', () => {
    const k = createDmaSession(ARM926);
    k.writeBuffer(0x40, zeros(32));
    k.dma_map_single(0x40, 16, DMA_FROM_DEVICE);
    expect(lineState(k.state, 4)).toBe('invalid');
    expect(k.state.mem.ram[0x40]).toBe(0);
    k.writeBuffer(0x50, [0x77]);
    k.dma_map_single(0x50, 16, DMA_BIDIRECTIONAL);
    expect(lineState(k.state, 5)).toBe('invalid');
    expect(k.state.mem.ram[0x50]).toBe(0x77);
    k.readBuffer(0x40, 1);
    k.dma_sync_single_for_cpu(0x40, 16, DMA_FROM_DEVICE);
    expect(lineState(k.state, 4)).toBe('clean');
    expect(k.state.params.speculative).toBe(false);
    expect(coherenceModel.enabled(k.state).some((c) => c.kind === 'fill')).toBe(false);
    expect(last(k.states).event?.narration).toContain('arm926_dma_unmap_area does nothing');
  });

  it('coherent x86: no call does cache work, and the snooping device reads dirty lines and invalidates the copies it overwrites', () => {
    const k = createDmaSession(X86);
    k.writeBuffer(0x40, PACKET);
    const h = k.dma_map_single(0x40, 32, DMA_TO_DEVICE);
    expect([lineState(k.state, 4), lineState(k.state, 5)]).toEqual(['dirty', 'dirty']);
    k.dma_mapping_error(h);
    k.startDeviceRead(h, 32);
    expect(k.waitForDevice()).toEqual(PACKET);
    k.dma_unmap_single(h, 32, DMA_TO_DEVICE);
    const r = k.dma_map_single(0x40, 32, DMA_FROM_DEVICE);
    k.dma_mapping_error(r);
    k.startDeviceWrite(r, zeros(32));
    k.waitForDevice();
    expect([lineState(k.state, 4), lineState(k.state, 5)]).toEqual(['invalid', 'invalid']);
    k.dma_unmap_single(r, 32, DMA_FROM_DEVICE);
    expect(k.readBuffer(0x40, 4)).toEqual([0, 0, 0, 0]);
    expect(k.teardown()).toEqual([]);
  });

  it('swiotlb: map bounces a buffer beyond the mask and copies it for every direction; syncs copy by direction; unmap copies back and frees the slot', () => {
    const k = createDmaSession(SWIOTLB);
    k.writeBuffer(0x40, PACKET);
    const h = k.dma_map_single(0x40, 32, DMA_FROM_DEVICE);
    expect(h).toBe(0x20);
    expect(cpuRead(k.state.mem, 0x20, 32).bytes).toEqual(PACKET);
    expect(k.state.swiotlb?.slots.map((s) => s.orig_addr)).toEqual([0x40, 0x50]);
    k.dma_mapping_error(h);
    k.startDeviceWrite(h, zeros(32));
    k.waitForDevice();
    expect(k.readBuffer(0x40, 2)).toEqual([1, 2]); // not copied back yet (and the CPU broke the ownership rule)
    k.dma_sync_single_for_cpu(h, 16, DMA_FROM_DEVICE);
    expect(k.readBuffer(0x40, 2)).toEqual([0, 0]);
    expect(k.readBuffer(0x50, 2)).toEqual([17, 18]); // only 16 bytes were synced
    k.writeBuffer(0x40, [9]);
    k.dma_sync_single_for_device(h, 32, DMA_FROM_DEVICE); // FROM_DEVICE: no copy into the slot
    expect(cpuRead(k.state.mem, 0x20, 1).bytes).toEqual([0]);
    k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
    expect(k.readBuffer(0x40, 32)).toEqual(zeros(32));
    expect(k.state.swiotlb?.slots.every((s) => s.orig_addr === null)).toBe(true);
    const low = k.dma_map_single(0x00, 16, DMA_TO_DEVICE);
    expect(low).toBe(0x00); // within reach: no bounce
    expect(k.state.mappings[1].bounce).toBe(false);
  });

  it('swiotlb: sync for the device copies into the slot for DMA_TO_DEVICE only; a full pool and an unreachable buffer without swiotlb fail the map', () => {
    const k = createDmaSession(SWIOTLB);
    const h = k.dma_map_single(0x40, 32, DMA_TO_DEVICE);
    k.writeBuffer(0x40, [5]);
    k.dma_sync_single_for_device(h, 32, DMA_TO_DEVICE);
    expect(cpuRead(k.state.mem, 0x20, 1).bytes).toEqual([5]);
    expect(k.dma_map_single(0x60, 16, DMA_TO_DEVICE)).toBe(DMA_MAPPING_ERROR);
    expect(last(k.states).event?.narration).toContain('swiotlb buffer is full');
    expect(k.dma_mapping_error(DMA_MAPPING_ERROR)).toBe(-12);
    const x = createDmaSession({ platform: 'coherent-x86', dmaLimit: 0x40 });
    expect(x.dma_map_single(0x40, 16, DMA_TO_DEVICE)).toBe(DMA_MAPPING_ERROR);
    expect(last(x.states).event?.narration).toContain('no swiotlb');
    expect(x.state.mappings).toEqual([]);
  });

  it('dma_alloc_coherent: uncached on a non-coherent CPU, ordinary cached memory on x86; freed back to the pool', () => {
    const k = createDmaSession(ARM);
    const b = k.dma_alloc_coherent(20)!;
    expect(b).toEqual({ cpu_addr: 0, dma_handle: 0 });
    expect(k.state.mem.uncached.slice(0, 3)).toEqual([true, true, false]);
    k.writeBuffer(0, [1, 2, 3]);
    expect(k.state.mem.ram.slice(0, 3)).toEqual([1, 2, 3]);
    expect(lineState(k.state, 0)).toBe('invalid');
    expect(k.dma_alloc_coherent(16)).toBeNull();
    k.dma_free_coherent(20, 0, 0);
    expect(k.state.mem.uncached[0]).toBe(false);
    expect(k.teardown()).toEqual([]);
    const x = createDmaSession(X86);
    const c = x.dma_alloc_coherent(16)!;
    x.writeBuffer(c.cpu_addr, [7]);
    expect(lineState(x.state, 0)).toBe('dirty');
    x.startDeviceRead(c.dma_handle, 1);
    expect(x.waitForDevice()).toEqual([7]);
  });

  it('the sg calls map, sync and unmap per entry, on every platform', () => {
    for (const opts of [ARM, X86, SWIOTLB]) {
      const k = createDmaSession(opts);
      const sgl = k.sg_init_table([
        { buf: 0x40, len: 16 },
        { buf: 0x60, len: 16 },
      ]);
      const n = k.dma_map_sg(sgl, sgl.orig_nents, DMA_FROM_DEVICE);
      expect(n).toBe(2);
      const segs = [0, 1].map((i) => ({ addr: k.sg_dma_address(sgl, i)!, len: k.sg_dma_len(sgl, i) }));
      expect(segs.map((s) => s.addr)).toEqual(opts === SWIOTLB ? [0x20, 0x30] : [0x40, 0x60]);
      k.startDeviceWrite(segs, PACKET);
      k.waitForDevice();
      k.dma_sync_sg_for_cpu(sgl, sgl.orig_nents, DMA_FROM_DEVICE);
      expect(k.readBuffer(0x40, 16).concat(k.readBuffer(0x60, 16))).toEqual(PACKET);
      k.dma_unmap_sg(sgl, sgl.orig_nents, DMA_FROM_DEVICE);
      expect(k.state.sgTables[0].entries.map((e) => e.owner)).toEqual(['cpu', 'cpu']);
      expect(k.teardown()).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------

/** Runs `routine` on a session and returns the rules the checker named. */
function flagged(opts: DmaSessionOptions, routine: (k: DmaSession) => void): DebugRule[] {
  const k = createDmaSession(opts);
  routine(k);
  if (k.state.cpu.phase !== 'done') k.teardown();
  return rules(k.state);
}

/** Maps 0x40 (32 bytes) for `dir` and checks the handle. */
function mapped(k: DmaSession, dir = DMA_FROM_DEVICE): number {
  const h = k.dma_map_single(0x40, 32, dir);
  k.dma_mapping_error(h);
  return h;
}

describe('the DMA-API checker (debug.ts)', () => {
  it('is silent for correct receive, transmit and coherent code on every platform', () => {
    for (const opts of [ARM, ARM926, X86, SWIOTLB]) {
      expect(flagged(opts, rxCorrect)).toEqual([]);
      expect(flagged(opts, txCorrect)).toEqual([]);
    }
  });

  /** [rule, routine, message of the first finding, all the rules named (default: just the rule)]. */
  const cases: [DebugRule, (k: DmaSession) => void, string, DebugRule[]?][] = [
    [
      'cpu-touch-device-owned',
      (k) => {
        const h = mapped(k);
        k.readBuffer(0x50, 1);
        k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
      },
      'CPU touched a buffer owned by the device: it read 0x50 while 0x40–0x5f belongs to the device (dma_map_single, DMA_FROM_DEVICE, handle 0x40) until dma_sync_*_for_cpu or unmap hands it back',
    ],
    [
      'sync-direction',
      (k) => {
        const h = mapped(k);
        k.dma_sync_single_for_cpu(h, 32, DMA_TO_DEVICE);
        k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
      },
      'DMA-API: device driver syncs DMA memory with different direction [device address=0x0000000000000040] [size=32 bytes] [mapped with DMA_FROM_DEVICE] [synced with DMA_TO_DEVICE]',
    ],
    [
      'sync-not-mapped',
      (k) => {
        const h = mapped(k);
        k.dma_sync_single_for_cpu(h, 48, DMA_FROM_DEVICE);
        k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
      },
      'DMA-API: device driver tries to sync DMA memory it has not allocated [device address=0x0000000000000040] [size=48 bytes]',
    ],
    [
      'unmap-size',
      (k) => k.dma_unmap_single(mapped(k), 16, DMA_FROM_DEVICE),
      'DMA-API: device driver frees DMA memory with different size [device address=0x0000000000000040] [map size=32 bytes] [unmap size=16 bytes]',
    ],
    [
      'unmap-direction',
      (k) => k.dma_unmap_single(mapped(k), 32, DMA_TO_DEVICE),
      'DMA-API: device driver frees DMA memory with different direction [device address=0x0000000000000040] [size=32 bytes] [mapped with DMA_FROM_DEVICE] [unmapped with DMA_TO_DEVICE]',
    ],
    [
      'double-unmap',
      (k) => {
        const h = mapped(k);
        k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
        k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
      },
      'DMA-API: device driver tries to free DMA memory it has not allocated [device address=0x0000000000000040] [size=32 bytes]',
    ],
    [
      'unmap-not-mapped',
      (k) => k.dma_unmap_single(0x60, 16, DMA_TO_DEVICE),
      'DMA-API: device driver tries to free DMA memory it has not allocated [device address=0x0000000000000060] [size=16 bytes]',
    ],
    [
      'map-error-not-checked',
      (k) => k.dma_unmap_single(k.dma_map_single(0x40, 32, DMA_TO_DEVICE), 32, DMA_TO_DEVICE),
      'DMA-API: device driver failed to check map error[device address=0x0000000000000040] [size=32 bytes] [mapped as single]',
    ],
    [
      'leak',
      (k) => {
        mapped(k);
      },
      'DMA-API: device driver has pending DMA allocations while released from device [count=1] One of leaked entries details: [device address=0x0000000000000040] [size=32 bytes] [mapped with DMA_FROM_DEVICE] [mapped as single]',
    ],
    [
      'unmap-wrong-function',
      (k) => {
        const b = k.dma_alloc_coherent(16)!;
        k.dma_unmap_single(b.dma_handle, 16, DMA_BIDIRECTIONAL); // dma-debug drops the record: a later free would be a double unmap
      },
      'DMA-API: device driver frees DMA memory with wrong function [device address=0x0000000000000000] [size=16 bytes] [mapped as coherent] [unmapped as single]',
    ],
    [
      'free-cpu-address',
      (k) => {
        const b = k.dma_alloc_coherent(16)!;
        k.dma_free_coherent(16, b.cpu_addr + 4, b.dma_handle);
      },
      'DMA-API: device driver frees DMA memory with different CPU address [device address=0x0000000000000000] [size=16 bytes] [cpu alloc address=0x0000000000000000] [cpu free address=0x0000000000000004]',
    ],
    [
      'unmap-sg-count',
      (k) => {
        const sgl = k.sg_init_table([
          { buf: 0x40, len: 16 },
          { buf: 0x60, len: 16 },
        ]);
        k.dma_map_sg(sgl, 2, DMA_TO_DEVICE);
        k.dma_unmap_sg(sgl, 1, DMA_TO_DEVICE);
      },
      'DMA-API: device driver frees DMA sg list with different entry count [map count=2] [unmap count=1]',
      ['unmap-sg-count', 'leak'],
    ],
    [
      'sync-sg-count',
      (k) => {
        const sgl = k.sg_init_table([
          { buf: 0x40, len: 16 },
          { buf: 0x60, len: 16 },
        ]);
        k.dma_map_sg(sgl, 2, DMA_FROM_DEVICE);
        k.dma_sync_sg_for_cpu(sgl, 1, DMA_FROM_DEVICE);
        k.dma_unmap_sg(sgl, 2, DMA_FROM_DEVICE);
      },
      'DMA-API: device driver syncs DMA sg list with different entry count [map count=2] [sync count=1]',
    ],
    [
      'device-access-unmapped',
      (k) => {
        k.startDeviceWrite(0x48, zeros(16)); // two lines' worth, one finding
        k.waitForDevice();
      },
      'the device accessed bus address 0x48–0x4f, which no live mapping covers',
    ],
    [
      'device-access-cpu-owned',
      (k) => {
        const h = mapped(k);
        k.dma_sync_single_for_cpu(h, 32, DMA_FROM_DEVICE);
        k.startDeviceWrite(h, [1]);
        k.waitForDevice();
        k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
      },
      'the device accessed 0x40 after the driver handed that mapping (handle 0x40) to the CPU',
    ],
  ];

  for (const [rule, routine, message, all] of cases) {
    it(`names ${rule} (${DEBUG_RULES[rule].source}): ${DEBUG_RULES[rule].title}`, () => {
      const k = createDmaSession(ARM);
      routine(k);
      if (k.state.cpu.phase !== 'done') k.teardown();
      expect(rules(k.state)).toEqual(all ?? [rule]);
      const f = k.state.findings[0];
      expect(f.message).toBe(message);
      // The finding sits on the step whose call caused it.
      const caused = k.states[f.step];
      expect(caused.findings.length).toBeGreaterThan(k.states[f.step - 1].findings.length);
      expect(f.call).toBe(f.pc < k.program.length ? callText(k.program[f.pc]) : 'driver unbind');
    });
  }

  it('names sync-read-only-for-cpu and sync-write-only-to-device, always beside the direction (check_sync cannot reach them otherwise)', () => {
    const r = flagged(ARM, (k) => {
      const h = mapped(k, DMA_TO_DEVICE);
      k.dma_sync_single_for_cpu(h, 32, DMA_FROM_DEVICE);
      k.dma_unmap_single(h, 32, DMA_TO_DEVICE);
    });
    expect(r).toEqual(['sync-direction', 'sync-read-only-for-cpu']);
    const k = createDmaSession(ARM);
    const h = mapped(k, DMA_FROM_DEVICE);
    k.dma_sync_single_for_device(h, 32, DMA_BIDIRECTIONAL);
    expect(rules(k.state)).toEqual(['sync-direction', 'sync-write-only-to-device']);
    expect(k.findings[1].message).toBe(
      'DMA-API: device driver syncs device write-only DMA memory to device [device address=0x0000000000000040] [size=32 bytes] [mapped with DMA_FROM_DEVICE] [synced with DMA_BIDIRECTIONAL]',
    );
    expect(DEBUG_RULES['sync-write-only-to-device'].source).toBe('dma-debug');
  });

  it('lets DMA_BIDIRECTIONAL mappings sync either way, and partial syncs inside a mapping', () => {
    const r = flagged(ARM, (k) => {
      const h = mapped(k, DMA_BIDIRECTIONAL);
      k.dma_sync_single_for_cpu(h, 32, DMA_FROM_DEVICE);
      k.dma_sync_single_for_device(h + 16, 16, DMA_TO_DEVICE);
      k.dma_unmap_single(h, 32, DMA_BIDIRECTIONAL);
    });
    expect(r).toEqual([]);
  });

  it('reports an unmap of DMA_MAPPING_ERROR as an invalid address, and a sync after unmap as not mapped', () => {
    const k = createDmaSession({ platform: 'coherent-x86', dmaLimit: 0x40 });
    const h = k.dma_map_single(0x40, 16, DMA_TO_DEVICE);
    k.dma_unmap_single(h, 16, DMA_TO_DEVICE);
    expect(k.findings[0].message).toBe('DMA-API: device driver tries to free an invalid DMA memory address');
    const m = createDmaSession(ARM);
    const g = mapped(m);
    m.dma_unmap_single(g, 32, DMA_FROM_DEVICE);
    m.dma_sync_single_for_cpu(g, 32, DMA_FROM_DEVICE);
    expect(rules(m.state)).toEqual(['sync-not-mapped']);
  });

  it('checkUnmap, checkSync and checkLeaks are pure functions of the mapping records', () => {
    const k = createDmaSession(ARM);
    mapped(k);
    const ms = deepFreeze(k.state.mappings.slice());
    expect(checkUnmap(ms, { type: 'single', handle: 0x40, size: 32, dir: DMA_FROM_DEVICE, sg_call_ents: 0 })).toEqual({ entry: 0, findings: [] });
    expect(checkSync(ms, { type: 'single', handle: 0x48, size: 8, dir: DMA_FROM_DEVICE, sg_call_ents: 0 }, true)).toEqual({ entry: 0, findings: [] });
    expect(checkLeaks(ms).map((f) => f.rule)).toEqual(['leak']);
    expect(checkLeaks([])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------

describe('golden traces', () => {
  const run = (id: string) => {
    const p = COHERENCE_PRESETS[id];
    return replay(coherenceModel, p.params, 0, p.schedule);
  };

  it('coherent-alloc: arm64 dma_alloc_coherent only cleans (arch_dma_prep_coherent), never says it invalidates', () => {
    const states = run('coherent-alloc');
    const alloc = states.slice(1).map((s) => s.event?.narration ?? '').find((n) => n.startsWith('dma_alloc_coherent'));
    expect(alloc).toBeDefined();
    expect(alloc).toContain('dma_direct_alloc cleans line');
    expect(alloc).toContain('arch_dma_prep_coherent on arm64 only cleans');
    expect(alloc).not.toContain('invalidates');
  });

  it('coherent-alloc on the ARM926: 32-bit ARM clears the buffer with a clean and invalidate', () => {
    const p = COHERENCE_PRESETS['coherent-alloc'];
    const states = replay(coherenceModel, { ...p.params, arch: 'arm926' }, 0, p.schedule);
    const alloc = states.slice(1).map((s) => s.event?.narration ?? '').find((n) => n.startsWith('dma_alloc_coherent'));
    expect(alloc).toContain('__dma_clear_buffer cleans and invalidates');
  });

  it('rx-no-sync-arm: the zeroed lines stay in the cache after the clean, and the read hits them', () => {
    const states = run('rx-no-sync-arm');
    expect(states.slice(1).map((s) => s.event?.narration)).toEqual([
      'The CPU writes 00 00 00 00 … 00 00 to 0x40–0x5f: lines 4 and 5 are now dirty in the cache (RAM still holds the old bytes).',
      'dma_map_single(dev, 0x40, 32, DMA_FROM_DEVICE) returns 0x40: arch_sync_dma_for_device cleans lines 4 and 5: lines 4 and 5 were dirty and are written back to RAM (arm64 cleans for every direction; the clean copies of lines 4 and 5 stay in the cache); the buffer now belongs to the device.',
      'dma_mapping_error(dev, 0x40) returns 0: the mapping is good (dma-debug notes that it was checked).',
      'The driver starts the device: it will write 32 bytes (01 02 03 04 … 1f 20) to bus address 0x40–0x5f.',
      "The device writes 01 02 03 04 … 0f 10 to 0x40–0x4f in RAM, behind the cache's back: the clean copy of line 4 in the cache is now stale.",
      "The device writes 11 12 13 14 … 1f 20 to 0x50–0x5f in RAM, behind the cache's back: the clean copy of line 5 in the cache is now stale; the transfer is complete and the device raises its interrupt.",
      "The device's completion interrupt wakes the driver.",
      'The CPU reads 0x40–0x5f: lines 4 and 5 hit in the cache; it gets 00 00 00 00 … 00 00, not what a machine without caches or bounce buffers would return (01 02 03 04 … 1f 20) — the checker flags it: CPU touched a buffer owned by the device.',
      'dma_unmap_single(dev, 0x40, 32, DMA_FROM_DEVICE): arch_sync_dma_for_cpu invalidates lines 4 and 5: lines 4 and 5 dropped, so the next loads read RAM; the buffer belongs to the CPU again.',
      'The driver is unbound and dma-debug looks for what it left behind: nothing, every mapping was unmapped.',
    ]);
    expect(states.slice(1).map((s) => s.event?.source?.fn ?? null)).toEqual([
      null,
      'dma_direct_map_page',
      'dma_mapping_error',
      null,
      null,
      null,
      null,
      null,
      'dma_direct_unmap_page',
      'dma_debug_device_change',
    ]);
    expect(states.slice(1).map((s) => s.event?.actor)).toEqual(['cpu', 'cpu', 'cpu', 'cpu', 'device', 'device', 'cpu', 'cpu', 'cpu', 'cpu']);
    expect(states[2].event?.source).toEqual({ file: 'kernel/dma/direct.h', fn: 'dma_direct_map_page', version: '6.12' });
    const end = last(states);
    expect(end.cpu.reads).toEqual([{ pc: 5, addr: 0x40, bytes: zeros(32), ideal: PACKET }]);
    expect(end.findings).toEqual([
      {
        rule: 'cpu-touch-device-owned',
        message:
          'CPU touched a buffer owned by the device: it read 0x40–0x5f while 0x40–0x5f belongs to the device (dma_map_single, DMA_FROM_DEVICE, handle 0x40) until dma_sync_*_for_cpu or unmap hands it back',
        step: 8,
        pc: 5,
        call: 'readBuffer(0x40, 32)',
      },
    ]);
    // The ownership token moves with each call.
    expect(states.map((s) => s.mappings[0]?.owner ?? null)).toEqual([null, null, 'device', 'device', 'device', 'device', 'device', 'device', 'device', 'cpu', 'cpu']);
    expect(coherenceModel.enabled(end)).toEqual([]);
  });

  it('fails-with-swiotlb: the device writes the bounce slot, and nothing copies it back before the read', () => {
    const states = run('fails-with-swiotlb');
    expect(states.slice(1).map((s) => s.event?.narration)).toEqual([
      'The CPU writes 00 00 00 00 … 00 00 to 0x40–0x5f: lines 4 and 5 are now dirty in the cache (RAM still holds the old bytes).',
      'dma_map_single(dev, 0x40, 32, DMA_FROM_DEVICE) returns 0x20: the device can only reach 0x0–0x3f, so swiotlb_tbl_map_single takes slot 0x20–0x3f and copies the 32 bytes at 0x40 into it (6.12 copies for every direction); it now belongs to the device.',
      'dma_mapping_error(dev, 0x20) returns 0: the mapping is good (dma-debug notes that it was checked).',
      'The driver starts the device: it will write 32 bytes (01 02 03 04 … 1f 20) to bus address 0x20–0x3f.',
      "The device writes 01 02 03 04 … 0f 10 to 0x20–0x2f (swiotlb slot for 0x40–0x4f) in RAM; the snoop writes back and invalidates the CPU's copy of line 2.",
      "The device writes 11 12 13 14 … 1f 20 to 0x30–0x3f (swiotlb slot for 0x50–0x5f) in RAM; the snoop writes back and invalidates the CPU's copy of line 3; the transfer is complete and the device raises its interrupt.",
      "The device's completion interrupt wakes the driver.",
      'The CPU reads 0x40–0x5f: lines 4 and 5 hit in the cache; it gets 00 00 00 00 … 00 00, not what a machine without caches or bounce buffers would return (01 02 03 04 … 1f 20) — the checker flags it: CPU touched a buffer owned by the device.',
      'dma_unmap_single(dev, 0x20, 32, DMA_FROM_DEVICE): swiotlb copies 32 bytes from slot 0x20–0x3f back to 0x40–0x5f and the slot is released; the buffer belongs to the CPU again.',
      'The driver is unbound and dma-debug looks for what it left behind: nothing, every mapping was unmapped.',
    ]);
    expect(states.slice(1).map((s) => s.event?.source?.fn ?? null)).toEqual([
      null,
      'swiotlb_tbl_map_single',
      'dma_mapping_error',
      null,
      null,
      null,
      null,
      null,
      '__swiotlb_tbl_unmap_single',
      'dma_debug_device_change',
    ]);
    expect(states.map((s) => (s.swiotlb ? s.swiotlb.slots.map((x) => x.orig_addr) : null))[2]).toEqual([0x40, 0x50]);
    expect(last(states).swiotlb?.slots.every((x) => x.orig_addr === null)).toBe(true);
  });

  it('rx-correct: a speculative fill during the DMA is thrown away by dma_sync_single_for_cpu', () => {
    const states = run('rx-correct');
    expect(states.slice(1).map((s) => s.event?.narration)).toEqual([
      'dma_map_single(dev, 0x40, 32, DMA_FROM_DEVICE) returns 0x40: arch_sync_dma_for_device cleans lines 4 and 5: nothing was dirty; the buffer now belongs to the device.',
      'dma_mapping_error(dev, 0x40) returns 0: the mapping is good (dma-debug notes that it was checked).',
      'The driver starts the device: it will write 32 bytes (01 02 03 04 … 1f 20) to bus address 0x40–0x5f.',
      'The CPU speculatively fills line 4 from RAM (00 00 00 00 … 00 00): an arm64 core may load any cacheable line at any time, even one the device owns.',
      "The device writes 01 02 03 04 … 0f 10 to 0x40–0x4f in RAM, behind the cache's back: the clean copy of line 4 in the cache is now stale.",
      'The device writes 11 12 13 14 … 1f 20 to 0x50–0x5f in RAM; the transfer is complete and the device raises its interrupt.',
      "The device's completion interrupt wakes the driver.",
      'dma_sync_single_for_cpu(dev, 0x40, 32, DMA_FROM_DEVICE): arch_sync_dma_for_cpu invalidates lines 4 and 5: line 4 dropped, so the next loads read RAM; the buffer belongs to the CPU.',
      'The CPU reads 0x40–0x5f: lines 4 and 5 miss and are filled from RAM; it gets 01 02 03 04 … 1f 20.',
      'dma_unmap_single(dev, 0x40, 32, DMA_FROM_DEVICE): arch_sync_dma_for_cpu invalidates lines 4 and 5: lines 4 and 5 dropped, so the next loads read RAM; the buffer belongs to the CPU again.',
      'The driver is unbound and dma-debug looks for what it left behind: nothing, every mapping was unmapped.',
    ]);
    expect(states.slice(1).map((s) => s.event?.actor)).toEqual(['cpu', 'cpu', 'cpu', 'cache', 'device', 'device', 'cpu', 'cpu', 'cpu', 'cpu', 'cpu']);
    expect(states[4].lastChoice).toEqual({ kind: 'fill', line: 4 });
  });

  it('every preset replays to its end with the outcome it announces', () => {
    for (const [id, p] of Object.entries(COHERENCE_PRESETS)) {
      const states = replay(coherenceModel, p.params, 0, p.schedule);
      const end = last(states);
      expect(coherenceModel.enabled(end), id).toEqual([]);
      expect(firstWrongData(end) === null, id).toBe(p.outcome.dataRight);
      expect(rules(end), id).toEqual(p.outcome.rules);
      expect(p.title.length, id).toBeGreaterThan(0);
      for (const s of states.slice(1)) {
        expect(s.event?.narration, id).toMatch(/^[A-Za-z_].*\.$/);
        if (s.event?.source) expect(s.event.source.version).toBe('6.12');
      }
    }
  });

  it('the same routine: works on x86, fails with swiotlb and on arm64, and passes data on the ARM926 board', () => {
    const outcome = (opts: DmaSessionOptions) => {
      const k = createDmaSession(opts);
      rxNoSync(k);
      return k.state.cpu.reads[0].bytes;
    };
    expect(outcome(X86)).toEqual(PACKET);
    expect(outcome(SWIOTLB)).toEqual(zeros(32));
    expect(outcome(ARM)).toEqual(zeros(32));
    expect(outcome(ARM926)).toEqual(PACKET);
    const tx = (opts: DmaSessionOptions) => {
      const k = createDmaSession(opts);
      txNoClean(k);
      return k.state.device.transfers[0].data;
    };
    expect(tx(X86)).toEqual(COHERENCE_PRESETS['tx-no-clean-arm'].params.program.find((o) => o.op === 'write')?.bytes);
    expect(tx(ARM)).toEqual(zeros(32));
    expect(tx(SWIOTLB)).toEqual(zeros(32)); // the bounce copy was taken at map time
  });
});

// ---------------------------------------------------------------------------------------

/** Records a routine and explores it with only the data property (the checker ignored). */
function exploreData(opts: DmaSessionOptions, routine: (k: DmaSession) => unknown) {
  const { params } = recordRoutine(opts, routine);
  return {
    params,
    r: explore({ model: coherenceModel, params, seed: 0, final: dataRight, key: coherenceKey, actor: coherenceActor }),
  };
}

/** The CPU zeroes the buffer after mapping it (the device owns it): the zeroes sit dirty in the
 *  cache; the sync for the CPU discards them, unless an eviction writes them over the packet. */
function zeroAfterMap(k: DmaSession): number[] {
  const h = mapped(k);
  k.writeBuffer(0x40, zeros(32));
  k.startDeviceReceive(h, 32);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(h, 32, DMA_FROM_DEVICE);
  const d = k.readBuffer(0x40, 32);
  k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
  return d;
}

/** Unmaps with DMA_ATTR_SKIP_CPU_SYNC, then reads: right unless a line was filled during the DMA. */
function skipSyncThenRead(k: DmaSession): number[] {
  const h = mapped(k);
  k.startDeviceReceive(h, 32);
  k.waitForDevice();
  k.dma_unmap_single(h, 32, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
  return k.readBuffer(0x40, 32);
}

/** The rx-sync exercise's known-wrong variants. */
function missingSync(k: DmaSession): number[] {
  const h = mapped(k);
  k.startDeviceReceive(h, 32);
  k.waitForDevice();
  const d = k.readBuffer(0x40, 32);
  k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
  return d;
}
function wrongDirection(k: DmaSession): number[] {
  const h = mapped(k);
  k.startDeviceReceive(h, 32);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(h, 32, DMA_TO_DEVICE);
  const d = k.readBuffer(0x40, 32);
  k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
  return d;
}
function receive(k: DmaSession): number[] {
  const h = mapped(k);
  k.startDeviceReceive(h, 32);
  k.waitForDevice();
  k.dma_sync_single_for_cpu(h, 32, DMA_FROM_DEVICE);
  const d = k.readBuffer(0x40, 32);
  k.dma_sync_single_for_device(h, 32, DMA_FROM_DEVICE);
  k.dma_unmap_single(h, 32, DMA_FROM_DEVICE);
  return d;
}

describe('eviction orders (explorer)', () => {
  it('proves the correct receive under every eviction order and interleaving on all three platforms', () => {
    for (const opts of [ARM, ARM926, X86, SWIOTLB]) {
      const rep = exploreEvictions(opts, receive);
      expect(rep.ok, opts.platform).toBe(true);
      expect(rep.verdict).toBe('proved');
      expect(rep.returned).toEqual(PACKET);
      expect(rep.recordedFindings).toEqual([]);
      expect(rep.stats.states).toBeGreaterThan(5);
    }
  });

  it('proves the correct transmit, the coherent buffer and the sg receive on all three platforms', () => {
    for (const opts of [ARM, X86, SWIOTLB]) {
      expect(exploreEvictions(opts, txCorrect).ok).toBe(true);
      expect(exploreEvictions(opts, COHERENCE_ROUTINE_CORING).ok).toBe(true);
    }
  });

  it('rejects the known-wrong variants of rx-sync, naming the rule, and finds a fill that breaks the data even with the checker ignored', () => {
    const ms = exploreEvictions(ARM, missingSync);
    expect(ms.ok).toBe(false);
    expect(ms.counterexample?.message).toContain('CPU touched a buffer owned by the device');
    const wd = exploreEvictions(ARM, wrongDirection);
    expect(wd.ok).toBe(false);
    expect(wd.counterexample?.message).toContain('DMA-API: device driver syncs DMA memory with different direction');
    for (const routine of [missingSync, wrongDirection]) {
      const { r, params } = exploreData(ARM, routine);
      expect(r.verdict).toBe('counterexample');
      if (r.verdict !== 'counterexample') continue;
      expect(r.schedule.some((c) => c.kind === 'fill')).toBe(true);
      const end = last(replay(coherenceModel, params, 0, r.schedule));
      expect(firstWrongData(end)).not.toBeNull();
    }
  });

  it('eviction order matters: a dirty line evicted during the DMA overwrites the packet, while the recorded order reads it right', () => {
    const { params, r } = exploreData(ARM, zeroAfterMap);
    const recorded = recordRoutine(ARM, zeroAfterMap);
    expect(recorded.returned).toEqual(PACKET);
    expect(r.verdict).toBe('counterexample');
    if (r.verdict !== 'counterexample') return;
    expect(r.schedule.filter((c) => c.kind === 'evict')).toEqual([{ kind: 'evict', line: 4 }]);
    const states = replay(coherenceModel, params, 0, r.schedule);
    expect(firstWrongData(last(states))).toContain('readBuffer(0x40, 32)');
    // On x86 the snoop makes every order safe.
    expect(exploreData(X86, zeroAfterMap).r.verdict).toBe('proved');
  });

  it('a speculative fill during the DMA breaks a read after DMA_ATTR_SKIP_CPU_SYNC, with the checker silent; exploreEvictions describes the order', () => {
    const rep = exploreEvictions(ARM, skipSyncThenRead);
    expect(rep.recordedFindings).toEqual([]);
    expect(rep.returned).toEqual(PACKET);
    expect(rep.ok).toBe(false);
    const cx = rep.counterexample!;
    expect(cx.property).toBe('data right and DMA-API checker silent');
    expect(cx.evictions).toEqual(['after program[2] (startDeviceWrite(0x40, [01 02 03 04 … 1f 20])): CPU: speculative fill of line 5']);
    expect(cx.description).toBe(
      'Eviction order: after program[2] (startDeviceWrite(0x40, [01 02 03 04 … 1f 20])): CPU: speculative fill of line 5. ' +
        'Then program[5] (readBuffer(0x40, 32)) got 01 02 03 04 … 00 00, but a machine without caches or bounce buffers would give 01 02 03 04 … 1f 20.',
    );
    expect(cx.trace[0]).toBe('1. CPU: dma_map_single(dev, 0x40, 32, DMA_FROM_DEVICE)');
    expect(replay(coherenceModel, rep.params, 0, cx.schedule)).toEqual(cx.states);
    // No speculation on the ARM926: every order is fine there.
    expect(exploreEvictions(ARM926, skipSyncThenRead).ok).toBe(true);
  });

  it('finds the shared cache line on arm64 with the checker silent, and proves it harmless with swiotlb bouncing', () => {
    const rep = exploreEvictions(ARM, sharedLine);
    expect(rep.ok).toBe(false);
    expect(rep.recordedFindings).toEqual([]);
    expect(rep.counterexample?.message).toContain('readBuffer(0x44, 28)');
    expect(exploreEvictions(SWIOTLB, sharedLine).ok).toBe(true);
  });

  it('is deterministic: the same routine gives the same report', () => {
    const a = exploreEvictions(ARM, skipSyncThenRead);
    const b = exploreEvictions(ARM, skipSyncThenRead);
    expect(JSON.stringify({ ...b, stats: { ...b.stats, elapsedMs: 0 } })).toBe(JSON.stringify({ ...a, stats: { ...a.stats, elapsedMs: 0 } }));
  });

  it('checkerSilent and dataRight are the two halves of the grader', () => {
    const { params } = recordRoutine(ARM, missingSync);
    const end = last(runToEnd(coherenceModel, params, 0).states);
    expect(dataRight.check(end)).toBeNull();
    expect(checkerSilent.check(end)).toContain('readBuffer(0x40, 32): CPU touched');
  });
});

function COHERENCE_ROUTINE_CORING(k: DmaSession): void {
  const b = k.dma_alloc_coherent(32)!;
  k.writeBuffer(b.cpu_addr, [1, 2, 3]);
  k.startDeviceRead(b.dma_handle, 3);
  k.waitForDevice();
  k.startDeviceWrite(b.dma_handle + 16, [4, 5]);
  k.waitForDevice();
  k.readBuffer(b.cpu_addr + 16, 2);
  k.dma_free_coherent(32, b.cpu_addr, b.dma_handle);
  const sgl = k.sg_init_table([
    { buf: 0x40, len: 16 },
    { buf: 0x60, len: 16 },
  ]);
  const n = k.dma_map_sg(sgl, sgl.orig_nents, DMA_FROM_DEVICE);
  k.startDeviceReceive(Array.from({ length: n }, (_, i) => ({ addr: k.sg_dma_address(sgl, i)!, len: k.sg_dma_len(sgl, i) })));
  k.waitForDevice();
  k.dma_sync_sg_for_cpu(sgl, sgl.orig_nents, DMA_FROM_DEVICE);
  k.readBuffer(0x40, 16);
  k.readBuffer(0x60, 16);
  k.dma_unmap_sg(sgl, sgl.orig_nents, DMA_FROM_DEVICE);
}

// ---------------------------------------------------------------------------------------

describe('the model contract', () => {
  const params = (): CoherenceParams => COHERENCE_PRESETS['rx-correct'].params;

  it('initial state: nothing cached, nothing mapped, no event; enabled offers the CPU first, then evictions and fills', () => {
    const s = coherenceModel.initialState(params(), 0);
    expect(s.event).toBeNull();
    expect(s.lastChoice).toBeNull();
    expect(coherenceModel.event(s)).toBeNull();
    expect(coherenceModel.enabled(s)).toEqual([{ kind: 'cpu' }]);
    const k = createDmaSession(ARM);
    k.writeBuffer(0x40, [1]);
    mapped(k);
    k.startDeviceReceive(0x40, 32);
    expect(coherenceModel.enabled(k.state)).toEqual([{ kind: 'cpu' }, { kind: 'device' }, { kind: 'evict', line: 4 }, { kind: 'fill', line: 5 }]);
    expect(coherenceModel.describeChoice(k.state, { kind: 'device' })).toBe('device: writes 0x40–0x4f');
    expect(coherenceModel.describeChoice(k.state, { kind: 'evict', line: 4 })).toBe('cache: evict line 4 (clean: dropped)');
    expect(coherenceModel.sameChoice({ kind: 'evict', line: 4 }, { kind: 'evict', line: 5 })).toBe(false);
    expect(coherenceModel.sameChoice({ kind: 'fill', line: 4 }, { kind: 'fill', line: 4 })).toBe(true);
  });

  it('step throws Error for a choice that is not enabled; the CPU waits while the device runs', () => {
    const s = coherenceModel.initialState(params(), 0);
    expect(() => coherenceModel.step(s, { kind: 'device' })).toThrow(Error);
    expect(() => coherenceModel.step(s, { kind: 'evict', line: 4 })).toThrow(/not enabled/);
    const states = replay(coherenceModel, params(), 0, cohSched('C3'));
    const t = last(states);
    expect(t.params.program[t.cpu.pc].op).toBe('wait');
    expect(coherenceModel.enabled(t).some((c) => c.kind === 'cpu')).toBe(false);
  });

  it('never mutates a state: every preset replays over deeply frozen states', () => {
    for (const p of Object.values(COHERENCE_PRESETS)) {
      let s = deepFreeze(coherenceModel.initialState(p.params, 0));
      for (const c of p.schedule) {
        const before = JSON.stringify(s);
        const next = coherenceModel.step(s, c);
        expect(JSON.stringify(s)).toBe(before);
        s = deepFreeze(next);
      }
    }
    // Evictions and fills too.
    const k = createDmaSession(ARM);
    k.writeBuffer(0x40, [1]);
    const s = deepFreeze(k.state);
    const e = coherenceModel.step(s, { kind: 'evict', line: 4 });
    expect(e.mem.ram[0x40]).toBe(1);
    expect(s.mem.cache[4].dirty).toBe(true);
  });

  it('is deterministic and JSON-safe: the same run twice gives equal states that survive a JSON round trip', () => {
    for (const p of Object.values(COHERENCE_PRESETS)) {
      const a = replay(coherenceModel, p.params, 1, p.schedule);
      const b = replay(coherenceModel, p.params, 2, p.schedule);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(JSON.parse(JSON.stringify(last(a)))).toEqual(last(a));
    }
  });

  it('stepFast gives the same states as step', () => {
    const p = COHERENCE_PRESETS['debug-checker'];
    let s = coherenceModel.initialState(p.params, 0);
    let f = s;
    for (const c of p.schedule) {
      s = coherenceModel.step(s, c);
      f = coherenceModel.stepFast!(f, c);
    }
    expect(f).toEqual(s);
  });

  it('the key ignores narration and step numbers but not the cache', () => {
    const a = coherenceInitialState(params());
    expect(coherenceKey({ ...a, stepIndex: 9, event: { narration: 'x', source: null, actor: 'cpu' } })).toBe(coherenceKey(a));
    const k = createDmaSession(ARM);
    k.readBuffer(0x40, 1);
    expect(coherenceKey(k.state)).not.toBe(coherenceKey(k.states[0]));
    expect(coherenceActor({ kind: 'fill', line: 1 })).toBe('cache');
    expect(coherenceActor({ kind: 'device' })).toBe('device');
  });

  it('the session keeps every state, records its calls as the program, and is exported from index.ts', () => {
    const k = createDmaSession(ARM);
    rxCorrect(k);
    expect(k.program.map((o) => o.op)).toEqual(['dma_map_single', 'dma_mapping_error', 'start_device', 'wait', 'dma_sync_single_for_cpu', 'read', 'dma_unmap_single']);
    expect(k.states.length).toBe(1 + 7 + 2);
    expect(k.received).toEqual(PACKET);
    k.teardown();
    expect(() => k.readBuffer(0x40, 1)).toThrow(/unbound/);
    expect(() => k.teardown()).toThrow(Error);
    const again = replay(coherenceModel, k.state.params, 0, k.states.slice(1).map((s) => s.lastChoice!));
    expect(last(again)).toEqual(k.state);
    expect(api.createDmaSession).toBe(createDmaSession);
    expect(api.coherenceModel).toBe(coherenceModel);
    expect(api.exploreEvictions).toBe(exploreEvictions);
    expect(api.COHERENCE_PRESETS).toBe(COHERENCE_PRESETS);
    expect(defaultBuffer({ lineSize: 16, ramLines: 8 })).toEqual({ addr: 0x40, len: 32 });
  });
});

describe('bad parameters', () => {
  const bad: [string, Partial<CoherenceParams>, RegExp][] = [
    ['platform', { platform: 'arm' as never }, /platform/],
    ['arch', { arch: 'armv7' as never }, /arch/],
    ['lineSize', { lineSize: 12 }, /lineSize/],
    ['ramLines', { ramLines: 1 }, /ramLines/],
    ['dmaLimit', { dmaLimit: 0x41 }, /dmaLimit/],
    ['swiotlb off its platform', { swiotlb: { addr: 0x20, size: 0x20 } }, /swiotlb/],
    ['pool above the limit', { dmaLimit: 0x20, coherentPool: { addr: 0x20, size: 0x10 } }, /coherentPool/],
    ['ram length', { ram: [1, 2, 3] }, /ram must hold/],
    ['ram bytes', { ram: Array.from({ length: 128 }, () => 256) }, /ram/],
    ['initialCache line', { initialCache: [{ line: 8, dirty: false }] }, /initialCache\[0\]/],
    ['initialCache dirty without data', { initialCache: [{ line: 1, dirty: true }] }, /dirty line needs its data/],
    ['evictions', { evictions: 'yes' as never }, /evictions/],
  ];
  for (const [name, over, re] of bad) {
    it(`rejects ${name} with a RangeError`, () => {
      expect(() => coherenceParams({ platform: 'noncoherent-arm', ...over })).toThrow(RangeError);
      expect(() => coherenceParams({ platform: 'noncoherent-arm', ...over })).toThrow(re);
    });
  }

  const badOps: [string, CpuOp[], RegExp][] = [
    ['an unknown op', [{ op: 'memcpy' } as never], /unknown operation/],
    ['a direction', [{ op: 'dma_map_single', cpu_addr: 0x40, size: 16, dir: 'DMA_NONE' as never }], /dir must be/],
    ['a range outside RAM', [{ op: 'read', addr: 0x78, len: 16 }], /inside RAM/],
    ['bytes', [{ op: 'write', addr: 0, bytes: [300] }], /bytes/],
    ['an unknown scatterlist', [{ op: 'dma_map_sg', sg: 0, nents: 1, dir: 'DMA_TO_DEVICE' }], /sg must name/],
    [
      'nents beyond the table',
      [
        { op: 'sg_init_table', bufs: [{ buf: 0, len: 4 }] },
        { op: 'dma_unmap_sg', sg: 0, nents: 2, dir: 'DMA_TO_DEVICE' },
      ],
      /nents must be/,
    ],
    ['a wait with nothing started', [{ op: 'wait' }], /no transfer was started/],
    [
      'a second start before the wait',
      [
        { op: 'start_device', dma: 'read', segs: [{ addr: 0, len: 1 }] },
        { op: 'start_device', dma: 'read', segs: [{ addr: 0, len: 1 }] },
      ],
      /still busy/,
    ],
    ['write data of the wrong length', [{ op: 'start_device', dma: 'write', segs: [{ addr: 0, len: 2 }], data: [1] }], /data must hold/],
  ];
  for (const [name, program, re] of badOps) {
    it(`rejects a program with ${name}`, () => {
      expect(() => coherenceParams({ platform: 'coherent-x86', program })).toThrow(RangeError);
      expect(() => coherenceParams({ platform: 'coherent-x86', program })).toThrow(re);
    });
  }

  it('validateCoherenceParams and initialState reject a non-object; the session rejects bad calls with RangeError', () => {
    expect(() => validateCoherenceParams(null as never)).toThrow(RangeError);
    expect(() => coherenceModel.initialState({ ...coherenceParams(ARM), lineSize: 3 }, 0)).toThrow(RangeError);
    const k = createDmaSession(ARM);
    expect(() => k.dma_map_single(0x70, 32, DMA_TO_DEVICE)).toThrow(RangeError);
    expect(() => k.dma_map_single(0x40, 1.5, DMA_TO_DEVICE)).toThrow(RangeError);
    expect(() => k.dma_map_sg({ sg: 3, orig_nents: 1 }, 1, DMA_TO_DEVICE)).toThrow(RangeError);
    expect(() => k.waitForDevice()).toThrow(RangeError);
    expect(() => k.startDeviceWrite(0x40, [1, 2, 999])).toThrow(RangeError);
    expect(() => k.startDeviceReceive(0x40)).toThrow(RangeError);
    expect(() => k.evict(4)).toThrow(Error);
    expect(k.states.length).toBe(1); // nothing was recorded by the failed calls
    expect(() => createDmaSession({ ...ARM, incoming: [256] })).toThrow(RangeError);
    expect(() => createDmaSession({ ...ARM, program: [{ op: 'wait' }] } as never)).toThrow(RangeError);
    const short = createDmaSession({ ...ARM, incoming: [1, 2] });
    expect(() => short.startDeviceReceive(0x40, 3)).toThrow(/only 2 bytes left/);
  });
});
