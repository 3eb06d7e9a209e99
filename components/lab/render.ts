/**
 * Draws a cell's outputs: tables for arrays of records, a run as a stepper over its trace (with
 * a link that opens the run in its lesson's player), an explorer result as the Prove-it panel's
 * answer with its counterexample in that stepper, and a compact inspector (`<details>` trees)
 * for anything else.
 * Text goes in with `textContent` only: outputs are the learner's data, never markup.
 */
import type { ConsoleEntry } from '../grader/runner.ts';
import type { CellOutput } from './cell-runner.ts';
import type { AnswerDisplay, Display, ValueNode } from './display.ts';

type RunDisplay = Extract<Display, { kind: 'run' }>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function node(n: ValueNode, key: string | null, open: boolean): HTMLElement {
  if (n.t === 'prim') {
    const d = el('div', 'lab-prim');
    if (key !== null) d.append(el('span', 'lab-key', `${key}: `));
    d.append(el('span', `lab-v lab-${n.type}`, n.text));
    return d;
  }
  const det = el('details', 'lab-obj');
  det.open = open;
  const sum = el('summary');
  if (key !== null) sum.append(el('span', 'lab-key', `${key}: `));
  sum.append(el('span', 'lab-label', n.label));
  det.append(sum);
  for (const [k, c] of n.entries) det.append(node(c, k, false));
  if (n.more > 0) det.append(el('div', 'lab-more', `… ${n.more} more`));
  return det;
}

/** The element showing one display (see display.ts). `base` is the site's base URL. */
export function renderDisplay(d: Display, base: string): HTMLElement {
  switch (d.kind) {
    case 'table': {
      const wrap = el('div', 'lab-table-wrap');
      wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', `Table of ${d.total} rows`);
      const t = el('table', 'lab-table');
      const head = el('tr');
      for (const c of d.columns) head.append(el('th', undefined, c));
      t.append(el('thead'));
      t.tHead!.append(head);
      const body = el('tbody');
      for (const r of d.rows) {
        const tr = el('tr');
        for (const x of r) tr.append(el('td', undefined, x));
        body.append(tr);
      }
      t.append(body);
      wrap.append(t);
      if (d.total > d.rows.length) wrap.append(el('p', 'lab-more', `Showing ${d.rows.length} of ${d.total} rows.`));
      return wrap;
    }
    case 'run':
      return runElement(d, base, d.steps.length - 1, 'Open this run in the lesson player');
    case 'answer':
      return answerElement(d, base);
    case 'value':
      return node(d.tree, null, true);
  }
}

/**
 * A run: its heading, a player (Back / Forward buttons and a slider over the states, the
 * current step's choice, narration and kernel source, announced politely) opened at step `at`,
 * and the whole trace with the current step marked. Keyboard: the slider's arrow keys, Home, End.
 */
function runElement(d: RunDisplay, base: string, at: number, linkText: string): HTMLElement {
  const wrap = el('div', 'lab-run');
  const head = el('p', 'lab-run-head', `Run of the ${d.model} model: ${d.total - 1} steps.`);
  if (d.share) {
    const a = el('a', undefined, ` ${linkText}`);
    a.href = `${base}lessons/${d.share.lesson}/#sim=${d.share.text}`;
    head.append(a);
  }
  wrap.append(head);
  const last = d.steps.length - 1;
  const player = el('div', 'lab-player');
  player.setAttribute('role', 'group');
  player.setAttribute('aria-label', `Player of the ${d.model} run`);
  const bar = el('div', 'lab-player-bar');
  const back = el('button', 'lab-step-back', 'Back');
  const fwd = el('button', 'lab-step-fwd', 'Forward');
  back.type = fwd.type = 'button';
  back.setAttribute('aria-label', 'Step back');
  fwd.setAttribute('aria-label', 'Step forward');
  const slider = el('input', 'lab-step-slider');
  slider.type = 'range';
  slider.min = '0';
  slider.max = String(last);
  slider.setAttribute('aria-label', 'Step');
  const pos = el('span', 'lab-step-pos');
  bar.append(back, slider, fwd, pos);
  const now = el('p', 'lab-step-now');
  now.setAttribute('aria-live', 'polite');
  const ol = el('ol', 'lab-trace');
  ol.start = 0;
  ol.tabIndex = 0;
  ol.setAttribute('aria-label', `Steps of the ${d.model} run`);
  const items = d.steps.map((s) => {
    const li = el('li');
    if (s.choice) li.append(el('strong', undefined, `${s.choice}: `));
    li.append(document.createTextNode(s.narration));
    if (s.source) li.append(el('span', 'lab-src', ` (${s.source})`));
    ol.append(li);
    return li;
  });
  const show = (i: number) => {
    const k = Math.max(0, Math.min(last, i));
    const s = d.steps[k];
    slider.value = String(k);
    slider.setAttribute('aria-valuetext', `Step ${k}: ${s.narration}`);
    pos.textContent = `Step ${k} of ${last}`;
    now.replaceChildren();
    if (s.choice) now.append(el('strong', undefined, `${s.choice}: `));
    now.append(document.createTextNode(s.narration));
    if (s.source) now.append(el('span', 'lab-src', ` (${s.source})`));
    back.disabled = k === 0;
    fwd.disabled = k === last;
    items.forEach((li, j) => (j === k ? li.setAttribute('aria-current', 'step') : li.removeAttribute('aria-current')));
    player.dataset.step = String(k);
  };
  back.addEventListener('click', () => show(Number(slider.value) - 1));
  fwd.addEventListener('click', () => show(Number(slider.value) + 1));
  slider.addEventListener('input', () => show(Number(slider.value)));
  show(at);
  player.append(bar, now);
  wrap.append(player, ol);
  if (d.total > d.steps.length) wrap.append(el('p', 'lab-more', `Showing ${d.steps.length} of ${d.total} states.`));
  return wrap;
}

/** An explorer result as the Prove-it panel shows its answer; a counterexample's run opens at its violation. */
function answerElement(d: AnswerDisplay, base: string): HTMLElement {
  const v = d.view;
  const box = el('section', 'lab-answer');
  box.dataset.status = v.status;
  const [first, ...rest] = v.sentences;
  box.append(el('h3', 'lab-answer-head', v.heading));
  if (first) box.append(el('p', v.status === 'counterexample' ? 'lab-answer-message' : undefined, first));
  for (const s of rest) box.append(el('p', undefined, s));
  if (v.rows.length) {
    const dl = el('dl', 'lab-answer-stats');
    for (const [k, val] of v.rows) {
      const row = el('div');
      row.append(el('dt', undefined, k), el('dd', undefined, val));
      dl.append(row);
    }
    box.append(dl);
  }
  if (d.run) box.append(runElement(d.run, base, d.at ?? d.run.steps.length - 1, 'Open this counterexample in the lesson player'));
  else if (v.status === 'counterexample') box.append(el('p', 'lab-more', 'Return the model and its parameters with the result (as proveTty does) to step through the counterexample here.'));
  return box;
}

/** Replaces `host`'s content with the outputs and console lines of a run. */
export function renderOutputs(host: HTMLElement, outputs: CellOutput[], console: ConsoleEntry[], base: string): void {
  host.replaceChildren();
  for (const line of console) host.append(el('pre', `lab-console lab-console-${line.level}`, line.text));
  for (const o of outputs) {
    const row = el('div', 'lab-out');
    if (o.name !== null) row.append(el('div', 'lab-name', o.name));
    row.append(renderDisplay(o.display, base));
    host.append(row);
  }
}
