/**
 * Checks of the UIO model's parameters: the maps, the scripts of processes A and B and the
 * device's deliveries; each failure is an `Error` naming the field.
 * Part of the UIO model (`model.ts`).
 */
import { BAR0_SIZE, MAX_UIO_MAPS, PAGE_SIZE, UIO_MEMTYPES } from './constants.ts';
import type { BystanderOp, DeliverySpec, UioMapSpec, UioParams, UserOp } from './types.ts';
import { MAX_CHUNKS, MAX_DELIVERIES, MAX_DELIVERY_BYTES, MAX_FRAMES, MAX_LOAD, MAX_PROC_PAGES, isInt, toBytes } from './common.ts';
// ---------------------------------------------------------------------------------------
// Parameters.

function validateMapSpec(m: UioMapSpec, i: number): void {
  const w = `driver.maps[${i}]`;
  if (typeof m !== 'object' || m === null) throw new RangeError(`uio params: ${w} must be an object`);
  if (typeof m.name !== 'string' || m.name.length > 32) throw new RangeError(`uio params: ${w}.name must be a string of at most 32 characters`);
  if (!UIO_MEMTYPES.includes(m.memtype)) throw new RangeError(`uio params: ${w}.memtype must be one of ${UIO_MEMTYPES.join(', ')}, got ${JSON.stringify(m.memtype)}`);
  if (!isInt(m.size) || m.size < 1 || m.size > 0x10000) throw new RangeError(`uio params: ${w}.size must be an integer from 1 to 65536 bytes, got ${String(m.size)}`);
  switch (m.backing) {
    case 'bar':
      if (m.memtype !== 'PHYS' && m.memtype !== 'IOVA') throw new RangeError(`uio params: ${w}: a BAR map is UIO_MEM_PHYS or UIO_MEM_IOVA`);
      if (m.size > BAR0_SIZE) throw new RangeError(`uio params: ${w}: BAR0 is only ${BAR0_SIZE} bytes`);
      break;
    case 'dma':
      if (m.memtype !== 'PHYS' && m.memtype !== 'DMA_COHERENT') throw new RangeError(`uio params: ${w}: a DMA buffer map is UIO_MEM_PHYS (uio_dmem_genirq's way) or UIO_MEM_DMA_COHERENT`);
      if (m.size % PAGE_SIZE !== 0) throw new RangeError(`uio params: ${w}: a DMA buffer is whole pages (a multiple of 4096 bytes)`);
      break;
    case 'kernel':
      if (m.memtype !== 'LOGICAL' && m.memtype !== 'VIRTUAL' && m.memtype !== 'NONE') throw new RangeError(`uio params: ${w}: kernel pages are UIO_MEM_LOGICAL or UIO_MEM_VIRTUAL (or NONE)`);
      if (m.size % PAGE_SIZE !== 0) throw new RangeError(`uio params: ${w}: kernel pages are whole pages (a multiple of 4096 bytes)`);
      break;
    default:
      throw new RangeError(`uio params: ${w}.backing must be 'bar', 'dma' or 'kernel', got ${JSON.stringify((m as { backing: unknown }).backing)}`);
  }
  if (m.dynamic !== undefined && typeof m.dynamic !== 'boolean') throw new RangeError(`uio params: ${w}.dynamic must be a boolean`);
  if (m.dynamic && m.backing !== 'dma') throw new RangeError(`uio params: ${w}: only DMA buffer maps can be dynamic`);
}

function checkFd(fd: unknown, where: string): void {
  if (!isInt(fd) || fd < 0 || fd > 1023) throw new RangeError(`uio params: ${where}.fd must be an integer from 0 to 1023`);
}

function checkAddr(v: unknown, where: string, max = Number.MAX_SAFE_INTEGER): void {
  if (!isInt(v) || v < 0 || v > max) throw new RangeError(`uio params: ${where} must be an integer from 0 to ${max}, got ${String(v)}`);
}

