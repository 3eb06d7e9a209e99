/**
 * Process A's file operations on /dev/uio0 (and the VFIO device file): open, close, mmap,
 * read, write and poll, as drivers/uio/uio.c of Linux 6.12 does them.
 * Part of the UIO model (`model.ts`).
 */
import { BAR0_PHYS, BAR0_SIZE, DEVICE_BDF, MAX_UIO_MAPS, MMAP_BASE, MMAP_SLOT, O_NONBLOCK, PAGE_SIZE, POLLERR, POLLHUP, POLLIN, POLLNVAL, UIO_PATH, VFIO_PATH, hex } from './constants.ts';
import type { KernelSource } from '../core/model.ts';
import type { OpenFile, UioDriver, UioState, UserOp, Vma } from './types.ts';
import { fail, fileByFd, irqcontrolSource, lowestFreeFd, ok, runHandler, type Outcome, type Ret } from './calls.ts';
import { SRC, VFIO_PCI_OFFSET_SHIFT, pfnsText, sizeText } from './common.ts';
import { plural } from '../core/text.ts';
import { allocateMap, freeMap } from './init.ts';
export function doOpen(s: UioState, op: Extract<UserOp, { op: 'open' }>): Outcome & Ret {
  const a = s.procs[0];
  const nonblock = (op.flags & O_NONBLOCK) !== 0;
  if (op.path === UIO_PATH && s.uio) {
    const u = s.uio;
    const fd = lowestFreeFd(a);
    a.files.push({ fd, path: op.path, kind: 'uio', nonblock, eventCount: u.event, mappings: 0 });
    u.openCount += 1;
    let alloc = '';
    let source = SRC.uioOpen;
    if (u.openCount === 1) {
      const made: string[] = [];
      u.maps.forEach((m, i) => {
        if (!m.dynamic) return;
        source = SRC.dmemOpen;
        if (allocateMap(s, m, s.params.driver.maps[i])) made.push(`map ${i} (${sizeText(m.size)} at bus address ${hex(m.dmaAddr as number)}, ${pfnsText(m.pfns)})`);
        else made.push(`map ${i} fails for lack of free memory (sysfs addr stays ~0)`);
      });
      if (made.length) alloc = `, and the driver's open allocates its DMA ${made.length === 1 ? 'region' : 'regions'} with dma_alloc_coherent: ${made.join('; ')}`;
    }
    return {
      ...ok(fd),
      narration: `Process A opens ${op.path} as fd ${fd}${nonblock ? ' with O_NONBLOCK' : ''}: uio_open records the current count (${u.event}) as what this file has seen${alloc}.`,
      source,
    };
  }
  if (op.path === VFIO_PATH && s.params.iommu === 'vfio') {
    const fd = lowestFreeFd(a);
    a.files.push({ fd, path: op.path, kind: 'vfio', nonblock, eventCount: null, mappings: 0 });
    return {
      ...ok(fd),
      narration: `Process A opens ${op.path} as fd ${fd}: the device is bound to vfio-pci, and its DMA goes through an IOMMU domain that A fills (the model folds the container or iommufd setup into this step).`,
      source: SRC.vfioCdevOpen,
    };
  }
  const why =
    op.path === UIO_PATH ? 'the device is bound to vfio-pci, not to a UIO driver, so there is no /dev/uio0' : op.path === VFIO_PATH ? 'the device is bound to a UIO driver, not to vfio-pci' : 'no such file';
  return { ...fail('ENOENT'), narration: `Process A tries to open ${op.path}: -ENOENT, ${why}.`, source: null };
}

