/**
 * The device and the cache in the coherence model: the device moves one cache line of its
 * transfer per step (it does not snoop on a non-coherent platform), and a line is evicted
 * or speculatively filled when the scheduler says so. Part of the coherence model (`coherence.ts`).
 */
import type { CacheLine, CoherenceState, DebugRule, DeviceTransfer, DmaMapping } from './coherence-types.ts';
import type { Said } from './coherence-cpu.ts';
import { bytesText, callText, hex, rangeText } from './coherence-words.ts';
import { deviceRead, deviceWrite, evictLine, fillLine } from './cache.ts';
import { finish, flagged, idealWrite, report, work } from './coherence-work.ts';
import { isCoherent } from './coherence-params.ts';
// ---------------------------------------------------------------------------------------
// The device, the cache

/** The live mapping whose bus range holds `[addr, addr + len)`, if any. */
function mappingAt(mappings: readonly DmaMapping[], addr: number, len: number): DmaMapping | null {
  return mappings.find((m) => !m.unmapped && m.handle <= addr && m.handle + m.size >= addr + len) ?? null;
}

/** The device's next piece of `t`: where the transfer stands, up to the end of that segment
 *  or of that cache line, whichever comes first. */
export function nextPiece(t: DeviceTransfer, lineSize: number): { bus: number; chunk: number } {
  let k = 0;
  let o = t.done;
  while (o >= t.segs[k].len) o -= t.segs[k++].len;
  const bus = t.segs[k].addr + o;
  return { bus, chunk: Math.min(t.segs[k].len - o, lineSize - (bus % lineSize)) };
}

export function applyDevice(s: CoherenceState): { state: CoherenceState; said: Said } {
  const w = work(s);
  const t = s.device.op as NonNullable<CoherenceState['device']['op']>;
  const p = s.params;
  const { bus, chunk } = nextPiece(t, p.lineSize);
  const snoop = isCoherent(p.platform);
  const before = w.findings.length;
  const call = callText(p.program[t.pc]);
  // One finding per rule per transfer, not one per line.
  const flag = (rule: DebugRule, message: string) => {
    if (!w.findings.some((f) => f.rule === rule && f.pc === t.pc)) report(w, [{ rule, message }], t.pc, call);
  };
  const line = Math.floor(bus / p.lineSize);
  let narration: string;
  let got: number[] = [];
  let ideal: number[] = [];
  if (bus + chunk > p.dmaLimit || bus + chunk > s.mem.ram.length) {
    const why = bus + chunk > s.mem.ram.length ? 'there is no RAM there' : `the device can only reach ${rangeText(0, p.dmaLimit)} (its DMA mask)`;
    flag('device-access-unmapped', `the device accessed bus address ${rangeText(bus, chunk)}, but ${why}`);
    got = Array.from({ length: chunk }, () => 0);
    ideal = got;
    narration = `The device tries to ${t.dma} ${rangeText(bus, chunk)}, but ${why}: the ${chunk} bytes go nowhere${flagged(w, before)}.`;
  } else {
    const m = mappingAt(s.mappings, bus, chunk);
    if (!m) flag('device-access-unmapped', `the device accessed bus address ${rangeText(bus, chunk)}, which no live mapping covers`);
    else if (m.owner === 'cpu') flag('device-access-cpu-owned', `the device accessed ${rangeText(bus, chunk)} after the driver handed that mapping (handle ${hex(m.handle)}) to the CPU`);
    const cpuAddr = m ? m.cpu_addr + (bus - m.handle) : bus;
    const slot = m && m.bounce ? ` (swiotlb slot for ${rangeText(cpuAddr, chunk)})` : '';
    const cl: CacheLine = s.mem.cache[line];
    if (t.dma === 'write') {
      const bytes = t.data.slice(t.done, t.done + chunk);
      const r = deviceWrite(w.mem, bus, bytes, snoop);
      w.mem = r.mem;
      idealWrite(w, cpuAddr, bytes);
      let cache = '';
      if (snoop) {
        if (r.report.dropped.length) cache = `; the snoop ${r.report.written.length ? 'writes back and ' : ''}invalidates the CPU's copy of line ${line}`;
      } else if (cl.valid && !s.mem.uncached[line]) {
        cache = cl.dirty
          ? `, but line ${line} is dirty in the cache: if it is evicted now it will overwrite these bytes`
          : `, behind the cache's back: the clean copy of line ${line} in the cache is now stale`;
      }
      narration = `The device writes ${bytesText(bytes)} to ${rangeText(bus, chunk)}${slot} in RAM${cache}${flagged(w, before)}.`;
    } else {
      const r = deviceRead(w.mem, bus, chunk, snoop);
      w.mem = r.mem;
      got = r.bytes;
      ideal = w.ideal.slice(cpuAddr, cpuAddr + chunk);
      let cache = '';
      if (snoop) {
        if (r.report.written.length) cache = `; the snoop writes back dirty line ${line} first, so it gets the CPU's bytes`;
      } else if (cl.valid && cl.dirty && !s.mem.uncached[line]) {
        cache = `, but line ${line} is dirty in the cache: the device misses the CPU's newer bytes`;
      }
      narration = `The device reads ${bytesText(got)} from ${rangeText(bus, chunk)}${slot}${cache}${flagged(w, before)}.`;
    }
  }
  const done = t.done + chunk;
  const next = t.dma === 'read' ? { ...t, data: [...t.data, ...got], ideal: [...t.ideal, ...ideal], done } : { ...t, done };
  if (done >= t.len) {
    w.device = { op: null, irq: true, transfers: [...s.device.transfers, next] };
    narration = `${narration.slice(0, -1)}; the transfer is complete and the device raises its interrupt.`;
  } else {
    w.device = { ...s.device, op: next };
  }
  return { state: finish(w, s.cpu.pc, s.cpu.phase), said: { narration, source: null } };
}

export function applyEvict(s: CoherenceState, line: number): { state: CoherenceState; said: Said } {
  const l = s.mem.cache[line];
  const r = evictLine(s.mem, line);
  const at = rangeText(l.addr, s.mem.lineSize);
  const narration = l.dirty
    ? `The cache evicts dirty line ${line}: its bytes (${bytesText(l.data)}) are written back to RAM at ${at}.`
    : `The cache evicts clean line ${line} (${at}): the copy is dropped, RAM is unchanged.`;
  return { state: { ...s, mem: r.mem }, said: { narration, source: null } };
}

export function applyFill(s: CoherenceState, line: number): { state: CoherenceState; said: Said } {
  const r = fillLine(s.mem, line);
  const l = r.mem.cache[line];
  const narration = `The CPU speculatively fills line ${line} from RAM (${bytesText(l.data)}): an arm64 core may load any cacheable line at any time, even one the device owns.`;
  return { state: { ...s, mem: r.mem }, said: { narration, source: null } };
}