/** Checks one op of process A; throws RangeError naming `where`. */
export function validateUserOp(op: UserOp, where: string): void {
  if (typeof op !== 'object' || op === null) throw new RangeError(`uio params: ${where} must be an object`);
  switch (op.op) {
    case 'open':
      if (typeof op.path !== 'string' || op.path.length > 128) throw new RangeError(`uio params: ${where}.path must be a string of at most 128 characters`);
      checkAddr(op.flags, `${where}.flags`, 0xffffffff);
      return;
    case 'close':
    case 'poll':
      checkFd(op.fd, where);
      return;
    case 'mmap':
      checkFd(op.fd, where);
      checkAddr(op.length, `${where}.length`, 2 ** 40);
      checkAddr(op.offset, `${where}.offset`);
      return;
    case 'read':
      checkFd(op.fd, where);
      checkAddr(op.count, `${where}.count`, 0x7ffff000);
      return;
    case 'write':
      checkFd(op.fd, where);
      checkAddr(op.count, `${where}.count`, 0x7ffff000);
      if (!isInt(op.value) || op.value < -(2 ** 31) || op.value > 0xffffffff) throw new RangeError(`uio params: ${where}.value must be a 32-bit integer`);
      return;
    case 'mmio-read':
      checkAddr(op.va, `${where}.va`);
      return;
    case 'mmio-write':
      checkAddr(op.va, `${where}.va`);
      checkAddr(op.value, `${where}.value`);
      return;
    case 'load':
      checkAddr(op.va, `${where}.va`);
      if (!isInt(op.length) || op.length < 1 || op.length > MAX_LOAD) throw new RangeError(`uio params: ${where}.length must be an integer from 1 to ${MAX_LOAD}`);
      return;
    case 'sysfs':
      if (typeof op.path !== 'string' || op.path.length > 128) throw new RangeError(`uio params: ${where}.path must be a string of at most 128 characters`);
      return;
    case 'map-dma':
      checkAddr(op.vaddr, `${where}.vaddr`);
      checkAddr(op.iova, `${where}.iova`);
      checkAddr(op.length, `${where}.length`, 2 ** 40);
      return;
    default:
      throw new RangeError(`uio params: ${where}.op ${JSON.stringify((op as { op: unknown }).op)} is not an operation of process A`);
  }
}

function validateBystanderOp(op: BystanderOp, where: string): void {
  if (typeof op !== 'object' || op === null) throw new RangeError(`uio params: ${where} must be an object`);
  const text = (t: unknown): void => {
    if (typeof t !== 'string' || t.length > 64) throw new RangeError(`uio params: ${where}.text must be a string of at most 64 characters`);
    toBytes(t, `uio params: ${where}.text`);
  };
  switch (op.op) {
    case 'read':
      checkAddr(op.page, `${where}.page`, MAX_PROC_PAGES * 2);
      return;
    case 'write':
      checkAddr(op.page, `${where}.page`, MAX_PROC_PAGES * 2);
      text(op.text);
      return;
    case 'alloc':
      text(op.text);
      return;
    default:
      throw new RangeError(`uio params: ${where}.op ${JSON.stringify((op as { op: unknown }).op)} is not an operation of process B`);
  }
}

/** Checks one delivery; throws RangeError naming `where`. */
export function validateDelivery(d: DeliverySpec, where: string): void {
  if (typeof d !== 'object' || d === null) throw new RangeError(`uio params: ${where} must be an object`);
  const bytes = toBytes(d.data, `uio params: ${where}.data`);
  if (bytes.length < 1 || bytes.length > MAX_DELIVERY_BYTES) throw new RangeError(`uio params: ${where}.data must hold 1 to ${MAX_DELIVERY_BYTES} bytes`);
  if (!isInt(d.chunks) || d.chunks < 1 || d.chunks > MAX_CHUNKS) throw new RangeError(`uio params: ${where}.chunks must be an integer from 1 to ${MAX_CHUNKS}`);
}

/**
 * Checks `params` and throws `RangeError` naming the first bad field: pageSize 4096; frames
 * 8..64; kernelFrames 1..frames-4; A's 1..8 and B's 1..8 frames distinct, inside RAM and not
 * the kernel's; B's texts at most 64 bytes; 1..MAX_UIO_MAPS (5) maps, at most one BAR map,
 * memtypes that fit their backing; 'genirq' needs irqcontrol; at most 16 deliveries of 1..16384
 * bytes in 1..16 chunks; valid ops (A at most 128, B at most 32).
 */
