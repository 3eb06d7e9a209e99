/**
 * Words and small facts for the cache-coherence / buffer-ownership widget (`<coherence-sim>`),
 * computed from states of `sims/dma/coherence.ts` with no DOM: the platform's name, byte and
 * address text, what each cache slot holds compared with RAM, which bytes the last step
 * changed, the ownership token's words, which RAM lines each mapping covers, and the verdict
 * on the data ("stale data", "old bytes sent", or right). Used by the layout
 * (`coh-layout.ts`), the HTML views (`coh-html.ts`), the server render and the element.
 */
import type { CohChoice, CoherenceParams, CoherenceState, CpuOp, DeviceTransfer, DmaMapping, MappingOwner } from '../../../sims/dma/index.ts';
import { noSourceByActor } from '../../player/definition.ts';
import { seriesColor } from '../../scene/palette.ts';

/** A byte as two hex digits: `0f`. */
export function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** An address as `0x40`. */
export function addr(n: number): string {
  return `0x${n.toString(16)}`;
}

/** `0x40–0x5f` (one byte: `0x40`; nothing: `0x40 (0 bytes)`). */
export function range(start: number, len: number): string {
  if (len <= 0) return `${addr(start)} (0 bytes)`;
  return len === 1 ? addr(start) : `${addr(start)}–${addr(start + len - 1)}`;
}

/** Bytes as spaced hex, every byte: `00 01 02`. */
export function bytesHex(bytes: readonly number[]): string {
  return bytes.map(hex2).join(' ');
}

/** Bytes as spaced hex, shortened past 8 (`01 02 03 04 … 1f 20`). */
export function bytesShort(bytes: readonly number[]): string {
  if (bytes.length <= 8) return bytesHex(bytes);
  return `${bytesHex(bytes.slice(0, 4))} … ${bytesHex(bytes.slice(-2))}`;
}

