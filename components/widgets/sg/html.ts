/**
 * HTML strings for the scatter-gather / IOMMU widget's text views: the scatterlist table with
 * its `orig_nents` / `nents` / mapped count, the table view of the whole state (driver loop,
 * buffer pages, IOMMU translations, descriptors, dma-debug reports), the dma-debug warnings
 * shown under the narration, and the parameter summary. Pure functions with no DOM, used by
 * `SgSim.astro` to server-render the initial state and by `<sg-sim>` on every step.
 */
import { iommuGranules } from '../../../sims/dma/index.ts';
import type { DmaReport, DmaState } from '../../../sims/dma/index.ts';
import { esc } from '../../player/shell-html.ts';
import { noSourceByActor } from '../../player/definition.ts';
import {
  bytesText,
  chunkText,
  currentChunk,
  deviceWords,
  driverWords,
  entryColor,
  entryDmaStatus,
  entryLabel,
  hex,
  mappedNote,
  nentsOf,
  pageSpan,
  paramsSummary,
  reportConsequence,
  reportSteps,
  reportsAt,
} from './format.ts';

/** A coloured square and `sg[i]`, as the scatterlist table and the diagrams label entries. */
function entryChip(i: number): string {
  return `<span class="sg-swatch" style="--c:${entryColor(i)}" aria-hidden="true"></span>${entryLabel(i)}`;
}

/** The parameter summary under the heading. */
export function paramsSummaryHtml(state: DmaState): string {
  return paramsSummary(state.params)
    .map((t) => `<span>${esc(t)}</span>`)
    .join(' · ');
}

/** The counts the lesson turns on, as a definition list: `orig_nents`, `sgt->nents` and the
 *  mapped count (`dma_map_sg`'s return value, or `sgt->nents` after `dma_map_sgtable`). */
export function countsHtml(state: DmaState): string {
  const c = nentsOf(state);
  if (!c) return '<p class="sg-counts-none">No <code>sg_table</code> at this step, so no <code>nents</code>.</p>';
  const differ = c.mapped !== null && c.mapped < c.orig;
  const item = (term: string, value: string, note: string, kind: string) =>
    `<div class="sg-count" data-kind="${kind}"><dt><code>${esc(term)}</code></dt><dd>${esc(value)}</dd><dd class="sg-count-note">${note}</dd></div>`;
  const orig = item('sgt->orig_nents', String(c.orig), 'CPU entries: walk pages with <code>for_each_sgtable_sg</code>; unmap with this', 'orig');
  let rest: string;
  if (c.api === 'dma_map_sgtable') {
    rest = item(
      'sgt->nents',
      String(c.nents),
      c.mapped === null ? 'entries built; <code>dma_map_sgtable</code> will set it to the DMA segments' : 'DMA segments, set by <code>dma_map_sgtable</code>: walk them with <code>for_each_sgtable_dma_sg</code>',
      differ ? 'mapped' : 'nents',
    );
  } else {
    rest =
      item('sgt->nents', String(c.nents), '<code>dma_map_sg</code> leaves it alone', 'nents') +
      item(
        'dma_map_sg returned',
        c.mapped === null ? 'not yet' : String(c.mapped),
        'DMA segments: <code>for_each_sg(sgl, sg, count, i)</code> with <code>sg_dma_address</code>, <code>sg_dma_len</code>',
        'mapped',
      );
  }
  return `<dl class="sg-counts${differ ? ' sg-differ' : ''}">${orig}${rest}</dl>`;
}

/** The scatterlist (the current `sg_table`) as a table: CPU fields, DMA fields, owner; entries
 *  at or after the mapped count greyed, with the note that only the first N are valid. The
 *  counts (`countsHtml`) are a separate part. */