export function validateParams(params: UioParams): void {
  if (typeof params !== 'object' || params === null) throw new RangeError('uio params: expected an object');
  if (params.pageSize !== PAGE_SIZE) throw new RangeError(`uio params: pageSize must be 4096 (x86-64 PAGE_SIZE), got ${String(params.pageSize)}`);
  if (!isInt(params.frames) || params.frames < 8 || params.frames > MAX_FRAMES) throw new RangeError(`uio params: frames must be an integer from 8 to ${MAX_FRAMES}, got ${String(params.frames)}`);
  if (!isInt(params.kernelFrames) || params.kernelFrames < 1 || params.kernelFrames > params.frames - 4) {
    throw new RangeError(`uio params: kernelFrames must be an integer from 1 to frames - 4 (${params.frames - 4}), got ${String(params.kernelFrames)}`);
  }
  const used = new Set<number>();
  const checkPfn = (pfn: unknown, where: string): void => {
    if (!isInt(pfn) || pfn < params.kernelFrames || pfn >= params.frames) throw new RangeError(`uio params: ${where} must be a pfn from ${params.kernelFrames} to ${params.frames - 1} (not the kernel's), got ${String(pfn)}`);
    if (used.has(pfn)) throw new RangeError(`uio params: ${where}: pfn ${pfn} is used twice`);
    used.add(pfn);
  };
  const a = params.processA;
  if (typeof a !== 'object' || a === null || !Array.isArray(a.bufferPfns) || a.bufferPfns.length < 1 || a.bufferPfns.length > MAX_PROC_PAGES) {
    throw new RangeError(`uio params: processA.bufferPfns must be an array of 1 to ${MAX_PROC_PAGES} pfns`);
  }
  a.bufferPfns.forEach((p, i) => checkPfn(p, `processA.bufferPfns[${i}]`));
  const b = params.processB;
  if (typeof b !== 'object' || b === null || !Array.isArray(b.pages) || b.pages.length < 1 || b.pages.length > MAX_PROC_PAGES) {
    throw new RangeError(`uio params: processB.pages must be an array of 1 to ${MAX_PROC_PAGES} pages`);
  }
  b.pages.forEach((p, i) => {
    if (typeof p !== 'object' || p === null) throw new RangeError(`uio params: processB.pages[${i}] must be an object`);
    checkPfn(p.pfn, `processB.pages[${i}].pfn`);
    if (typeof p.text !== 'string' || p.text.length > 64) throw new RangeError(`uio params: processB.pages[${i}].text must be a string of at most 64 characters`);
    toBytes(p.text, `uio params: processB.pages[${i}].text`);
  });
  if (params.iommu !== 'off' && params.iommu !== 'vfio') throw new RangeError(`uio params: iommu must be 'off' or 'vfio', got ${JSON.stringify(params.iommu)}`);
  const d = params.driver;
  if (typeof d !== 'object' || d === null) throw new RangeError('uio params: driver must be an object');
  if (typeof d.irq !== 'boolean' || typeof d.irqcontrol !== 'boolean') throw new RangeError('uio params: driver.irq and driver.irqcontrol must be booleans');
  if (d.irqHandler !== 'genirq' && d.irqHandler !== 'keep-enabled') throw new RangeError(`uio params: driver.irqHandler must be 'genirq' or 'keep-enabled', got ${JSON.stringify(d.irqHandler)}`);
  if (d.irqHandler === 'genirq' && !d.irqcontrol) throw new RangeError('uio params: a genirq handler disables the line, so the driver must have irqcontrol to re-enable it');
  if (!Array.isArray(d.maps) || d.maps.length < 1) throw new RangeError('uio params: driver.maps must be an array of at least one map');
  if (d.maps.length > MAX_UIO_MAPS) throw new RangeError(`uio params: driver.maps has ${d.maps.length} maps, but uio_info.mem[] has MAX_UIO_MAPS = ${MAX_UIO_MAPS} entries`);
  d.maps.forEach(validateMapSpec);
  if (d.maps.filter((m) => m.backing === 'bar').length > 1) throw new RangeError('uio params: at most one map can be the BAR');
  if (!Array.isArray(params.deliveries) || params.deliveries.length > MAX_DELIVERIES) throw new RangeError(`uio params: deliveries must be an array of at most ${MAX_DELIVERIES}`);
  params.deliveries.forEach((x, i) => validateDelivery(x, `deliveries[${i}]`));
  if (!Array.isArray(params.programA) || params.programA.length > 128) throw new RangeError('uio params: programA must be an array of at most 128 ops');
  params.programA.forEach((op, i) => validateUserOp(op, `programA[${i}]`));
  if (!Array.isArray(params.programB) || params.programB.length > 32) throw new RangeError('uio params: programB must be an array of at most 32 ops');
  params.programB.forEach((op, i) => validateBystanderOp(op, `programB[${i}]`));
}
