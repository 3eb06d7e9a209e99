/**
 * The DMA-API checker: dma-debug's checks (CONFIG_DMA_API_DEBUG, kernel/dma/debug.c, 6.12)
 * over the model's mapping records, in dma-debug's words, plus three checks of the simulator's
 * own that dma-debug cannot make because it never sees a load, a store or a bus access (the CPU
 * touching a buffer the device owns; the device touching memory it does not own). Pure
 * functions; the model (`./coherence.ts`) attaches each finding to the step that caused it.
 *
 * Followed from debug.c: the lookup (`__hash_bucket_find`: exact handle for unmaps and
 * `dma_mapping_error`, "containing" range for syncs; with several candidates only a perfect
 * fit is taken, else none), `check_unmap` (not found / size / wrong function / CPU address /
 * sg count / direction / map error not checked, in that order), `check_sync` (not found /
 * BIDIRECTIONAL skips the rest / direction / read-only for cpu / write-only to device / sg
 * count) and the leak report at driver unbind (`dma_debug_device_change`).
 * Simplified: dma-debug reports per sg entry; the model reports a rule once per call. The
 * leak report names the first leaked mapping in creation order (the kernel names the last
 * one its hash walk finds) and is printed on one line.
 */
import type { DebugRule, DmaMapping, MappingType } from './coherence-types.ts';
import type { DmaDirection } from './types.ts';

/** `DMA_MAPPING_ERROR` (`~(dma_addr_t)0` in the kernel; -1 here, as no bus address is negative). */
export const DMA_MAPPING_ERROR = -1;

/** dma-debug's prefix (`pr_fmt` in kernel/dma/debug.c). */
export const DMA_API_PREFIX = 'DMA-API: ';

/** A rule's short name and who checks it. */
export interface RuleInfo {
  /** A short human name for a list or a legend. */
  title: string;
  /** 'dma-debug': the kernel's CONFIG_DMA_API_DEBUG reports it; 'simulator': the model's own. */
  source: 'dma-debug' | 'simulator';
}

/** Every rule the checker names. */
export const DEBUG_RULES: Record<DebugRule, RuleInfo> = {
  'cpu-touch-device-owned': { title: 'CPU touched a buffer owned by the device', source: 'simulator' },
  'device-access-unmapped': { title: 'device accessed memory outside every live mapping', source: 'simulator' },
  'device-access-cpu-owned': { title: 'device accessed a buffer owned by the CPU', source: 'simulator' },
  'sync-direction': { title: 'sync with a direction different from the mapping', source: 'dma-debug' },
  'sync-read-only-for-cpu': { title: 'sync of device read-only memory for the CPU', source: 'dma-debug' },
  'sync-write-only-to-device': { title: 'sync of device write-only memory for the device', source: 'dma-debug' },
  'sync-not-mapped': { title: 'sync of memory that is not mapped (wrong handle, larger size, or after unmap)', source: 'dma-debug' },
  'sync-sg-count': { title: 'sg sync with a count other than the original nents', source: 'dma-debug' },
  'unmap-size': { title: 'unmap with a size different from map', source: 'dma-debug' },
  'unmap-direction': { title: 'unmap with a direction different from map', source: 'dma-debug' },
  'unmap-wrong-function': { title: 'unmap with the wrong function', source: 'dma-debug' },
  'free-cpu-address': { title: 'dma_free_coherent with a different CPU address', source: 'dma-debug' },
  'unmap-sg-count': { title: 'dma_unmap_sg with the mapped count instead of the original nents', source: 'dma-debug' },
  'double-unmap': { title: 'double unmap', source: 'dma-debug' },
  'unmap-not-mapped': { title: 'unmap of memory that was never mapped', source: 'dma-debug' },
  'map-error-not-checked': { title: 'mapping never checked with dma_mapping_error', source: 'dma-debug' },
  leak: { title: 'mapping never unmapped (leak at teardown)', source: 'dma-debug' },
};

/** A finding before the model attaches step, pc and call. */
export interface RawFinding {
  rule: DebugRule;
  message: string;
}

/** What a call presents to dma-debug (`struct dma_debug_entry ref`). */
export interface DebugRef {
  type: MappingType;
  /** `dev_addr`. */
  handle: number;
  size: number;
  dir: DmaDirection;
  /** The nents the sg call was given (`sg_call_ents`); 0 for other calls. */
  sg_call_ents: number;
  /** The CPU address (`paddr`), for `dma_free_coherent`. */
  cpu_addr?: number;
}

/** `0x%016llx`, as dma-debug prints device addresses. */
export function devAddr(n: number): string {
  return `0x${n.toString(16).padStart(16, '0')}`;
}

const live = (m: DmaMapping) => !m.unmapped;
const callEnts = (m: DmaMapping) => (m.sg ? m.sg.call_ents : 0);

