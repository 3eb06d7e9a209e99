/**
 * HTML strings for the cache-coherence widget's text views: the platform banner, the driver's
 * program with the current call highlighted and each checker finding next to the call that
 * caused it, the data verdict, and the table view of the whole state (RAM and cache, swiotlb
 * slots, mappings and their owners, transfers and reads, findings). Pure functions with no
 * DOM, used by `CoherenceSim.astro` to server-render the initial state and by
 * `<coherence-sim>` on every step.
 */
import { callText } from '../../../sims/dma/index.ts';
import type { CohChoice, CoherenceState, Finding, OpResult } from '../../../sims/dma/index.ts';
import { DEBUG_RULES } from '../../../sims/dma/index.ts';
import {
  addr,
  bytesHex,
  choiceStyle,
  dataVerdict,
  diffIndices,
  handleWords,
  mappingLabel,
  ownerWord,
  platformInfo,
  range,
  slotInfo,
  tokenWords,
  transferWords,
} from './format.ts';
import { choiceButtonHtml, esc } from '../../player/shell-html.ts';

/** The prompt above the scheduler buttons. */
export const COH_SCHED_PROMPT =
  '<strong>Play the scheduler:</strong> run the CPU’s next call, move the device one line, or evict a cache line by hand (a dirty line is written back first). Evictions and speculative fills happen whenever other code needs the cache, so they are yours to choose.';

/** The platform banner under the heading: name and what it means. */
export function platformHtml(state: CoherenceState): string {
  const p = platformInfo(state.params);
  return `<span class="coh-platform-name"><span class="coh-platform-k">Platform</span> ${esc(p.name)}</span> <span class="coh-platform-detail">${esc(p.detail)}</span>`;
}

/** One scheduler button. */
export function choiceHtmlFor(label: string, choice: CohChoice, index: number, disabled = false): string {
  return choiceButtonHtml(label, index, choiceStyle(choice), disabled);
}

function resultText(r: OpResult | undefined): string {
  if (!r) return '';
  switch (r.kind) {
    case 'handle':
      return `→ ${addr(r.handle)}`;
    case 'int':
      return `→ ${r.value}`;
    case 'bytes':
      return `→ ${bytesHex(r.bytes.slice(0, 8))}${r.bytes.length > 8 ? ' …' : ''}`;
    case 'coherent':
      return r.cpu_addr === null ? '→ NULL' : `→ ${addr(r.cpu_addr)}, dma_handle ${r.handle === null ? '?' : addr(r.handle)}`;
    case 'sg':
      return `→ sgl${r.sg}`;
    case 'none':
      return '';
  }
}

function findingHtml(f: Finding, now: boolean): string {
  const info = DEBUG_RULES[f.rule];
  return (
    `<li class="coh-finding${now ? ' coh-finding-now' : ''}" data-rule="${esc(f.rule)}">` +
    `<span class="coh-finding-src">${info.source === 'dma-debug' ? 'dma-debug' : 'simulator'}</span> ` +
    `<strong class="coh-finding-rule"><span aria-hidden="true">⚠ </span>${esc(f.rule)}</strong>: ` +
    `<span class="coh-finding-msg">${esc(f.message)}</span>` +
    `${now ? ' <span class="coh-finding-when">(this step)</span>' : ` <span class="coh-finding-when">(step ${f.step})</span>`}</li>`
  );
}

/**
 * The driver's program as an ordered list: each call as the driver wrote it, done / running
 * now / next marks, what it returned, and under it each finding it caused (rule and message),
 * the ones raised by this step emphasised. The driver's unbind (dma-debug's leak check) is
 * the last row.
 */
