/**
 * The ways a DMA buffer (or a way to find it) reaches user space, side by side: what each
 * does, whether it is right, why, since when, and the kernel code or mail behind it. Data
 * for the UIO lesson and its views; no behaviour (the simulation of UIO maps is `model.ts`).
 *
 * Facts are from Linux 6.12 sources (drivers/uio/uio.c, include/linux/uio_driver.h,
 * kernel/dma/mapping.c, kernel/dma/direct.c, drivers/iommu/dma-iommu.c,
 * Documentation/driver-api/uio-howto.rst and vfio.rst) and from the mailing-list threads the
 * lab's fact sheet (kernel-facts.md, section D) cites. Each claim carries how sure we are:
 * 'verified' (read in source, docs or the original mail), 'likely' (indirect evidence),
 * 'unsure'.
 */
import type { KernelSource } from '../core/model.ts';
import { src } from './constants.ts';

/** How a path is judged today. */
export type Verdict =
  /** The right way for a kernel driver that owns a coherent buffer. */
  | 'correct'
  /** The right way for a user-space driver. */
  | 'recommended'
  /** Works in narrow conditions; kept for existing users. */
  | 'legacy'
  /** Exists for legacy drivers; the kernel warns when it is used. */
  | 'discouraged'
  /** Broken, or rejected upstream. */
  | 'wrong';

/** How sure a claim is (the fact sheet's tags). */
export type Certainty = 'verified' | 'likely' | 'unsure';

/** One sentence of fact, with its certainty. */
export interface Claim {
  text: string;
  certainty: Certainty;
}

/** A way memory (or its address) reaches user space. */
export interface MemoryPath {
  /** Stable id, e.g. `'dma-mmap-coherent'`. */
  id: string;
  /** Short title for a table row or card. */
  title: string;
  verdict: Verdict;
  /** Who does it: a kernel driver's mmap, UIO's core, a user-space program with VFIO. */
  who: string;
  /** What happens, in one or two plain sentences (the narration for a view). */
  how: string;
  /** Why it is right or wrong. */
  why: Claim[];
  /** When it appeared or changed, in kernel versions and dates. */
  history: Claim[];
  /** Which UIO memtype it corresponds to, if any (`'PHYS'`, `'DMA_COHERENT'`), else null. */
  uioMemtype: 'PHYS' | 'LOGICAL' | 'VIRTUAL' | 'IOVA' | 'DMA_COHERENT' | null;
  /** Can the device be confined to this buffer (an IOMMU domain the user controls)? */
  iommuContained: boolean;
  /** Kernel code to read, 6.12. */
  sources: KernelSource[];
  /** Mailing-list or documentation references (not kernel code). */
  references: string[];
}

const v = (text: string): Claim => ({ text, certainty: 'verified' });
const l = (text: string): Claim => ({ text, certainty: 'likely' });