/** `__hash_bucket_find` over the live mappings that `match`: a single match, or among several
 *  a perfect fit (size, type, direction and sg_call_ents all equal); else null. */
function bucketFind(mappings: readonly DmaMapping[], ref: DebugRef, match: (m: DmaMapping) => boolean): number | null {
  let found: number | null = null;
  let count = 0;
  for (let i = 0; i < mappings.length; i++) {
    const m = mappings[i];
    if (!live(m) || !match(m)) continue;
    count++;
    if (m.size === ref.size && m.type === ref.type && m.dir === ref.dir && callEnts(m) === ref.sg_call_ents) return i;
    if (found === null) found = i;
  }
  return count === 1 ? found : null;
}

/** `bucket_find_exact`: the live mapping whose handle is `ref.handle`. */
export function findExact(mappings: readonly DmaMapping[], ref: DebugRef): number | null {
  return bucketFind(mappings, ref, (m) => m.handle === ref.handle);
}

/** `bucket_find_contain`: the live mapping whose `[handle, handle + size)` contains the ref's range. */
export function findContaining(mappings: readonly DmaMapping[], ref: DebugRef): number | null {
  return bucketFind(mappings, ref, (m) => m.handle <= ref.handle && m.handle + m.size >= ref.handle + ref.size);
}

/**
 * `check_unmap` (kernel/dma/debug.c, 6.12) for an unmap or free presented as `ref`. Returns the
 * index of the mapping it matched (null when none) and the findings, in the kernel's order. With
 * no match, a mapping at that handle that was already unmapped makes it a `'double-unmap'`.
 */
export function checkUnmap(mappings: readonly DmaMapping[], ref: DebugRef): { entry: number | null; findings: RawFinding[] } {
  const i = findExact(mappings, ref);
  if (i === null) {
    if (ref.handle === DMA_MAPPING_ERROR) {
      return { entry: null, findings: [{ rule: 'unmap-not-mapped', message: `${DMA_API_PREFIX}device driver tries to free an invalid DMA memory address` }] };
    }
    const was = mappings.some((m) => m.unmapped && m.handle === ref.handle);
    const message = `${DMA_API_PREFIX}device driver tries to free DMA memory it has not allocated [device address=${devAddr(ref.handle)}] [size=${ref.size} bytes]`;
    return { entry: null, findings: [{ rule: was ? 'double-unmap' : 'unmap-not-mapped', message }] };
  }
  const e = mappings[i];
  const out: RawFinding[] = [];
  const at = `[device address=${devAddr(ref.handle)}]`;
  if (ref.size !== e.size) {
    out.push({ rule: 'unmap-size', message: `${DMA_API_PREFIX}device driver frees DMA memory with different size ${at} [map size=${e.size} bytes] [unmap size=${ref.size} bytes]` });
  }
  if (ref.type !== e.type) {
    out.push({
      rule: 'unmap-wrong-function',
      message: `${DMA_API_PREFIX}device driver frees DMA memory with wrong function ${at} [size=${ref.size} bytes] [mapped as ${e.type}] [unmapped as ${ref.type}]`,
    });
  } else if (e.type === 'coherent' && ref.cpu_addr !== undefined && ref.cpu_addr !== e.cpu_addr) {
    out.push({
      rule: 'free-cpu-address',
      message: `${DMA_API_PREFIX}device driver frees DMA memory with different CPU address ${at} [size=${ref.size} bytes] [cpu alloc address=${devAddr(e.cpu_addr)}] [cpu free address=${devAddr(ref.cpu_addr)}]`,
    });
  }
  if (ref.sg_call_ents && ref.type === 'scatter-gather' && ref.sg_call_ents !== callEnts(e)) {
    out.push({
      rule: 'unmap-sg-count',
      message: `${DMA_API_PREFIX}device driver frees DMA sg list with different entry count [map count=${callEnts(e)}] [unmap count=${ref.sg_call_ents}]`,
    });
  }
  if (ref.dir !== e.dir) {
    out.push({
      rule: 'unmap-direction',
      message: `${DMA_API_PREFIX}device driver frees DMA memory with different direction ${at} [size=${ref.size} bytes] [mapped with ${e.dir}] [unmapped with ${ref.dir}]`,
    });
  }
  if (e.type === 'single' && !e.mapErrorChecked) {
    // The kernel's format string has no space before the bracket.
    out.push({ rule: 'map-error-not-checked', message: `${DMA_API_PREFIX}device driver failed to check map error${at} [size=${ref.size} bytes] [mapped as ${e.type}]` });
  }
  return { entry: i, findings: out };
}

