/**
 * The UIO model's initial state, and the driver's DMA regions: allocated with
 * `dma_alloc_coherent` at the first open and freed at the last release (uio_dmem_genirq).
 * Part of the UIO model (`model.ts`).
 */
import { BAR0_PHYS, BAR0_SIZE, DEVICE_BDF, DMEM_MAP_ERROR, PAGE_OFFSET, PAGE_SIZE, UIO_MEM, USER_BUFFER_VA, VMALLOC_START, hex64 } from './constants.ts';
import type { Frame, ProcA, UioDriver, UioMap, UioMapSpec, UioParams, UioState } from './types.ts';
import { deepClone, findFreeRun, sizeText, toBytes } from './common.ts';
import { validateParams } from './params.ts';
// ---------------------------------------------------------------------------------------
// The initial state.

/** `addrHex` and addresses of a map whose memory sits at physical `phys`. */
function mapAddresses(m: UioMapSpec, index: number, phys: number | null): Pick<UioMap, 'addrHex' | 'phys' | 'dmaAddr'> {
  if (m.backing === 'bar') return { addrHex: hex64(BAR0_PHYS), phys: BAR0_PHYS, dmaAddr: null };
  if (phys === null) return { addrHex: hex64(DMEM_MAP_ERROR), phys: null, dmaAddr: null };
  if (m.backing === 'dma') {
    // PHYS: mem->addr is the DMA handle (= phys without an IOMMU); DMA_COHERENT: mem->addr is the CPU address.
    const addr = m.memtype === 'PHYS' ? BigInt(phys) : PAGE_OFFSET + BigInt(phys);
    return { addrHex: hex64(addr), phys, dmaAddr: phys };
  }
  const addr = m.memtype === 'VIRTUAL' ? VMALLOC_START + BigInt(index * 0x100000) : PAGE_OFFSET + BigInt(phys);
  return { addrHex: hex64(addr), phys, dmaAddr: null };
}

/** Allocates `map`'s frames (lowest free run) in `s`; returns false when there is no room. */
export function allocateMap(s: UioState, map: UioMap, spec: UioMapSpec): boolean {
  const n = Math.ceil(map.size / PAGE_SIZE);
  const start = findFreeRun(s.frames, n);
  if (start === null) return false;
  const pfns: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = s.frames[start + i];
    f.owner = spec.backing === 'dma' ? 'dma-buffer' : 'kernel-map';
    f.va = null;
    f.label = `uio0 map${map.index}`;
    // dma_alloc_coherent returns zeroed memory; the driver's kernel pages hold something of its own.
    f.bytes = spec.backing === 'kernel' ? toBytes(`${spec.name}: driver page ${i}`) : [];
    f.strayDmaStep = null;
    pfns.push(start + i);
  }
  Object.assign(map, mapAddresses(spec, map.index, start * PAGE_SIZE), { pfns, allocated: true });
  return true;
}

export function freeMap(s: UioState, map: UioMap): void {
  for (const pfn of map.pfns) {
    const f = s.frames[pfn];
    // The data stays in the freed frame: whoever gets it next sees zeroes only after a clear.
    f.owner = 'free';
    f.va = null;
    f.label = 'free';
    f.pinned = false;
  }
  Object.assign(map, { addrHex: hex64(DMEM_MAP_ERROR), phys: null, dmaAddr: null, pfns: [], allocated: false });
}

/**
 * The first state: the kernel in frames 0..kernelFrames-1, A's buffer and B's pages (with
 * B's texts) where `params` puts them, the driver's static maps allocated (lowest free runs),
 * dynamic DMA regions not yet (sysfs shows ~0), the device idle with every register 0 and
 * `params.deliveries` waiting at its input, A and B before their first op. In VFIO mode
 * there is no UIO driver (`uio` null). Throws `RangeError` on bad params.
 */
export function initialState(params: UioParams): UioState {
  validateParams(params);
  const p = deepClone(params);
  const frames: Frame[] = [];
  for (let pfn = 0; pfn < p.frames; pfn++) {
    const kernel = pfn < p.kernelFrames;
    frames.push({ pfn, owner: kernel ? 'kernel' : 'free', va: null, label: kernel ? 'kernel' : 'free', bytes: [], pinned: false, dmaWrites: 0, strayDmaStep: null });
  }
  p.processA.bufferPfns.forEach((pfn, i) => {
    Object.assign(frames[pfn], { owner: 'A', va: USER_BUFFER_VA + i * PAGE_SIZE, label: `A buf page ${i}` });
  });
  p.processB.pages.forEach((pg, i) => {
    Object.assign(frames[pg.pfn], { owner: 'B', va: USER_BUFFER_VA + i * PAGE_SIZE, label: `B page ${i}`, bytes: toBytes(pg.text) });
  });
  const nA = p.processA.bufferPfns.length;
  const procA: ProcA = {
    name: 'A',
    pid: 1000,
    status: 'running',
    pc: 0,
    files: [],
    vmas: [
      {
        start: USER_BUFFER_VA,
        end: USER_BUFFER_VA + nA * PAGE_SIZE,
        kind: 'anon',
        target: 'memory',
        fd: null,
        mapIndex: null,
        pfns: [...p.processA.bufferPfns],
        pgprot: 'cached',
        how: 'anonymous memory (its malloc)',
      },
    ],
    blocked: null,
    results: [],
    reads: [],
  };
  const state: UioState = {
    params: p,
    stepIndex: 0,
    device: {
      bdf: DEVICE_BDF,
      bar0: { phys: BAR0_PHYS, size: BAR0_SIZE },
      regs: { DMA_ADDR: 0, DMA_LEN: 0, CTRL: 0, STATUS: 0, IRQ_ENABLE: 0 },
      transfer: null,
      queue: p.deliveries.map((x) => ({ data: toBytes(x.data), chunks: x.chunks })),
      interruptsRaised: 0,
      errors: 0,
      log: [],
    },
    uio: null,
    iommu: { mode: p.iommu, mappings: [], faults: [] },
    frames,
    procs: [procA, { name: 'B', pid: 1001, pc: 0, pages: p.processB.pages.map((pg, i) => ({ va: USER_BUFFER_VA + i * PAGE_SIZE, pfn: pg.pfn })), reads: [] }],
    kernelLog: [],
    event: null,
    lastChoice: null,
  };
  if (p.iommu === 'off') {
    const uio: UioDriver = {
      name: 'dpl_uio',
      version: '1.0',
      minor: 0,
      irq: p.driver.irq,
      irqHandler: p.driver.irqHandler,
      irqcontrol: p.driver.irqcontrol,
      maps: p.driver.maps.map((m, index) => ({
        index,
        name: m.name,
        memtype: m.memtype,
        memtypeValue: UIO_MEM[m.memtype],
        backing: m.backing,
        size: m.size,
        offs: 0,
        ...mapAddresses(m, index, null),
        pfns: [],
        allocated: m.backing === 'bar',
        dynamic: m.backing === 'dma' && m.dynamic !== false,
      })),
      event: 0,
      irqState: { line: 'enabled', pending: false, handled: 0, merged: 0 },
      openCount: 0,
      waitQueue: [],
    };
    state.uio = uio;
    uio.maps.forEach((map, i) => {
      if (map.backing !== 'bar' && !map.dynamic && !allocateMap(state, map, p.driver.maps[i])) {
        throw new RangeError(`uio params: no room for map ${i} (${sizeText(map.size)}) in free memory`);
      }
    });
  }
  return state;
}