export function sgTableHtml(state: DmaState): string {
  const sgt = state.sgt;
  if (!sgt) {
    const why = state.driver.chunk < 0 ? 'the driver builds one per command' : state.driver.phase === 'done' ? 'the last one was freed with sg_free_table' : 'sg_free_table freed it; the next command builds a new one';
    return `<p class="sg-empty">No scatterlist right now: ${esc(why)}.</p>`;
  }
  const ps = state.params.pageSize;
  const rows = sgt.sgl
    .map((e, i) => {
      const status = entryDmaStatus(state, i);
      const dma =
        status === 'beyond'
          ? `<td class="sg-na" colspan="2">not a DMA segment</td>`
          : e.dma_address === null
            ? `<td class="sg-na">—</td><td class="sg-na">—</td>`
            : `<td class="sim-mono">${hex(e.dma_address)}</td><td class="sim-mono">${e.dma_length}</td>`;
      const pages = e.npages > 1 ? ` <span class="sg-sub">+${e.npages - 1} ${e.npages === 2 ? 'page' : 'pages'}</span>` : '';
      return (
        `<tr data-entry="${i}" data-status="${status}"${status === 'beyond' ? ' class="sg-beyond"' : ''}>` +
        `<th scope="row">${entryChip(i)}</th>` +
        `<td class="sim-mono">${hex(e.pfn)}${pages}</td><td class="sim-mono">${hex(e.offset)}</td><td class="sim-mono">${e.length}</td>` +
        dma +
        `<td>${e.owner === 'device' ? '<span class="sg-owner-dev">device</span>' : 'CPU'}</td></tr>`
      );
    })
    .join('');
  const chunk = currentChunk(state);
  const caption = `<caption>The scatterlist${chunk && chunk.count > 1 ? ` of ${esc(chunkText(state))}` : ''}: ${sgt.sgl.length === 1 ? '1 entry' : `${sgt.sgl.length} entries`} (${bytesText(sgt.sgl.reduce((n, e) => n + e.length, 0))}, pages of ${bytesText(ps)})</caption>`;
  const head =
    '<thead><tr><th scope="col" rowspan="2">Entry</th><th scope="colgroup" colspan="3">CPU side (<code>sg_set_page</code>)</th><th scope="colgroup" colspan="2">Device side: DMA segment <var>i</var> (after mapping)</th><th scope="col" rowspan="2">Owner</th></tr>' +
    '<tr><th scope="col">page (pfn)</th><th scope="col">offset</th><th scope="col">length</th><th scope="col"><code>sg_dma_address</code></th><th scope="col"><code>sg_dma_len</code></th></tr></thead>';
  const mapped = state.driver.mappedCount;
  const note = mapped !== null && mapped < sgt.orig_nents ? `<p class="sg-note-beyond" data-part="beyondnote">${esc(mappedNote(mapped, sgt.orig_nents, state.params.api))}</p>` : '';
  return `<div class="sim-scroll" data-scrolls tabindex="0" role="group" aria-label="Scatterlist table (scrolls sideways)"><table class="sim-table sg-table">${caption}${head}<tbody>${rows}</tbody></table></div>${note}`;
}

function loopTable(state: DmaState): string {
  const chunk = currentChunk(state);
  const p = state.params;
  const cmd = chunk ? `${chunk.index + 1} of ${chunk.count}: bytes ${chunk.start}–${chunk.start + chunk.len - 1} (${bytesText(chunk.len)})` : esc(chunkText(state));
  return (
    `<table class="sim-table"><caption>The driver’s loop (commands of at most ${bytesText(p.device.maxTransfer)})</caption><tbody>` +
    `<tr><th scope="row">Command</th><td>${cmd}</td></tr>` +
    `<tr><th scope="row">Transferred</th><td>${state.driver.transferred} of ${p.buffer.len} bytes</td></tr>` +
    `<tr><th scope="row">Driver</th><td>${esc(driverWords(state))}</td></tr>` +
    `<tr><th scope="row">Device</th><td>${esc(deviceWords(state))}</td></tr>` +
    `</tbody></table>`
  );
}

function pagesTable(state: DmaState): string {
  const p = state.params;
  const chunk = currentChunk(state);
  const rows = p.buffer.pfns
    .map((pfn, i) => {
      const s = pageSpan(p, i);
      const inChunk = chunk !== null && i >= chunk.firstPage && i <= chunk.lastPage;
      return `<tr><th scope="row">${i}</th><td class="sim-mono">${hex(pfn)}</td><td class="sim-mono">${hex(s.from)}–${hex(s.to - 1)} (${s.to - s.from} bytes)</td><td>${inChunk ? 'yes' : '—'}</td></tr>`;
    })
    .join('');
  return `<table class="sim-table"><caption>The pinned user buffer: page → frame</caption><thead><tr><th scope="col">Page</th><th scope="col">Frame (pfn)</th><th scope="col">Buffer bytes in it</th><th scope="col">In this command</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function iommuTable(state: DmaState): string {
  const p = state.params;
  const sgl = state.sgt?.sgl ?? [];
  if (!p.iommu.enabled) {
    const rows = sgl
      .flatMap((e, i) => (e.dma_address === null ? [] : [`<tr><th scope="row">${entryChip(i)}</th><td class="sim-mono">${hex(e.dma_address)}</td><td class="sim-mono">${hex(e.pfn * p.pageSize + e.offset)} (pfn ${hex(e.pfn)})</td><td>${e.dma_length}</td></tr>`]))
      .join('');
    const body = rows || '<tr><td colspan="4">Nothing mapped at this step.</td></tr>';
    return `<table class="sim-table"><caption>No IOMMU: bus address = physical address (dma-direct)</caption><thead><tr><th scope="col">Entry</th><th scope="col">Bus address</th><th scope="col">Physical address</th><th scope="col">Bytes</th></tr></thead><tbody>${body}</tbody></table>`;
  }
  const alloc = state.iommu.allocations;
  const g = state.iommu.granule;
  const segOf = (iova: number): number => {
    const n = state.driver.mappedCount ?? sgl.length;
    return sgl.findIndex((e, i) => i < n && e.dma_address !== null && iova + g > e.dma_address && iova < e.dma_address + e.dma_length);
  };
  const rows = iommuGranules(state.iommu, p.pageSize)
    .map((m) => {
      const seg = segOf(m.iova);
      return `<tr><td class="sim-mono">${hex(m.iova)}</td><td class="sim-mono">${hex(m.phys)} (pfn ${hex(m.pfn)})</td><td>${m.pad ? 'padding after ' : ''}${entryChip(m.entry)}</td><td>${seg >= 0 ? `segment ${seg}` : '—'}</td></tr>`;
    })
    .join('');
  const allocText = alloc.length ? alloc.map((a) => `${hex(a.start)}–${hex(a.start + a.size - 1)} (${bytesText(a.size)})`).join(', ') : 'none';
  const body = rows || '<tr><td colspan="4">No IOMMU translations at this step.</td></tr>';
  return `<table class="sim-table"><caption>IOMMU: IOVA allocated ${esc(allocText)}; one row per ${bytesText(g)} granule</caption><thead><tr><th scope="col">IOVA</th><th scope="col">→ physical</th><th scope="col">Maps</th><th scope="col">DMA segment</th></tr></thead><tbody>${body}</tbody></table>`;
}

function descriptorsTable(state: DmaState): string {
  const dev = state.device;
  const posted = dev.descriptors;
  const pending = state.driver.phase === 'post' || state.driver.phase === 'doorbell' ? state.driver.pending.slice(posted.length) : [];
  const rows = [...posted.map((d) => ({ d, posted: true })), ...pending.map((d) => ({ d, posted: false }))]
    .map(({ d, posted: isPosted }, k) => {
      const status = !isPosted ? 'not yet written' : d.done ? 'done' : dev.running && dev.next === k ? 'next' : 'posted';
      const piece = d.parts > 1 ? `, piece ${d.part + 1} of ${d.parts}` : '';
      return `<tr><th scope="row">${k}</th><td class="sim-mono">${hex(d.addr)}</td><td>${d.len}</td><td>segment ${d.seg}${piece}</td><td>${status}</td></tr>`;
    })
    .join('');
  const body = rows || '<tr><td colspan="5">No descriptors at this step.</td></tr>';
  return `<table class="sim-table"><caption>The device’s descriptor list (each at most ${bytesText(state.params.device.maxDescLen)})</caption><thead><tr><th scope="col">#</th><th scope="col">Address</th><th scope="col">Length</th><th scope="col">From</th><th scope="col">Status</th></tr></thead><tbody>${body}</tbody></table>`;
}