/**
 * `check_sync` (kernel/dma/debug.c, 6.12) for a sync presented as `ref`, `toCpu` for the
 * `_for_cpu` calls. Returns the mapping matched (a live one containing the range) and the
 * findings. A mapping made DMA_BIDIRECTIONAL skips the direction checks.
 */
export function checkSync(mappings: readonly DmaMapping[], ref: DebugRef, toCpu: boolean): { entry: number | null; findings: RawFinding[] } {
  const i = findContaining(mappings, ref);
  if (i === null) {
    return {
      entry: null,
      findings: [
        { rule: 'sync-not-mapped', message: `${DMA_API_PREFIX}device driver tries to sync DMA memory it has not allocated [device address=${devAddr(ref.handle)}] [size=${ref.size} bytes]` },
      ],
    };
  }
  const e = mappings[i];
  const out: RawFinding[] = [];
  if (e.dir === 'DMA_BIDIRECTIONAL') return { entry: i, findings: out };
  const tail = `[device address=${devAddr(e.handle)}] [size=${e.size} bytes] [mapped with ${e.dir}] [synced with ${ref.dir}]`;
  if (ref.dir !== e.dir) out.push({ rule: 'sync-direction', message: `${DMA_API_PREFIX}device driver syncs DMA memory with different direction ${tail}` });
  if (toCpu && e.dir !== 'DMA_FROM_DEVICE' && ref.dir !== 'DMA_TO_DEVICE') {
    out.push({ rule: 'sync-read-only-for-cpu', message: `${DMA_API_PREFIX}device driver syncs device read-only DMA memory for cpu ${tail}` });
  }
  if (!toCpu && e.dir !== 'DMA_TO_DEVICE' && ref.dir !== 'DMA_FROM_DEVICE') {
    out.push({ rule: 'sync-write-only-to-device', message: `${DMA_API_PREFIX}device driver syncs device write-only DMA memory to device ${tail}` });
  }
  if (ref.sg_call_ents && ref.type === 'scatter-gather' && ref.sg_call_ents !== callEnts(e)) {
    out.push({
      rule: 'sync-sg-count',
      message: `${DMA_API_PREFIX}device driver syncs DMA sg list with different entry count [map count=${callEnts(e)}] [sync count=${ref.sg_call_ents}]`,
    });
  }
  return { entry: i, findings: out };
}

/** `debug_dma_mapping_error`: marks the first live mapping at `handle` that was not checked
 *  yet as checked. Returns its index, or null. */
export function markMapErrorChecked(mappings: readonly DmaMapping[], handle: number): number | null {
  const i = mappings.findIndex((m) => live(m) && m.handle === handle && !m.mapErrorChecked);
  return i < 0 ? null : i;
}

/** dma-debug at driver unbind (`dma_debug_device_change`, BUS_NOTIFY_UNBOUND_DRIVER): one
 *  finding when mappings or coherent allocations are still live, counting them. */
export function checkLeaks(mappings: readonly DmaMapping[]): RawFinding[] {
  const left = mappings.filter(live);
  if (left.length === 0) return [];
  const e = left[0];
  return [
    {
      rule: 'leak',
      message:
        `${DMA_API_PREFIX}device driver has pending DMA allocations while released from device [count=${left.length}] ` +
        `One of leaked entries details: [device address=${devAddr(e.handle)}] [size=${e.size} bytes] [mapped with ${e.dir}] [mapped as ${e.type}]`,
    },
  ];
}

const hex = (n: number) => `0x${n.toString(16)}`;
const span = (a: number, len: number) => (len <= 1 ? hex(a) : `${hex(a)}–${hex(a + len - 1)}`);

/** The CPU range of a mapping (a bounce mapping's CPU side is the original buffer). */
function cpuRange(m: DmaMapping): [number, number] {
  return [m.cpu_addr, m.cpu_addr + m.size];
}

/**
 * The simulator's ownership rule for a CPU load (`write` false) or store of `[addr, addr + len)`:
 * one finding per live streaming mapping the device owns that overlaps it. Coherent
 * allocations belong to both and are never flagged.
 */
export function checkCpuAccess(mappings: readonly DmaMapping[], addr: number, len: number, write: boolean): RawFinding[] {
  const out: RawFinding[] = [];
  for (const m of mappings) {
    if (!live(m) || m.owner !== 'device') continue;
    const [a, b] = cpuRange(m);
    if (addr < b && a < addr + len) {
      const what = m.type === 'single' ? 'dma_map_single' : 'dma_map_sg';
      out.push({
        rule: 'cpu-touch-device-owned',
        message:
          `CPU touched a buffer owned by the device: it ${write ? 'wrote' : 'read'} ${span(addr, len)} while ${span(a, b - a)} ` +
          `belongs to the device (${what}, ${m.dir}, handle ${hex(m.handle)}) until dma_sync_*_for_cpu or unmap hands it back`,
      });
    }
  }
  return out;
}
