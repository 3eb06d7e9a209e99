/**
 * DOM-free view of the revoke model (sims/revoke) for the revoke-an-mmap widget: the page
 * table with what each device page holds, the scratch page, the counters, and the widget's
 * whole first markup. The server component and the custom element both call these.
 */
import { pfnText, type Policy, type RevokeState } from '../../../sims/revoke/index.ts';

/** How a write's serial number is shown. */
const wr = (v: number | null) => (v === null ? '—' : `write #${v}`);

/** `<tr>` rows, one per page of the vma: page, its PTE, and what the device page behind it holds. */
export function rowsHtml(s: RevokeState): string {
  const last = s.event?.choice.act === 'write' ? s.event.choice.page : null;
  return s.ptes
    .map((pte, i) => {
      const cls = ['rvw__row', pte === null ? 'rvw__row--none' : `rvw__row--${pte.to}`, i === last ? 'rvw__row--last' : ''].filter(Boolean).join(' ');
      const to = pte === null ? 'none' : pte.to === 'device' ? `device ${pfnText(pte.pfn)}` : `scratch ${pfnText(pte.pfn)}`;
      return `<tr class="${cls}" data-page="${i}"><th scope="row">${i}</th><td class="rvw__pte">${to}</td><td>${wr(s.device[i])}</td></tr>`;
    })
    .join('');
}

/** The scratch page line: unused for the SIGBUS policy, otherwise its last write. */
export function scratchText(s: RevokeState): string {
  if (s.policy === 'sigbus') return 'Scratch page: none (this driver returns VM_FAULT_SIGBUS).';
  return s.scratch ? `Scratch page: holds write #${s.scratch.value}, from page ${s.scratch.page}.` : 'Scratch page: allocated by the driver, nothing written yet.';
}

/** The process and the counters, in one line. */
export function countersText(s: RevokeState): string {
  const proc = s.process === 'killed' ? 'killed by SIGBUS' : s.revoked ? 'running, mapping revoked' : 'running';
  return `Process: ${proc}. Writes ${s.writes}: ${s.toDevice} reached the device, ${s.toScratch} landed in the scratch page, ${s.lost} never happened. Faults ${s.faults}, SIGBUS ${s.sigbus}.`;
}

/**
 * The widget's whole inner markup for a fresh mapping `s`. `uid` makes ids unique.
 * Controls start disabled; the element enables the ones that apply.
 */
export function widgetHtml(s: RevokeState, uid: string): string {
  const pol = (p: Policy, label: string) => `<label><input type="radio" name="${uid}-policy" value="${p}"${s.policy === p ? ' checked' : ''} disabled> ${label}</label>`;
  const writes = s.ptes.map((_, i) => `<button type="button" data-act="write" data-page="${i}" disabled>Write page ${i}</button>`).join('');
  return `<div class="steplog rvw">
  <div class="rvw__state">
    <table class="steplog__table">
      <caption>The process's page table for the mapped region</caption>
      <thead><tr><th scope="col">page</th><th scope="col">PTE maps</th><th scope="col">device page holds</th></tr></thead>
      <tbody>${rowsHtml(s)}</tbody>
    </table>
    <p class="rvw__scratch">${scratchText(s)}</p>
    <p class="rvw__counters">${countersText(s)}</p>
  </div>
  <form class="steplog__controls" aria-labelledby="${uid}-h">
    <p class="steplog__h" id="${uid}-h">Run it</p>
    <fieldset class="rvw__policy"><legend>After the revoke, the driver's fault handler</legend>
      ${pol('sigbus', 'returns <code>VM_FAULT_SIGBUS</code>')}
      ${pol('scratch', 'maps a scratch page')}
      <label class="rvw__handler"><input type="checkbox" name="handler"${s.sigbusHandler ? ' checked' : ''} disabled> the process has a SIGBUS handler</label>
    </fieldset>
    <div class="steplog__buttons" role="group" aria-label="The process writes">${writes}</div>
    <div class="steplog__buttons">
      <button type="button" data-act="revoke" disabled>Revoke (driver)</button>
      <button type="button" data-act="back" disabled>Step back</button>
      <button type="button" data-act="reset" disabled>Reset</button>
    </div>
    <p class="steplog__status" role="status" aria-live="polite" aria-atomic="true"></p>
    <ol class="steplog__log" aria-label="Steps so far" tabindex="0"></ol>
  </form>
</div>`;
}

/** One line of the step log, e.g. `write #4 to page 2: fault, scratch page mapped`. */
export function logText(s: RevokeState): string {
  const e = s.event;
  if (!e) return '';
  if (e.choice.act === 'revoke') return 'revoke: every PTE cleared';
  const w = `write #${e.value} to page ${e.choice.page}`;
  switch (e.outcome) {
    case 'device': return `${w}: reached the device`;
    case 'scratch': return `${w}: landed in the scratch page`;
    case 'fault-scratch': return `${w}: fault, scratch page mapped, landed there`;
    case 'fault-sigbus': return `${w}: fault, SIGBUS${s.process === 'killed' ? ', process killed' : ', handler skipped it'}`;
    default: return w;
  }
}