/** Releases `file` (its last reference is gone). */
function release(s: UioState, file: OpenFile): { text: string; source: KernelSource } {
  const a = s.procs[0];
  a.files = a.files.filter((f) => f !== file);
  if (file.kind !== 'uio' || !s.uio) return { text: 'the VFIO device file is released', source: SRC.uioRelease };
  const u = s.uio;
  u.openCount -= 1;
  if (u.openCount > 0) return { text: 'uio_release runs; another open keeps the DMA regions', source: SRC.uioRelease };
  const freed = u.maps.filter((m) => m.dynamic && m.allocated);
  if (freed.length === 0) return { text: 'uio_release runs', source: SRC.uioRelease };
  const what = freed.map((m) => `map ${m.index} (${pfnsText(m.pfns)})`).join(', ');
  for (const m of freed) freeMap(s, m);
  return { text: `uio_release runs and, as no one has the device open any more, the driver frees its DMA region ${what} with dma_free_coherent; sysfs addr now shows ~0`, source: SRC.dmemRelease };
}

export function doClose(s: UioState, op: Extract<UserOp, { op: 'close' }>): Outcome & Ret {
  const a = s.procs[0];
  const f = fileByFd(a, op.fd);
  if (!f) return { ...fail('EBADF'), narration: `Process A calls close(${op.fd}): -EBADF, no such fd.`, source: null };
  f.fd = null;
  if (f.mappings > 0) {
    return { ...ok(0), narration: `Process A closes fd ${op.fd}; its ${plural(f.mappings, 'mapping')} still ${f.mappings === 1 ? 'holds' : 'hold'} the file, so the driver's release does not run yet.`, source: null };
  }
  const r = release(s, f);
  return { ...ok(0), narration: `Process A closes fd ${op.fd}: ${r.text}.`, source: r.source };
}

function addVma(s: UioState, v: Omit<Vma, 'start' | 'end'>, pages: number): number {
  const a = s.procs[0];
  const slot = a.vmas.filter((x) => x.kind !== 'anon').length;
  const start = MMAP_BASE + slot * MMAP_SLOT;
  a.vmas.push({ start, end: start + pages * PAGE_SIZE, ...v });
  return start;
}