/** Indices where `a` and `b` differ (over the longer of the two). */
export function diffIndices(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** The platform as the widget names it. */
export interface PlatformInfo {
  /** `coherent x86`, `non-coherent arm64`, `non-coherent ARM926`, `x86 with swiotlb`. */
  name: string;
  /** `x86` | `arm64` | `arm926` | `swiotlb` (a `data-platform` value for styling and tests). */
  key: 'x86' | 'arm64' | 'arm926' | 'swiotlb';
  /** One sentence: who keeps the cache and the device's view of RAM in step. */
  detail: string;
}

/** Names the platform of `params` and says what it means for DMA. */
export function platformInfo(p: CoherenceParams): PlatformInfo {
  switch (p.platform) {
    case 'coherent-x86':
      return { name: 'coherent x86', key: 'x86', detail: 'The device snoops the CPU cache: the DMA API does no cache work, and syncs cost nothing.' };
    case 'swiotlb':
      return {
        name: 'x86 with swiotlb',
        key: 'swiotlb',
        detail: `Coherent, but the device reaches only ${range(0, p.dmaLimit)}: buffers above are bounced through swiotlb slots, copied at map, sync and unmap.`,
      };
    case 'noncoherent-arm':
      return p.arch === 'arm926'
        ? {
            name: 'non-coherent ARM926',
            key: 'arm926',
            detail: 'Nothing keeps the cache and RAM in step: the DMA API cleans and invalidates lines at map time; the core never fills lines speculatively.',
          }
        : {
            name: 'non-coherent arm64',
            key: 'arm64',
            detail: 'Nothing keeps the cache and RAM in step: the DMA API cleans lines for the device and invalidates them for the CPU; the CPU may fill lines speculatively at any time.',
          };
  }
}

/** The state of line `n`'s cache slot. `stale`: a valid copy whose bytes differ from RAM
 *  (a clean line RAM changed under, or a dirty line not yet written back). */
export interface SlotInfo {
  status: 'uncached' | 'invalid' | 'clean' | 'dirty';
  /** Byte offsets (within the line) where the cached copy differs from RAM. */
  differs: number[];
}

/** What line `n`'s cache slot holds compared with RAM. */
export function slotInfo(state: CoherenceState, n: number): SlotInfo {
  const m = state.mem;
  const l = m.cache[n];
  if (m.uncached[n]) return { status: 'uncached', differs: [] };
  if (!l || !l.valid) return { status: 'invalid', differs: [] };
  const ram = m.ram.slice(n * m.lineSize, (n + 1) * m.lineSize);
  return { status: l.dirty ? 'dirty' : 'clean', differs: diffIndices(l.data, ram) };
}

/** The bytes the step into `state` changed (from `prev`): RAM byte addresses, and cache
 *  bytes as `line * lineSize + offset`, plus the lines whose slot changed state. */
export interface Changes {
  ram: Set<number>;
  cache: Set<number>;
  slots: Set<number>;
}

/** What changed between `prev` and `state` (nothing when `prev` is null). */
export function changesOf(prev: CoherenceState | null, state: CoherenceState): Changes {
  const out: Changes = { ram: new Set(), cache: new Set(), slots: new Set() };
  if (!prev) return out;
  const ls = state.mem.lineSize;
  state.mem.ram.forEach((b, i) => {
    if (prev.mem.ram[i] !== b) out.ram.add(i);
  });
  state.mem.cache.forEach((l, n) => {
    const p = prev.mem.cache[n];
    if (!p || p.valid !== l.valid || p.dirty !== l.dirty || prev.mem.uncached[n] !== state.mem.uncached[n]) out.slots.add(n);
    if (!l.valid) return;
    l.data.forEach((b, i) => {
      if (!p || !p.valid || p.data[i] !== b) out.cache.add(n * ls + i);
    });
  });
  return out;
}

/** `CPU`, `device` or `CPU and device`. */
export function ownerWord(o: MappingOwner): string {
  return o === 'cpu' ? 'CPU' : o === 'device' ? 'device' : 'CPU and device';
}

/** A mapping as a short label: `#0 dma_map_single 0x40–0x5f DMA_FROM_DEVICE`, an sg entry
 *  `#1 sgl0[0] 0x60–0x6f DMA_TO_DEVICE`, a coherent buffer `#0 dma_alloc_coherent 0x0–0x1f`. */
export function mappingLabel(m: DmaMapping): string {
  const what = m.type === 'single' ? 'dma_map_single' : m.type === 'coherent' ? 'dma_alloc_coherent' : `sgl${m.sg?.table ?? 0}[${m.sg?.entry ?? 0}]`;
  return `#${m.id} ${what} ${range(m.cpu_addr, m.size)}${m.type === 'coherent' ? '' : ` ${m.dir}`}`;
}

/** The handle part of a mapping's description: `handle 0x40`, or `handle 0x20 (swiotlb slot)`. */
export function handleWords(m: DmaMapping): string {
  return `handle ${addr(m.handle)}${m.bounce ? ' (swiotlb slot)' : ''}`;
}

/** Where a mapping's ownership token sits: with its owner, or (unmapped) back with the CPU as
 *  plain memory. */
export function tokenWords(m: DmaMapping): string {
  if (m.unmapped) return m.type === 'coherent' ? 'freed' : 'unmapped: plain CPU memory again';
  if (m.owner === 'both') return 'owned by CPU and device at once (coherent)';
  return `owned by the ${ownerWord(m.owner)}`;
}

/** The RAM lines `[first, last]` the byte range covers. */
export function linesOfRange(lineSize: number, start: number, len: number): number[] {
  if (len <= 0) return [];
  const out: number[] = [];
  for (let n = Math.floor(start / lineSize); n <= Math.floor((start + len - 1) / lineSize); n++) out.push(n);
  return out;
}

/** A span of bytes a live mapping holds in RAM: its buffer, or (bounced) its swiotlb slots. */
export interface OwnedSpan {
  mapping: number;
  owner: MappingOwner;
  start: number;
  len: number;
  /** The span is the bounce slot, not the driver's buffer. */
  bounce: boolean;
}

/** The byte ranges the live mappings of `state` cover: each buffer, and each bounce slot range. */
export function ownedSpans(state: CoherenceState): OwnedSpan[] {
  const out: OwnedSpan[] = [];
  for (const m of state.mappings) {
    if (m.unmapped) continue;
    out.push({ mapping: m.id, owner: m.owner, start: m.cpu_addr, len: m.size, bounce: false });
    if (m.bounce) out.push({ mapping: m.id, owner: m.owner, start: m.handle, len: m.size, bounce: true });
  }
  return out;
}

/** How a transfer reads: `the device wrote 32 bytes to 0x40–0x5f` (done) or `… is writing
 *  … (16 of 32 bytes)` (in flight). */
export function transferWords(t: DeviceTransfer, inFlight: boolean): string {
  const where = t.segs.map((s) => range(s.addr, s.len)).join(', ');
  if (t.dma === 'write') return inFlight ? `The device is writing ${t.len} bytes to ${where} (${t.done} of ${t.len} done)` : `The device wrote ${t.len} bytes to ${where}`;
  return inFlight ? `The device is reading ${t.len} bytes from ${where} to send (${t.done} of ${t.len} done)` : `The device sent ${t.len} bytes read from ${where}`;
}

/** The verdict on the data so far. */
export interface DataVerdict {
  /** `pending`: nothing read yet; `right`: every read agrees with a cache-less machine;
   *  `stale`: the CPU read stale data; `old-sent`: the device sent old bytes; `both`. */
  kind: 'pending' | 'right' | 'stale' | 'old-sent' | 'both';
  /** One sentence. */
  text: string;
}

/** Whether what the CPU read and what the device sent agree with a machine with no cache and
 *  no bounce buffers (`ideal`). */
export function dataVerdict(state: CoherenceState): DataVerdict {
  const badRead = state.cpu.reads.find((r) => diffIndices(r.bytes, r.ideal).length > 0);
  const sent = [...state.device.transfers, ...(state.device.op ? [state.device.op] : [])].filter((t) => t.dma === 'read');
  const badSend = sent.find((t) => diffIndices(t.data, t.ideal.slice(0, t.data.length)).length > 0);
  const stale = badRead ? `Stale data: the CPU read ${bytesShort(badRead.bytes)} at ${range(badRead.addr, badRead.bytes.length)}, where a machine without caches would read ${bytesShort(badRead.ideal)}.` : '';
  const old = badSend ? `Old bytes sent: the device sent ${bytesShort(badSend.data)}, but the driver’s buffer held ${bytesShort(badSend.ideal.slice(0, badSend.data.length))}.` : '';
  if (badRead && badSend) return { kind: 'both', text: `${stale} ${old}` };
  if (badRead) return { kind: 'stale', text: stale };
  if (badSend) return { kind: 'old-sent', text: old };
  const n = state.cpu.reads.length + sent.reduce((k, t) => k + (t.data.length > 0 ? 1 : 0), 0);
  if (n === 0) return { kind: 'pending', text: 'Nothing has been read yet: the verdict comes with the first CPU read or device send.' };
  return { kind: 'right', text: `Right data so far: every read (${n}) got what a machine without caches or bounce buffers would.` };
}

/** The one-sentence narration of a state (the initial state has its own). */
export function narrationOf(state: CoherenceState): string {
  if (state.event) return state.event.narration;
  const p = state.params;
  return `Nothing has run yet. On ${platformInfo(p).name}, the driver’s routine has ${p.program.length} calls; RAM is ${p.ramLines} lines of ${p.lineSize} bytes, and the cache is empty${p.initialCache.length ? ' except for the lines shown' : ''}.`;
}

/** Text of the muted source chip for a step with no kernel source. */
export const noSourceText = noSourceByActor(
  (state: CoherenceState) => state.event?.actor,
  { device: 'the device (hardware), not kernel code', cache: 'the cache hardware: an eviction or speculative fill, no kernel code' },
  'the driver’s own code (loads, stores, starting the device), not the DMA API',
);

/** The left-edge colour of a scheduler button, by the choice's kind. */
const CHOICE_COLOR: Readonly<Record<CohChoice['kind'], string>> = {
  cpu: 'var(--sim-accent)',
  device: seriesColor(3),
  evict: 'var(--sim-muted)',
  fill: seriesColor(1),
};

/** Style of a scheduler button: its kind and left-edge colour. */
export function choiceStyle(c: CohChoice): { kind: string; color: string } {
  return { kind: c.kind, color: CHOICE_COLOR[c.kind] };
}

/** Bytes the program's reads and transfers will need, per item, in order (fixed by the
 *  program, so diagram sizes never change while stepping). */
export function dataItemsOf(program: readonly CpuOp[]): { kind: 'read' | 'send' | 'write'; len: number }[] {
  const out: { kind: 'read' | 'send' | 'write'; len: number }[] = [];
  for (const op of program) {
    if (op.op === 'read') out.push({ kind: 'read', len: op.len });
    else if (op.op === 'start_device') out.push({ kind: op.dma === 'read' ? 'send' : 'write', len: op.segs.reduce((a, s) => a + s.len, 0) });
  }
  return out;
}

/** The most mapping records the program can make (dma-debug keeps one per mapped entry). */
export function maxMappingsOf(program: readonly CpuOp[]): number {
  const tables: number[] = [];
  let n = 0;
  for (const op of program) {
    if (op.op === 'sg_init_table') tables.push(op.bufs.length);
    else if (op.op === 'dma_map_single' || op.op === 'dma_alloc_coherent') n++;
    else if (op.op === 'dma_map_sg') n += Math.min(op.nents, tables[op.sg] ?? op.nents);
  }
  return n;
}