export function programHtml(state: CoherenceState): string {
  const prog = state.params.program;
  const pc = state.cpu.pc;
  const last = state.lastChoice?.kind === 'cpu';
  // The call the last step ran: the unbind (the teardown step), or the one before `pc`.
  const ranPc = !last ? -1 : state.event?.source?.fn === 'dma_debug_device_change' ? prog.length : pc - 1;
  const byPc = new Map<number, Finding[]>();
  for (const f of state.findings) byPc.set(f.pc, [...(byPc.get(f.pc) ?? []), f]);
  const waiting = prog[pc]?.op === 'wait' && state.device.op !== null;
  const rows = prog.map((op, i) => {
    const done = i < pc;
    const status = i === ranPc ? 'ran' : done ? 'done' : i === pc && state.cpu.phase === 'run' ? (waiting ? 'waiting' : 'next') : 'todo';
    const mark = { ran: 'just ran', done: 'done', next: 'next', waiting: 'sleeping until the interrupt', todo: '' }[status];
    const fs = byPc.get(i) ?? [];
    return (
      `<li class="coh-call coh-call-${status}${fs.length ? ' coh-call-flagged' : ''}" value="${i}" data-pc="${i}"${status === 'ran' || status === 'next' || status === 'waiting' ? ' aria-current="step"' : ''}>` +
      `<div class="coh-call-line"><code class="coh-call-code">${esc(callText(op))}</code>` +
      `${done ? ` <span class="coh-call-ret">${esc(resultText(state.cpu.results[i]))}</span>` : ''}` +
      `${mark ? ` <span class="coh-call-mark">${esc(mark)}</span>` : ''}</div>` +
      `${fs.length ? `<ul class="coh-findings">${fs.map((f) => findingHtml(f, f.step === state.stepIndex)).join('')}</ul>` : ''}</li>`
    );
  });
  const unbound = state.cpu.phase === 'done';
  const fs = byPc.get(prog.length) ?? [];
  const unbindStatus = unbound ? (ranPc === prog.length ? 'ran' : 'done') : pc >= prog.length ? 'next' : 'todo';
  rows.push(
    `<li class="coh-call coh-call-${unbindStatus} coh-call-unbind${fs.length ? ' coh-call-flagged' : ''}" value="${prog.length}" data-pc="${prog.length}">` +
      `<div class="coh-call-line"><code class="coh-call-code">driver unbind (dma-debug leak check)</code>${unbindStatus === 'todo' ? '' : ` <span class="coh-call-mark">${unbindStatus === 'ran' ? 'just ran' : unbindStatus}</span>`}</div>` +
      `${fs.length ? `<ul class="coh-findings">${fs.map((f) => findingHtml(f, f.step === state.stepIndex)).join('')}</ul>` : ''}</li>`,
  );
  const n = state.findings.length;
  const summary = n === 0 ? 'The checker has found nothing so far.' : `The checker has ${n === 1 ? 'one finding' : `${n} findings`} so far, shown under the call that caused ${n === 1 ? 'it' : 'each'}.`;
  return `<ol class="coh-prog" start="0">${rows.join('')}</ol><p class="coh-prog-summary">${esc(summary)}</p>`;
}

/** The verdict's sentence without the label the line already shows in bold. */
function verdictBody(text: string): string {
  const t = text.replace(/^(Stale data|Old bytes sent): /, '');
  return t === text ? t : t.charAt(0).toUpperCase() + t.slice(1);
}

/** The verdict line: data right or wrong (stale data / old bytes sent) and the checker's count. */
export function verdictHtml(state: CoherenceState, finished: boolean): string {
  const v = dataVerdict(state);
  const n = state.findings.length;
  const label = { pending: 'No verdict yet', right: finished ? 'Right data' : 'Right so far', stale: 'Stale data', 'old-sent': 'Old bytes sent', both: 'Stale data and old bytes sent' }[v.kind];
  const checker = n === 0 ? 'checker silent' : `checker: ${n} ${n === 1 ? 'finding' : 'findings'}`;
  return (
    `<p class="coh-verdict" data-verdict="${v.kind}" data-findings="${n}">` +
    `<strong class="coh-verdict-label">${esc(label)}</strong> <span class="coh-verdict-checker" data-silent="${n === 0}">${esc(checker)}</span> ` +
    `<span class="coh-verdict-text">${esc(verdictBody(v.text))}</span></p>`
  );
}