export function doMmap(s: UioState, op: Extract<UserOp, { op: 'mmap' }>): Outcome & Ret {
  const a = s.procs[0];
  const f = fileByFd(a, op.fd);
  const head = `Process A calls mmap(fd ${op.fd}, ${op.length}, offset ${hex(op.offset)})`;
  if (!f) return { ...fail('EBADF'), narration: `${head}: -EBADF, no such fd.`, source: null };
  if (op.length === 0) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, a mapping of length 0.`, source: SRC.doMmap };
  if (op.offset % PAGE_SIZE !== 0) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, the offset is not a multiple of the page size (4096).`, source: SRC.sysMmap };
  const pages = Math.ceil(op.length / PAGE_SIZE);
  const bytes = pages * PAGE_SIZE;
  if (f.kind === 'vfio') {
    const index = Math.floor(op.offset / 2 ** VFIO_PCI_OFFSET_SHIFT);
    const within = op.offset % 2 ** VFIO_PCI_OFFSET_SHIFT;
    if (index !== 0) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, region index ${index} is not modelled (only BAR0, index 0).`, source: SRC.vfioPciMmap };
    if (within + bytes > BAR0_SIZE) return { ...fail('EINVAL'), narration: `${head}: -EINVAL, BAR0 is only ${BAR0_SIZE} bytes.`, source: SRC.vfioPciMmap };
    const va = addVma(s, { kind: 'vfio-bar', target: 'regs', fd: op.fd, mapIndex: null, pfns: [], pgprot: 'uncached', how: 'vfio_pci_core_mmap: BAR0, uncached' }, pages);
    f.mappings += 1;
    return { ...ok(va), narration: `${head}: offset 0 is region index 0, BAR0, so vfio-pci maps the device's registers uncached at ${hex(va)}.`, source: SRC.vfioPciMmap };
  }
  const u = s.uio as UioDriver;
  const n = op.offset / PAGE_SIZE;
  const map = n < MAX_UIO_MAPS ? u.maps[n] : undefined;
  if (!map) {
    const why = n >= MAX_UIO_MAPS ? `map ${n} is at or beyond MAX_UIO_MAPS (${MAX_UIO_MAPS})` : `the driver has no map ${n} (its size is 0)`;
    return { ...fail('EINVAL'), narration: `${head}: offset ${hex(op.offset)} asks for map ${n} (${hex(op.offset)} / 4096), but ${why}: uio_find_mem_index fails and uio_mmap returns -EINVAL.`, source: SRC.uioFindMemIndex };
  }
  const actualPages = Math.ceil(map.size / PAGE_SIZE);
  if (pages > actualPages) {
    return { ...fail('EINVAL'), narration: `${head}: ${plural(pages, 'page')} asked of map ${n}, which has ${plural(actualPages, 'page')}: uio_mmap returns -EINVAL.`, source: SRC.uioMmap };
  }
  const which = `map ${n} ("${map.name}", UIO_MEM_${map.memtype})`;
  switch (map.memtype) {
    case 'PHYS':
    case 'IOVA': {
      if (!map.allocated) return { ...fail('ENODEV'), narration: `${head}: ${which} has no memory (addr ~0 is not page aligned): -ENODEV.`, source: SRC.uioMmapPhysical };
      if (bytes > map.size) return { ...fail('EINVAL'), narration: `${head}: ${bytes} bytes is more than the ${map.size} bytes of ${which}: uio_mmap_physical returns -EINVAL.`, source: SRC.uioMmapPhysical };
      const cached = map.memtype === 'IOVA';
      if (map.backing === 'bar') {
        const va = addVma(s, { kind: 'uio', target: 'regs', fd: op.fd, mapIndex: n, pfns: [], pgprot: cached ? 'cached' : 'uncached', how: `uio_mmap_physical: remap_pfn_range of BAR0, ${cached ? 'cached' : 'uncached'}` }, pages);
        f.mappings += 1;
        return { ...ok(va), narration: `${head}: offset ${n} × 4096 selects ${which}; uio_mmap_physical maps BAR0 (physical ${hex(BAR0_PHYS)}) ${cached ? 'cached' : 'uncached'} at ${hex(va)} with remap_pfn_range.`, source: SRC.uioMmapPhysical };
      }
      const pfns = map.pfns.slice(0, pages);
      const va = addVma(s, { kind: 'uio', target: 'memory', fd: op.fd, mapIndex: n, pfns, pgprot: cached ? 'cached' : 'uncached', how: 'uio_mmap_physical: remap_pfn_range(mem->addr >> PAGE_SHIFT)' }, pages);
      f.mappings += 1;
      return {
        ...ok(va),
        narration: `${head}: offset ${n} × 4096 selects ${which}; uio_mmap_physical treats mem->addr (${map.addrHex}, the DMA handle) as a physical address and maps ${pfnsText(pfns)} ${cached ? 'cached' : 'uncached'} at ${hex(va)}: right here only because, without an IOMMU, the DMA handle is the physical address.`,
        source: SRC.uioMmapPhysical,
      };
    }
    case 'LOGICAL':
    case 'VIRTUAL': {
      const pfns = map.pfns.slice(0, pages);
      const lookup = map.memtype === 'LOGICAL' ? 'virt_to_page' : 'vmalloc_to_page';
      const va = addVma(s, { kind: 'uio', target: 'memory', fd: op.fd, mapIndex: n, pfns, pgprot: 'cached', how: `uio_mmap_logical: pages inserted on fault by uio_vma_fault (${lookup})` }, pages);
      f.mappings += 1;
      return {
        ...ok(va),
        narration: `${head}: offset ${n} × 4096 selects ${which}; uio_mmap_logical installs a fault handler at ${hex(va)}, and each page (${pfnsText(pfns)}) is found with ${lookup} when A first touches it.`,
        source: SRC.uioMmapLogical,
      };
    }
    case 'DMA_COHERENT': {
      if (!map.allocated) return { ...fail('ENODEV'), narration: `${head}: ${which} has no buffer: -ENODEV.`, source: SRC.uioMmapDmaCoherent };
      if (bytes > map.size) return { ...fail('EINVAL'), narration: `${head}: ${bytes} bytes is more than the ${map.size} bytes of ${which}: -EINVAL.`, source: SRC.uioMmapDmaCoherent };
      s.kernelLog.push(`${u.name} ${DEVICE_BDF}: use of UIO_MEM_DMA_COHERENT is highly discouraged`);
      const pfns = map.pfns.slice(0, pages);
      const va = addVma(s, { kind: 'uio', target: 'memory', fd: op.fd, mapIndex: n, pfns, pgprot: 'dma_pgprot', how: 'uio_mmap_dma_coherent: dma_mmap_coherent' }, pages);
      f.mappings += 1;
      return {
        ...ok(va),
        narration: `${head}: offset ${n} × 4096 selects ${which}; the kernel logs "use of UIO_MEM_DMA_COHERENT is highly discouraged", clears vm_pgoff and lets dma_mmap_coherent map ${pfnsText(pfns)} at ${hex(va)} with the page protection the DMA layer chooses.`,
        source: SRC.uioMmapDmaCoherent,
      };
    }
    case 'NONE':
      return { ...fail('EINVAL'), narration: `${head}: ${which} has memtype UIO_MEM_NONE, which uio_mmap refuses with -EINVAL.`, source: SRC.uioMmap };
  }
}

