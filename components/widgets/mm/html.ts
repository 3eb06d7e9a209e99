/**
 * HTML strings for the memory simulation's text views: the table view (the page-table
 * walk, the frames, the process pages -> frames map), the driver's calls, the pin check,
 * the address form and the header summary. Pure functions with no DOM, the parts of the
 * widget's definition (`definition.ts`): rendered on the server for the initial state and
 * by `<mm-sim>` on every step.
 */
import { checkPins, hex, mmModel, walk } from '../../../sims/mm/index.ts';
import type { MmChoice, MmState, PinReport, WalkResult } from '../../../sims/mm/index.ts';
import {
  addressFields,
  contentsText,
  dmaOutcomeText,
  dmaTargets,
  driverCalls,
  fieldName,
  hex48,
  machineText,
  mappersText,
  pageRows,
  pteText,
  retSentence,
  vmaText,
  walkEntryText,
  walkOutcomeText,
  zoneName,
  accessAt,
  type Access,
  type DmaTarget,
} from './format.ts';
import { choiceButtonHtml, esc, type ChoiceButtonStyle } from '../../player/shell-html.ts';
import { noSourceByActor } from '../../player/definition.ts';
import { seriesColor } from '../../scene/palette.ts';

/** The prompt above the scheduler buttons. */
export const MM_SCHED_PROMPT = '<strong>Play the scheduler:</strong> choose who acts next: a process, the driver, the device or the kernel’s background work.';

/** The choices box once nothing can happen. */
export const MM_NO_CHOICES = '<p class="sim-note">Nothing can happen next: every process, the driver and the device are done.</p>';

/** The muted source chip of a step that runs no kernel function (the device, the driver's own code, a plain MMU access). */
export const noSourceText = noSourceByActor((state: MmState) => (typeof state.event?.actor === 'number' ? 'process' : state.event?.actor), {
  device: 'the device: no kernel code runs',
  driver: 'the driver’s own code',
  // A process's step that runs no kernel code: a load or store the MMU translates.
  process: 'the MMU: no fault, no kernel code',
});

/** The colour of the scheduler buttons of the actors other than the processes. */
const ACTOR_COLOR: Readonly<Record<Exclude<MmChoice['actor'], 'process'>, string>> = {
  driver: 'var(--accent, #1f5fd1)',
  device: 'var(--warn, #9a6700)',
  kernel: 'var(--muted, #56606f)',
};

/** The colour of a scheduler button by actor: processes by pid (the series palette), then driver, device, kernel. */
function actorColor(c: MmChoice): string {
  return c.actor === 'process' ? seriesColor(c.pid) : ACTOR_COLOR[c.actor];
}

/** How a scheduler button is coloured: by actor (`data-kind`), processes by pid. */
export function choiceStyle(choice: MmChoice): ChoiceButtonStyle {
  return { kind: choice.actor, color: actorColor(choice) };
}

/** One scheduler button for an mm choice (`process 0: write 0x7f0000001234`, `driver: pin_user_pages(…)`). */
export function choiceHtmlFor(state: MmState, choice: MmChoice, index: number, disabled = false): string {
  return choiceButtonHtml(mmModel.describeChoice(state, choice), index, choiceStyle(choice), disabled);
}

/** Why the translation view walks an address, by where the address came from. */
const WALK_WHY: Readonly<Record<Access['from'], string>> = {
  'this-step': 'the address this step uses',
  earlier: 'the address an earlier step used',
  preset: 'the address this run uses first',
  buffer: 'the start of the buffer',
};

/** Why the translation view walks this address, in a few words. */
export function walkWhy(a: Access): string {
  return WALK_WHY[a.from];
}

/** The header line: the machine and process 0's mappings. */
export function paramsSummaryHtml(state: MmState): string {
  const vmas = state.procs[0].vmas.map((v) => `<code>${esc(vmaText(v))}</code>`).join('; ');
  return `<span>${esc(machineText(state.params))}</span><br /><span>Process 0: ${vmas}</span>`;
}