function reportsTable(state: DmaState, steps: readonly number[]): string {
  if (state.reports.length === 0) return '';
  const rows = state.reports.map((r, i) => `<tr><th scope="row">${steps[i] ?? '?'}</th><td><code>DMA-API: ${esc(r.message)}</code><br>${esc(reportConsequence(r))}</td></tr>`).join('');
  return `<table class="sim-table sg-reports-table"><caption>dma-debug reports so far</caption><thead><tr><th scope="col">Step</th><th scope="col">Report</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The table view of one state (everything the diagrams show, as tables). `reportStepIdx`
 *  is `reportSteps(timeline)` (the step of each report). */
export function tablesHtml(state: DmaState, reportStepIdx: readonly number[] = []): string {
  return `${loopTable(state)}${pagesTable(state)}${iommuTable(state)}${descriptorsTable(state)}${reportsTable(state, reportStepIdx)}`;
}

/** One dma-debug report as a warning box. */
function warningHtml(r: DmaReport): string {
  return (
    `<div class="sg-warn" data-kind="${esc(r.kind)}">` +
    `<p class="sg-warn-title"><span aria-hidden="true">⚠</span> dma-debug warning at this step</p>` +
    `<p class="sg-warn-msg"><code>DMA-API: ${esc(r.message)}</code></p>` +
    `<p class="sg-warn-why">${esc(reportConsequence(r))}</p></div>`
  );
}

/**
 * The warnings shown right under the narration: each dma-debug report the step into
 * `states[index]` raised, in full, and a one-line reminder (with a button to jump there) of
 * the reports earlier steps raised. Empty when there are none.
 */
export function reportsHtml(states: readonly DmaState[], index: number): string {
  const state = states[index];
  if (!state || state.reports.length === 0) return '';
  const now = reportsAt(states, index);
  const steps = reportSteps(states.slice(0, index + 1));
  const earlier = state.reports
    .map((r, i) => ({ r, step: steps[i] }))
    .filter((x) => x.step < index)
    .map(
      (x) =>
        `<li><span aria-hidden="true">⚠</span> dma-debug reported at <button type="button" class="sg-seek" data-seek="${x.step}">step ${x.step}</button>: <code>${esc(x.r.message)}</code></li>`,
    )
    .join('');
  return `${now.map(warningHtml).join('')}${earlier ? `<ul class="sg-warn-earlier">${earlier}</ul>` : ''}`;
}

/** Text of the muted chip for a step with no kernel source: the driver's own code or the
 *  device. */
export const noSourceText = noSourceByActor(
  (state: DmaState) => state.event?.actor,
  { device: 'the device (hardware), not kernel code' },
  'the driver’s own code (the loop from the original answers), not the kernel’s',
);

/** The prompt above the "what happens next" button. */
export const SG_SCHED_PROMPT =
  '<strong>What happens next:</strong> one actor moves at a time: the driver, or, while it sleeps waiting for the interrupt, the device.';