export function uioFile(s: UioState, fd: number): OpenFile | undefined {
  const f = fileByFd(s.procs[0], fd);
  return f && f.kind === 'uio' && s.uio ? f : undefined;
}

/** Completes a read on uio file `f`: returns the count as an s32 and records it. */
export function finishRead(s: UioState, f: OpenFile, fd: number): { value: number; jump: number } {
  const u = s.uio as UioDriver;
  const prev = f.eventCount as number;
  const value = u.event | 0;
  f.eventCount = u.event;
  const jump = (value - prev) | 0;
  s.procs[0].reads.push({ fd, value, jump });
  return { value, jump };
}

export function jumpText(prev: number, value: number, jump: number): string {
  if (jump === 1) return `one more than the ${prev} this file saw before: no interrupt missed`;
  return `${jump} more than the ${prev} this file saw before: ${plural(jump - 1, 'interrupt')} came and went unseen`;
}

export function doRead(s: UioState, op: Extract<UserOp, { op: 'read' }>): Outcome & Ret {
  const a = s.procs[0];
  const head = `Process A calls read(${op.fd}, &count, ${op.count})`;
  const any = fileByFd(a, op.fd);
  if (!any) return { ...fail('EBADF'), narration: `${head}: -EBADF, no such fd.`, source: null };
  if (any.kind === 'vfio') return { ...fail('EINVAL'), narration: `${head}: reading VFIO regions through read() is not modelled (VFIO interrupts come through eventfds, not a count): -EINVAL.`, source: null };
  const f = any;
  const u = s.uio as UioDriver;
  if (op.count !== 4) return { ...fail('EINVAL'), narration: `${head}: uio_read accepts only count == sizeof(s32) == 4, so it returns -EINVAL.`, source: SRC.uioRead };
  if (!u.irq) return { ...fail('EIO'), narration: `${head}: the driver has no interrupt, so uio_read returns -EIO.`, source: SRC.uioRead };
  if (u.event !== f.eventCount) {
    const prev = f.eventCount as number;
    const { value, jump } = finishRead(s, f, op.fd);
    return { ...ok(value), narration: `${head}: the count is ${value}, ${jumpText(prev, value, jump)}, so read returns at once with 4 bytes and the file now remembers ${value}.`, source: SRC.uioRead };
  }
  if (f.nonblock) return { ...fail('EAGAIN'), narration: `${head}: the count is still ${u.event}, what this file saw last, and the file is O_NONBLOCK: -EAGAIN.`, source: SRC.uioRead };
  a.blocked = { syscall: 'read', fd: op.fd, count: op.count, since: s.stepIndex + 1 };
  u.waitQueue.push('A');
  return { ret: null, errno: null, text: null, narration: `${head}: the count is still ${u.event}, what this file saw last, so uio_read puts A to sleep on the device's wait queue until an interrupt.`, source: SRC.uioRead };
}