function table(caption: string, head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th scope="col">${h}</th>`).join('');
  const body = rows.map((r) => `<tr><th scope="row">${r[0]}</th>${r.slice(1).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<div class="sim-scroll" data-scrolls><table class="sim-table coh-table ${cls}"><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The table view of one state: the same facts as the diagrams. */
export function tablesHtml(state: CoherenceState): string {
  const ls = state.mem.lineSize;
  const mem = state.mem.cache.map((l, n) => {
    const s = slotInfo(state, n);
    const ram = state.mem.ram.slice(n * ls, (n + 1) * ls);
    const cacheBytes = s.status === 'clean' || s.status === 'dirty' ? `<span class="sim-mono">${esc(bytesHex(l.data))}</span>` : '—';
    const differs = s.status === 'clean' || s.status === 'dirty' ? (s.differs.length ? `<strong>${s.differs.length} bytes differ from RAM</strong> (+${s.differs.map((i) => i.toString(16)).join(', +')})` : 'same as RAM') : '';
    const state_ = { uncached: 'mapped uncached', invalid: 'not cached', clean: 'valid, clean', dirty: 'valid, dirty' }[s.status];
    return [`${n}`, addr(n * ls), `<span class="sim-mono">${esc(bytesHex(ram))}</span>`, esc(state_), cacheBytes, differs];
  });
  let out = table('RAM and the CPU cache, line by line', ['Line', 'Address', 'RAM bytes', 'Cache slot', 'Cached bytes', 'Cache vs RAM'], mem, 'coh-memtable');

  const tlb = state.swiotlb;
  if (tlb) {
    const rows = tlb.slots.map((s, i) => [String(i), range(tlb.base + i * tlb.slotSize, tlb.slotSize), s.orig_addr === null ? 'free' : `bounces ${addr(s.orig_addr)} (${s.alloc_size} bytes from here)`]);
    out += table('swiotlb bounce slots', ['Slot', 'Bytes', 'Holds'], rows);
  }

  const maps = state.mappings.map((m) => [`#${m.id}`, esc(mappingLabel(m).replace(/^#\d+ /, '')), esc(handleWords(m)), esc(m.unmapped ? '—' : ownerWord(m.owner)), esc(tokenWords(m))]);
  out += maps.length ? table('DMA mappings and who owns each', ['Mapping', 'Call and buffer', 'Handle', 'Owner', 'Token'], maps) : '<p class="coh-empty">No DMA mapping yet: the buffer is plain CPU memory.</p>';

  const data: string[][] = [];
  const transfers = [...state.device.transfers.map((t) => ({ t, f: false })), ...(state.device.op ? [{ t: state.device.op, f: true }] : [])];
  for (const { t, f } of transfers) {
    if (t.dma === 'write') data.push([`program[${t.pc}]`, esc(transferWords(t, f)), `<span class="sim-mono">${esc(bytesHex(t.data.slice(0, t.done)))}</span>`, '', '']);
    else {
      const ideal = t.ideal.slice(0, t.data.length);
      const bad = diffIndices(t.data, ideal).length > 0;
      data.push([`program[${t.pc}]`, esc(transferWords(t, f)), `<span class="sim-mono">${esc(bytesHex(t.data))}</span>`, `<span class="sim-mono">${esc(bytesHex(ideal))}</span>`, bad ? '<strong>old bytes sent</strong>' : 'right']);
    }
  }
  for (const r of state.cpu.reads) {
    const bad = diffIndices(r.bytes, r.ideal).length > 0;
    data.push([`program[${r.pc}]`, `CPU read ${esc(range(r.addr, r.bytes.length))}`, `<span class="sim-mono">${esc(bytesHex(r.bytes))}</span>`, `<span class="sim-mono">${esc(bytesHex(r.ideal))}</span>`, bad ? '<strong>stale data</strong>' : 'right']);
  }
  out += data.length
    ? table('What the device moved and what the CPU read, against a machine without caches', ['Call', 'What', 'Bytes', 'Without caches', 'Verdict'], data)
    : '<p class="coh-empty">The device has not moved a byte, and the CPU has read nothing yet.</p>';

  if (state.findings.length) {
    const rows = state.findings.map((f) => [String(f.step), `<code>${esc(f.call)}</code>`, `<code>${esc(f.rule)}</code> (${DEBUG_RULES[f.rule].source})`, esc(f.message)]);
    out += table('The checker’s findings', ['Step', 'Call', 'Rule', 'Message'], rows);
  }
  return out;
}