/** The paths, in the order the lesson tells them. */
export const MEMORY_PATHS: readonly MemoryPath[] = [
  {
    id: 'dma-mmap-coherent',
    title: 'dma_mmap_coherent() in the driver\'s mmap',
    verdict: 'correct',
    who: 'a kernel driver that allocated the buffer with dma_alloc_coherent()',
    how:
      'The driver\'s mmap handler calls dma_mmap_coherent(dev, vma, cpu_addr, dma_handle, size), and the DMA layer maps the buffer\'s pages into ' +
      'the process with the page protection the buffer needs. The driver keeps the buffer until the mapping is gone.',
    why: [
      v('dma_mmap_attrs() asks the allocator that made the buffer: dma-direct computes the pfn from the DMA address (dma_to_phys) and sets dma_pgprot(); the IOMMU path uses the page list or vmalloc_to_pfn only when the buffer really is a vmalloc address, otherwise virt_to_page.'),
      v('It checks the requested size and offset against the buffer and returns -ENXIO when they do not fit.'),
      v('The buffer must not be freed while a user mapping exists (its kerneldoc says so).'),
    ],
    history: [v('dma_mmap_coherent() is a macro for dma_mmap_attrs(..., 0) in include/linux/dma-mapping.h (6.12).')],
    uioMemtype: null,
    iommuContained: false,
    sources: [src('kernel/dma/mapping.c', 'dma_mmap_attrs'), src('kernel/dma/direct.c', 'dma_direct_mmap'), src('drivers/iommu/dma-iommu.c', 'iommu_dma_mmap')],
    references: ['Documentation/core-api/dma-api.rst'],
  },
  {
    id: 'remap-vmalloc-to-pfn',
    title: 'remap_pfn_range(vmalloc_to_pfn(cpu_addr)) of a coherent buffer',
    verdict: 'wrong',
    who: 'a hand-written driver mmap (the pattern in answers to "Linux kernel device driver to DMA from a device into user-space memory")',
    how:
      'The driver takes the CPU address dma_alloc_coherent() returned, asks vmalloc_to_pfn() for its frame and maps that range with remap_pfn_range(), ' +
      'choosing the page protection itself.',
    why: [
      l('vmalloc_to_pfn() is only meaningful for vmalloc addresses; on x86 without an IOMMU a coherent buffer is usually in the linear map, where it is the wrong lookup.'),
      l('It ignores the protection dma_pgprot() would choose, which non-coherent architectures need (uncached or write-combined).'),
      l('It fails for buffers allocated with DMA_ATTR_NO_KERNEL_MAPPING, which have no CPU address to look up.'),
      v('dma_mmap_coherent() already does the right lookup for each allocator, so there is no reason to do it by hand.'),
    ],
    history: [l('That answer\'s driver used pci_alloc_consistent(), which went away with pci-dma-compat.h (removed around 5.18); it is absent in 6.12.')],
    uioMemtype: null,
    iommuContained: false,
    sources: [src('drivers/iommu/dma-iommu.c', 'iommu_dma_mmap'), src('kernel/dma/direct.c', 'dma_direct_mmap')],
    references: ['The a2gx driver in an answer to the question "Linux kernel device driver to DMA from a device into user-space memory"'],
  },
  {
    id: 'bus-address-in-first-word',
    title: 'The bus address written into the buffer\'s first word',
    verdict: 'wrong',
    who: 'the a2gx driver in an answer to "Linux kernel device driver to DMA from a device into user-space memory", and Edward Estabrook\'s 2008 UIO patch',
    how:
      'After allocating the coherent buffer, the kernel copies its DMA handle into the first bytes of the buffer itself; user space maps the buffer and reads ' +
      'the address from it before programming the device.',
    why: [
      v('Estabrook\'s patch (3 Dec 2008, against 2.6.28-rc6) allocated coherent memory when mmap was called at the magic offset 0xFFFFF000 and put the bus address in the first word; it was never merged.'),
      v('Peter Zijlstra answered "Yuck!", proposed a separate /dev/uioN-dma device and would NAK this use of mmap; Hugh Dickins agreed.'),
      v('Hans Koch asked why the UIO core should allocate memory at all (the driver\'s job) and agreed the address belongs in sysfs; in 2009 he said UIO mappings are static and "We don\'t want any new ioctls".'),
      l('The address shares the buffer with the data: the first transfer overwrites it, and its width (unsigned long vs a 64-bit dma_addr_t) is a guess user space has to make.'),
    ],
    history: [v('2008: posted and reviewed on LKML; never merged.'), v('2012: uio_dmem_genirq gave dynamic DMA regions with their bus address in sysfs instead; since 6.9 that file shows a kernel virtual address.')],
    uioMemtype: null,
    iommuContained: false,
    sources: [src('drivers/uio/uio.c', 'uio_find_mem_index')],
    references: [
      'LKML, Hans J. Koch, 4 Dec 2008: "Re: [PATCH 1/1] Userspace I/O (UIO): Add support for userspace DMA(corrected)"',
      'The a2gx driver ("Hacks, hacks everywhere") in an answer to "Linux kernel device driver to DMA from a device into user-space memory"',
    ],
  },
  {
    id: 'uio-dmem-genirq',
    title: 'uio_dmem_genirq: DMA regions allocated at open, mapped with dma_mmap_coherent since 6.9',
    verdict: 'legacy',
    who: 'a platform device bound to uio_dmem_genirq, with dynamic_region_sizes in its platform data',
    how:
      'Each dynamic region is allocated with dma_alloc_coherent() when /dev/uioX is first opened and freed when the last user closes it; user space maps it at ' +
      'offset Y * page size. Since 6.9 the region is a UIO_MEM_DMA_COHERENT map: /sys/class/uio/uioX/maps/mapY/addr shows the kernel virtual address ' +
      '(~0 while no one has the device open), not a bus address, and each mmap logs "highly discouraged". Before 6.9 that file showed the bus address.',
    why: [
      v('Dynamic and static regions together cannot exceed MAX_UIO_MAPS (5).'),
      v('6.12 stores the CPU address from dma_alloc_coherent() in mem->addr and the handle in mem->dma_addr, and maps the region with uio_mmap_dma_coherent(): user space gets a correct mapping but no bus address from UIO\'s attributes (no in-tree 6.12 UIO driver gives one).'),
      v('Before 6.9 it stored the DMA handle in mem->addr and mapped it as UIO_MEM_PHYS, so uio_mmap_physical() treated the bus address as a physical address: right only when they are equal (no IOMMU translation). Out-of-tree drivers still work that way.'),
      v('Nothing stops user space from giving the device any other address: there is no IOMMU containment.'),
      v('A buffer freed at close and reallocated at the next open can move: a saved address goes stale (the model\'s wrong-bus-address preset).'),
    ],
    history: [
      v('Added in 2012 (Damian Hobson-Garcia).'),
      v('Converted to UIO_MEM_DMA_COHERENT for 6.9 (commit 019947805a8d, in Chris Leech\'s series); in 6.12 uio_dmem_genirq_probe() sets memtype UIO_MEM_DMA_COHERENT for every dynamic region.'),
    ],
    uioMemtype: 'DMA_COHERENT',
    iommuContained: false,
    sources: [src('drivers/uio/uio_dmem_genirq.c', 'uio_dmem_genirq_open'), src('drivers/uio/uio_dmem_genirq.c', 'uio_dmem_genirq_probe'), src('drivers/uio/uio.c', 'map_addr_show')],
    references: ['Documentation/driver-api/uio-howto.rst: "Using uio_dmem_genirq for platform devices"'],
  },
  {
    id: 'uio-mem-dma-coherent',
    title: 'UIO_MEM_DMA_COHERENT (6.9): dma_mmap_coherent inside UIO',
    verdict: 'discouraged',
    who: 'legacy UIO drivers that map coherent buffers: cnic for bnx2 and bnx2x (UIO devices bnx2_cnic, bnx2x_cnic), and uio_dmem_genirq',
    how:
      'The driver sets mem->addr to the CPU address from dma_alloc_coherent(), mem->dma_addr to the handle and mem->dma_device; uio_mmap_dma_coherent() logs ' +
      '"use of UIO_MEM_DMA_COHERENT is highly discouraged", clears vm_pgoff and calls dma_mmap_coherent().',
    why: [
      v('The header says it exists "for legacy drivers that had been getting by with improperly mapping DMA coherent allocations through the other modes. Do not use in new drivers."'),
      v('It fixed page-refcount bugs in cnic\'s mmaps of coherent buffers (for bnx2 and bnx2x) after "dma-mapping: reject __GFP_COMP in dma_alloc_attrs".'),
      v('Christoph Hellwig called it the "least horrible way out"; Greg Kroah-Hartman asked for the warning; Linus Torvalds fixed a 32-bit build break.'),
      v('sysfs addr shows mem->addr, here a kernel virtual address: user space cannot learn the bus address from UIO\'s attributes.'),
      v('The mapping is right, but the device is still unconfined: a wrong address from user space still lands anywhere.'),
    ],
    history: [v('Added by Chris Leech (576882ef5e7f), merged for 6.9-rc1.'), v('uio-howto.rst still documents only PHYS, LOGICAL and VIRTUAL.')],
    uioMemtype: 'DMA_COHERENT',
    iommuContained: false,
    sources: [src('drivers/uio/uio.c', 'uio_mmap_dma_coherent'), src('include/linux/uio_driver.h', 'UIO_MEM_DMA_COHERENT')],
    references: ['LKML, 2023-2024: "UIO_MEM_DMA_COHERENT for cnic/bnx2/bnx2x"'],
  },
  {
    id: 'vfio',
    title: 'VFIO: user memory mapped into an IOMMU domain',
    verdict: 'recommended',
    who: 'a user-space driver with the device bound to vfio-pci',
    how:
      'The program allocates ordinary memory and asks VFIO to map it at an IOVA it chooses (VFIO_IOMMU_MAP_DMA on a container, or IOMMU_IOAS_MAP with iommufd ' +
      'and the /dev/vfio/devices/vfioX cdev). The pages are pinned, and the device can reach those IOVAs and nothing else.',
    why: [
      v('vfio.rst: UIO "has no notion of IOMMU protection, limited interrupt support, and requires root privileges"; VFIO gives "a secure, IOMMU protected environment".'),
      v('A DMA to an IOVA that is not mapped is blocked by the IOMMU and reported as a fault; no memory changes (the model\'s wrong-iova-vfio preset).'),
      v('Without an IOMMU, VFIO_NOIOMMU exists but taints the kernel and is "non-secure"; it is offered only through the group interface (/dev/vfio/noiommu-N), not the iommufd cdev.'),
      v('The pages VFIO_IOMMU_MAP_DMA pins are charged to the process\'s locked memory: a mapping past RLIMIT_MEMLOCK fails (vfio_pin_pages_remote).'),
      v('Interrupts arrive on eventfds set with VFIO_DEVICE_SET_IRQS, not as a count read from the device file.'),
    ],
    history: [v('vfio.rst: VFIO was meant to replace KVM\'s PCI device assignment code and to be a more secure alternative to UIO; the iommufd cdev interface is the newer path it describes.')],
    uioMemtype: null,
    iommuContained: true,
    sources: [src('drivers/vfio/vfio_iommu_type1.c', 'vfio_dma_do_map'), src('drivers/iommu/iommufd/ioas.c', 'iommufd_ioas_map')],
    references: ['Documentation/driver-api/vfio.rst'],
  },
];

/** The path with `id`; throws `RangeError` for an unknown id. */
export function memoryPath(id: string): MemoryPath {
  const p = MEMORY_PATHS.find((x) => x.id === id);
  if (!p) throw new RangeError(`memory path: unknown id ${JSON.stringify(id)}; known: ${MEMORY_PATHS.map((x) => x.id).join(', ')}`);
  return p;
}

/** One plain sentence per path, for a caption or a screen reader: "<title>: <verdict>. <how>" */
export function memoryPathNarration(p: MemoryPath): string {
  const verdict: Record<Verdict, string> = {
    correct: 'correct',
    recommended: 'the recommended way today',
    legacy: 'legacy, works only without IOMMU translation',
    discouraged: 'discouraged, for legacy drivers only',
    wrong: 'wrong',
  };
  return `${p.title}: ${verdict[p.verdict]}. ${p.how}`;
}