export function doWrite(s: UioState, op: Extract<UserOp, { op: 'write' }>): Outcome & Ret {
  const v = op.value | 0;
  const head = `Process A calls write(${op.fd}, &(s32){${v}}, ${op.count})`;
  const any = fileByFd(s.procs[0], op.fd);
  if (!any) return { ...fail('EBADF'), narration: `${head}: -EBADF, no such fd.`, source: null };
  if (any.kind === 'vfio') return { ...fail('EINVAL'), narration: `${head}: writing VFIO regions through write() is not modelled: -EINVAL.`, source: null };
  const u = s.uio as UioDriver;
  if (op.count !== 4) return { ...fail('EINVAL'), narration: `${head}: uio_write accepts only count == 4: -EINVAL.`, source: SRC.uioWrite };
  if (!u.irq) return { ...fail('EIO'), narration: `${head}: the driver has no interrupt: -EIO.`, source: SRC.uioWrite };
  if (!u.irqcontrol) return { ...fail('ENOSYS'), narration: `${head}: the driver has no irqcontrol, so uio_write returns -ENOSYS.`, source: SRC.uioWrite };
  const st = u.irqState;
  const source = irqcontrolSource(u);
  if (v !== 0) {
    if (st.line === 'enabled') return { ...ok(4), narration: `${head}: irqcontrol(info, ${v}) finds the line already enabled and leaves it (no second enable_irq to unbalance the depth); write returns 4.`, source };
    st.line = 'enabled';
    if (st.pending) {
      st.pending = false;
      const h = runHandler(s);
      return { ...ok(4), narration: `${head}: irqcontrol(info, ${v}) calls enable_irq, which replays the interrupt that came while the line was disabled: ${h}; write returns 4.`, source };
    }
    return { ...ok(4), narration: `${head}: irqcontrol(info, ${v}) calls enable_irq, so the next interrupt will be counted; write returns 4.`, source };
  }
  if (st.line === 'disabled') return { ...ok(4), narration: `${head}: irqcontrol(info, 0) finds the line already disabled; write returns 4.`, source };
  st.line = 'disabled';
  return { ...ok(4), narration: `${head}: irqcontrol(info, 0) disables the line; write returns 4.`, source };
}

export function doPoll(s: UioState, op: Extract<UserOp, { op: 'poll' }>): Outcome & Ret {
  const head = `Process A polls fd ${op.fd} for POLLIN with timeout 0`;
  const any = fileByFd(s.procs[0], op.fd);
  if (!any) return { ...ok(POLLNVAL), narration: `${head}: no such fd, so poll reports POLLNVAL in revents.`, source: null };
  const f = uioFile(s, op.fd);
  if (!f) return { ...fail('EINVAL'), narration: `${head}: polling the VFIO device fd is not modelled: -EINVAL.`, source: null };
  const u = s.uio as UioDriver;
  if (!u.irq) {
    return { ...ok(POLLIN | POLLERR | POLLHUP), narration: `${head}: the driver has no interrupt, so uio_poll returns -EIO, which poll(2) sees as a mask: revents POLLIN|POLLERR|POLLHUP.`, source: SRC.uioPoll };
  }
  if (u.event !== f.eventCount) return { ...ok(POLLIN), narration: `${head}: the count (${u.event}) differs from what this file saw (${f.eventCount}), so uio_poll reports POLLIN; the file's count is unchanged until a read.`, source: SRC.uioPoll };
  return { ...ok(0), narration: `${head}: the count is still ${u.event}: revents 0, nothing to read yet.`, source: SRC.uioPoll };
}