/** A walk shown in the table view: which address, in which process, and the result. */
export interface WalkShown {
  pid: number;
  walk: WalkResult;
  /** Why this address (e.g. "the address this step accessed"). */
  why: string;
}

/** The page-table walk as a table: one row per level, then the offset and the physical address. */
export function walkTableHtml(shown: WalkShown): string {
  const w = shown.walk;
  const fields = addressFields(w.va);
  const rows = fields
    .map((f, i) => {
      const bits = `bits ${f.hi}–${f.lo}: <code>${f.bits}</code>`;
      if (f.field === 'offset') {
        return `<tr><th scope="row">offset</th><td>${bits}</td><td>${f.value} (${esc(hex(f.value))})</td><td>${w.outcome.kind === 'mapped' ? 'added to the frame’s address' : '—'}</td></tr>`;
      }
      const step = w.steps[i];
      const entry = step ? esc(walkEntryText(w, i)) : '<span class="sim-note">not reached</span>';
      return `<tr><th scope="row">${fieldName(f.field)}</th><td>${bits}</td><td>${f.value}</td><td>${entry}</td></tr>`;
    })
    .join('');
  const caption = `Page-table walk of <code>${esc(hex48(w.va))}</code> in process ${shown.pid} (${esc(shown.why)})`;
  const result = `<p class="mm-walk-result" data-kind="${w.outcome.kind}">${esc(walkOutcomeText(w, shown.pid))}</p>`;
  return `<div class="sim-scroll" data-scrolls tabindex="0" role="group" aria-label="Page-table walk table (scrolls sideways)"><table class="sim-table mm-walk-table"><caption>${caption}</caption><thead><tr><th scope="col">Level</th><th scope="col">Address bits</th><th scope="col">Index</th><th scope="col">Entry</th></tr></thead><tbody>${rows}</tbody></table></div>${result}`;
}

/** The DMA status of each frame (last word wins: a lost write outranks a pending target). */
function dmaByPfn(targets: DmaTarget[]): Map<number, DmaTarget[]> {
  const m = new Map<number, DmaTarget[]>();
  for (const t of targets) m.set(t.pfn, [...(m.get(t.pfn) ?? []), t]);
  return m;
}

/**
 * The frames as a table: pfn, zone, contents, refcount, pincount, mapped by, DMA. Runs of
 * two or more frames that hold nothing at all (free, no stale data, no DMA) in the same
 * zone share one row (`1–5 NORMAL free (5 frames)`).
 */
