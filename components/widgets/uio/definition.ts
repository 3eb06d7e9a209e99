/**
 * The UIO / VFIO widget, described once (see components/player/definition.ts): a player over
 * `sims/uio` (`uioModel`) for one preset of `UIO_PRESETS` (`uio-read-blocks`,
 * `missed-interrupts`, `irqcontrol-reenable`, `nonblock-eagain`, `wrong-bus-address-no-iommu`,
 * `wrong-iova-vfio`, `mmap-offsets`).
 *
 * It shows (a) the device: its registers (DMA_ADDR, DMA_LEN, CTRL, STATUS, IRQ_ENABLE) with
 * values and bit names, the interrupt path (the line enabled / disabled / pending, the count
 * `idev->event`, process A asleep in read() and waking), each open file's last-seen count,
 * and the UIO maps (index, memtype, sysfs addr, size, the mmap offset N × 4096 that selects
 * it); (b) physical memory: frames coloured by owner (A, B, the DMA buffer, kernel, free),
 * the device's DMA writes as arrows into the frames they hit (a stray write into B's page
 * red, "B's page overwritten"), and with VFIO the IOMMU between them, its IOVA → frame
 * mappings, and a wrong IOVA as a blocked arrow, "IOMMU fault: nothing written". Under the
 * caption: what the DMA did and the kernel log. The table view holds the same state.
 *
 * Host facts: `data-iommu` (`vfio` | `off`), `data-count` (the interrupt count, empty under
 * VFIO), `data-stray` (frames hit by stray DMA so far), `data-faults` (IOMMU faults).
 * Event: `uio-sim:step` with `detail: { index, steps, narration, count, stray, faults }`.
 */
import { UIO_PRESETS, uioModel, type UioChoice, type UioParams, type UioState } from '../../../sims/uio/index.ts';
import { phoneMinWidth } from '../../scene/scene.ts';
import { sceneFigures, type WidgetCtx, type WidgetDefinition } from '../../player/definition.ts';
import { choiceColor, narrationOf, noSourceText, strayFrames } from './format.ts';
import { statusHtml, tablesHtml, UIO_SCHED_PROMPT } from './html.ts';

type Ctx = WidgetCtx<UioParams, UioState, undefined>;

const vfio = (c: Ctx): boolean => c.params.iommu === 'vfio';

/** Legend item: a swatch of class `cls` and its words. */
const key = (cls: string, words: string): string => `<li><span class="uio-key ${cls}" aria-hidden="true"></span>${words}</li>`;

export const uioWidget: WidgetDefinition<UioParams, UioState, UioChoice> = {
  tag: 'uio-sim',
  component: 'UioSim',
  model: uioModel,
  presets: UIO_PRESETS,
  presetsFile: 'sims/uio/presets.ts',
  noun: 'UIO simulation',
  narration: narrationOf,
  noSource: noSourceText,
  noChoices: () => '<p class="sim-note">Nothing can happen next: both processes have finished and the device is idle.</p>',
  schedPrompt: UIO_SCHED_PROMPT,
  noscript: 'The player needs JavaScript; the drawings show the starting state.',
  choiceStyle: (_s, c) => ({ kind: c.actor, color: choiceColor(c) }),
  parts: [
    { name: 'uiotables', place: 'tables', cls: 'uio-tables', lazy: true, html: (c) => tablesHtml(c.state, c.prev) },
    { name: 'status', place: 'caption', cls: 'uio-statusbox', html: (c) => statusHtml(c.state) },
  ],
  figures: sceneFigures(
    // Every scene's smallest text is 9 units.
    { svgClass: 'uio-svg', phoneMinWidth: phoneMinWidth(9) },
    [
      {
        name: 'device',
        tab: 'Device',
        // Short enough for one line on a phone (the drawing keeps the height above the control bar).
        caption: (c) => (vfio(c) ? 'The device, bound to vfio-pci' : 'The UIO device: registers, count, maps'),
        title: (c) =>
          vfio(c)
            ? 'The device bound to vfio-pci: its registers, its interrupts, process A'
            : 'The UIO device: its registers, the interrupt line, the interrupt count, process A’s read(), and the UIO maps',
      },
      {
        name: 'memory',
        tab: 'Memory',
        caption: (c) => (vfio(c) ? 'Memory, the IOMMU in between' : 'Memory, no IOMMU: where DMA lands'),
        title: (c) =>
          vfio(c)
            ? 'Physical memory with an IOMMU: the device’s DMA goes through IOVA → frame mappings; a wrong IOVA is blocked'
            : 'Physical memory with no IOMMU: frames by owner, and where the device’s DMA writes land',
        legend: (c) =>
          `<ul class="uio-legend">${key('uio-own-a', 'process A')}${key('uio-own-b', 'process B')}${key('uio-own-dma', 'DMA buffer')}${key('uio-own-kernel', 'kernel')}${key('uio-own-free', 'free')}${key('uio-key-dma', 'DMA write')}${key('uio-key-stray', 'stray DMA write')}${vfio(c) ? key('uio-key-blocked', 'blocked by the IOMMU') : ''}</ul>`,
      },
    ],
  ),
  scenes: () => import('./scenes.ts').then((m) => m.uioScenes),
  facts: (c) => ({
    iommu: vfio(c) ? 'vfio' : 'off',
    count: c.state.uio ? String(c.state.uio.event) : '',
    stray: String(strayFrames(c.state).length),
    faults: String(c.state.iommu.faults.length),
  }),
  stepDetail: (c) => ({ count: c.state.uio ? c.state.uio.event : null, stray: strayFrames(c.state).length, faults: c.state.iommu.faults.length }),
};