export function framesTableHtml(state: MmState): string {
  const dma = dmaByPfn(dmaTargets(state));
  const blank = (i: number): boolean => {
    const f = state.frames[i];
    return f !== undefined && f.use === 'free' && f.data === '' && !f.dirty && !dma.has(f.pfn);
  };
  const rows: string[] = [];
  for (let i = 0; i < state.frames.length; i++) {
    const f = state.frames[i];
    let j = i;
    while (blank(i) && blank(j + 1) && state.frames[j + 1].zone === f.zone) j++;
    const zone = f.zone === 'movable' ? 'MOVABLE' : 'NORMAL';
    if (j > i) {
      rows.push(`<tr data-use="free"><th scope="row">${f.pfn}–${state.frames[j].pfn}</th><td>${zone}</td><td>free (${j - i + 1} frames)</td><td>0</td><td>0</td><td>none</td><td>—</td></tr>`);
      i = j;
      continue;
    }
    const d = (dma.get(f.pfn) ?? []).map((t) => `page ${t.index + 1}: ${esc(dmaOutcomeText(t.status))}`).join('; ');
    const lost = (dma.get(f.pfn) ?? []).some((t) => t.status === 'freed' || t.status === 'elsewhere' || t.status === 'zero-page');
    rows.push(
      `<tr data-use="${f.use}"${lost ? ' data-lost="true"' : ''}><th scope="row">${f.pfn}</th><td>${zone}</td><td>${esc(contentsText(f))}${f.dirty ? ' <span class="sim-note">(dirty)</span>' : ''}</td><td>${f.refcount}</td><td>${f.pincount}</td><td>${esc(mappersText(f))}</td><td>${d || '—'}</td></tr>`,
    );
  }
  return `<div class="sim-scroll" data-scrolls tabindex="0" role="group" aria-label="Frames table (scrolls sideways)"><table class="sim-table mm-frames-table"><caption>Physical frames (pincount = refcount / 1024, rounded down)</caption><thead><tr><th scope="col">pfn</th><th scope="col">Zone</th><th scope="col">Contents</th><th scope="col">refcount</th><th scope="col">pincount</th><th scope="col">Mapped by</th><th scope="col">DMA</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** The process pages -> frames map as a table. */
export function pagesTableHtml(state: MmState): string {
  const rows = pageRows(state)
    .map(
      (r) =>
        `<tr${r.buffer ? ' data-buffer="true"' : ''}><th scope="row">P${r.pid}</th><td>${esc(r.vma)} ${r.page}${r.buffer ? ' <span class="sim-note">(buffer)</span>' : ''}</td><td><code>${esc(hex(r.va))}</code></td><td>${esc(pteText(r))}</td></tr>`,
    )
    .join('');
  const gone = state.procs.filter((p) => p.pgtables.length === 0).map((p) => `process ${p.pid} has ${p.status === 'killed' ? `been killed (${p.killedBy ?? ''})` : 'exited'}`);
  const note = gone.length ? `<p class="sim-note">${esc(gone.join('; '))}: no pages left.</p>` : '';
  return `<div class="sim-scroll" data-scrolls tabindex="0" role="group" aria-label="Pages table (scrolls sideways)"><table class="sim-table mm-pages-table"><caption>Process pages → frames</caption><thead><tr><th scope="col">Process</th><th scope="col">Page</th><th scope="col">Virtual address</th><th scope="col">PTE</th></tr></thead><tbody>${rows}</tbody></table></div>${note}`;
}

/**
 * The walk the translation view shows at step `index` when the learner typed nothing: the
 * address of the step's access (or an earlier one, or the preset's first), in its process.
 * Throws what `walk` throws for a process with no page tables left; `stepWalkOrNull` does not.
 */
export function stepWalk(states: readonly MmState[], index: number): WalkShown {
  const a = accessAt(states, index);
  return { pid: a.pid, walk: walk(states[index], a.va, a.pid), why: walkWhy(a) };
}

/** `stepWalk`, or null when that address cannot be walked (its process is gone). */
export function stepWalkOrNull(states: readonly MmState[], index: number): WalkShown | null {
  try {
    return stepWalk(states, index);
  } catch {
    return null;
  }
}

/**
 * The address form (walk any address of the step's process): label, field, Walk, "Follow
 * the steps" (hidden until an address is typed) and the message line. The controls are
 * disabled until the element upgrades (`data-needs-js`). `uid` prefixes the ids.
 */
export function walkFormHtml(uid: string, access: Access): string {
  const u = esc(uid);
  return (
    `<form class="mm-walkform" data-part="walkform" novalidate>` +
    `<label for="${u}-va">Walk an address of process <span data-part="walkpid">${access.pid}</span></label>` +
    `<div class="mm-walkrow"><input id="${u}-va" data-part="walkinput" type="text" inputmode="text" autocomplete="off" spellcheck="false" value="0x${access.va.toString(16)}" aria-describedby="${u}-walkmsg" data-needs-js disabled>` +
    `<button type="submit" class="sim-btn" data-needs-js disabled>Walk</button>` +
    `<button type="button" class="sim-btn" data-part="walkfollow" hidden>Follow the steps</button></div>` +
    `<p class="sim-note mm-walkmsg" id="${u}-walkmsg" data-part="walkmsg" role="status"></p></form>`
  );
}

/** The whole table view of one state (with the walk shown in the translation view). */
export function tablesHtml(state: MmState, shown: WalkShown | null): string {
  return `${shown ? walkTableHtml(shown) : ''}${pagesTableHtml(state)}${framesTableHtml(state)}`;
}

/**
 * The driver's calls up to step `index`: each call with its step and return value
 * (`pin_user_pages(…) returned 2 of 4`), and the calls still to come, dimmed. Empty string
 * when the run has no driver.
 */
export function driverCallsHtml(states: readonly MmState[], index: number): string {
  const script = states[0].params.driver;
  if (script.length === 0) return '';
  const items = driverCalls(states, index)
    .map((c) => {
      const op = script[c.n];
      const ret = retSentence(c, op);
      const when = c.step === null ? '<span class="sim-note">to come</span>' : `<span class="mm-call-step">step ${c.step}</span>`;
      return `<li data-made="${c.step !== null}"${c.retKind ? ` data-ret="${c.retKind}"` : ''}>${when} <code>${esc(c.label)}</code>${ret ? ` <strong class="mm-ret">${esc(ret)}</strong>` : ''}</li>`;
    })
    .join('');
  return `<h4 class="mm-panel-title">The driver’s calls</h4><ol class="mm-calls">${items}</ol>`;
}

/**
 * The pin check (`checkPins`) of `state`: its problems while any are definite (a stray DMA
 * write, a bad release, a kernel warning); at the end of the run, its full verdict.
 */
export function pinCheckHtml(state: MmState, finished: boolean): string {
  if (state.params.driver.length === 0) return '';
  const r = checkPins(state);
  const definite = r.strayDma.length + r.badReleases.length + r.warnings.length > 0;
  if (!finished && !definite) return '';
  const counters = `nr_foll_pin_acquired ${r.pinAcquired}, nr_foll_pin_released ${r.pinReleased}`;
  if (r.ok) return `<p class="mm-check" data-status="ok"><strong>checkPins:</strong> the driver’s books balance (${esc(counters)}).</p>`;
  // Mid-run, pins still held and pages not yet dirtied are work in progress, not problems.
  const problems = finished ? r.problems : definiteProblems(r);
  const items = problems.map((p) => `<li>${esc(p)}</li>`).join('');
  return `<div class="mm-check" data-status="bad"><p><strong>checkPins${finished ? '' : ' so far'}:</strong> ${problems.length === 1 ? '1 problem' : `${problems.length} problems`} (${esc(counters)}).</p><ul>${items}</ul></div>`;
}

/**
 * The problems of a pin report that stay problems whatever the driver does next: bad
 * releases, stray DMA writes, kernel warnings (not pins still held, nor pages not yet
 * dirtied). `checkPins` lists its sentences in the order of its fields: leaked pins, leaked
 * references, bad releases, frames not dirty, stray DMA, warnings.
 */
function definiteProblems(r: PinReport): string[] {
  const held = r.leakedPins.length + r.leakedRefs.length;
  const bad = r.badReleases.length;
  return [...r.problems.slice(held, held + bad), ...r.problems.slice(held + bad + r.notDirty.length)];
}

/** The SVG descriptions of the two diagrams, in words (also useful as the figures' text alternative). */
export function memoryDesc(state: MmState): string {
  const used = state.frames.filter((f) => f.use !== 'free' && f.use !== 'zero');
  const frames = used.length
    ? used.map((f) => `pfn ${f.pfn} (${zoneName(f.zone)}) holds ${contentsText(f)}, refcount ${f.refcount}, pincount ${f.pincount}`).join('; ')
    : 'no frame is in use but the zero page';
  const lost = dmaTargets(state).filter((t) => t.status === 'freed');
  const lostText = lost.length ? ` Lost DMA writes: ${lost.map((t) => `page ${t.index + 1} into free pfn ${t.pfn}`).join(', ')}.` : '';
  return `${frames}.${lostText}`;
}
