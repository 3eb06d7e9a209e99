/**
 * Draws a cell's outputs: tables for arrays of records, a run in its lesson's player
 * (players.ts: every view, the controls, the share box; a link opens the run in the lesson),
 * an explorer result as the Prove-it panel's answer with its counterexample in that player,
 * opened at the violation, and a compact inspector (`<details>` trees) for anything else.
 * A run no player can replay (display.ts `noPlayer`) is shown in a small stepper over its
 * trace, under the sentence saying why.
 * Text goes in with `textContent` only: outputs are the learner's data, never markup.
 */
import type { ConsoleEntry } from '../grader/runner.ts';
import type { CellOutput } from './cell-runner.ts';
import type { AnswerDisplay, Display, RunDisplay, ValueNode } from './display.ts';
import type { LabPlayer } from './players.ts';

/** Where a display is drawn: the site's base URL, the output's name, the players shown before. */
interface Where {
  base: string;
  name: string | null;
  /** The player the same output (name, kind, model) showed before this run, taken once. */
  reuse: LabPlayer | null;
}

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

/**
 * The element showing one display (see display.ts). `base` is the site's base URL; `name`
 * the output's name; `reuse` a player to show a run in (see `renderOutputs`).
 */
export function renderDisplay(d: Display, base: string, name: string | null = null, reuse: LabPlayer | null = null): HTMLElement {
  const where: Where = { base, name, reuse };
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
      return runElement(d, where, d.at ?? d.steps.length - 1, 'Open this run in the lesson player', false, d.at !== undefined);
    case 'answer':
      return answerElement(d, where);
    case 'value':
      return node(d.tree, null, true);
  }
}

/**
 * A run: its heading (with a link that opens it in its lesson when the model's links can
 * carry it), then the model's lesson player opened at step `at` (players.ts; `named`: the run
 * asked for that step, so a re-run goes there too), or, when no
 * player can replay it or the player cannot load, the sentence why and the trace stepper.
 * Host attributes: `data-model`, `data-player` (`loading` | `ready` | `none` | `failed`).
 */
function runElement(d: RunDisplay, where: Where, at: number, linkText: string, answer = false, named = false): HTMLElement {
  const wrap = el('div', 'lab-run');
  wrap.dataset.model = d.model;
  const head = el('p', 'lab-run-head', `Run of the ${d.model} model: ${d.total - 1} steps.`);
  if (d.share) {
    const a = el('a', undefined, linkText);
    a.href = `${where.base}lessons/${d.share.lesson}/#sim=${d.share.text}`;
    head.append(' ', a);
  }
  wrap.append(head);
  const run = d.player;
  if (!run) {
    wrap.dataset.player = 'none';
    if (d.noPlayer) wrap.append(el('p', 'lab-noplayer', d.noPlayer));
    wrap.append(stepperElement(d, at));
    return wrap;
  }
  wrap.dataset.player = 'loading';
  const slot = el('div', 'lab-player-slot');
  const reuse = where.reuse;
  if (reuse) slot.append(reuse);
  else slot.append(el('p', 'lab-more', 'Loading the player…'));
  wrap.append(slot);
  const last = run.schedule.length;
  const name = where.name;
  const title = answer ? 'The counterexample' : name ? `The run “${name}”` : 'The run';
  const description = (preset: string | null) =>
    answer
      ? `The schedule the explorer found, ${last} steps, opened at step ${Math.min(at, last)}, where the property fails.`
      : `${last} steps${name ? ` of the cell's value “${name}”` : ''}, with ${preset ? `the parameters of the preset “${preset}”` : 'parameters of its own (no preset has them)'}.`;
  void import('./players.ts')
    .then((m) => m.mountPlayer(slot, d.model, run, { at, title, description, headingLevel: answer ? 4 : 3, reuse, always: answer || named }))
    .then(
      () => {
        if (slot.isConnected) wrap.dataset.player = 'ready';
      },
      (e: unknown) => {
        if (!slot.isConnected) return; // the cell ran again meanwhile
        wrap.dataset.player = 'failed';
        slot.replaceChildren(el('p', 'lab-noplayer', `The lesson player could not show this run (${e instanceof Error ? e.message : String(e)}), so its steps are listed instead.`));
        wrap.append(stepperElement(d, at));
      },
    );
  return wrap;
}

/**
 * A run's trace as a small stepper (Back / Forward buttons and a slider over the states, the
 * current step's choice, narration and kernel source, announced politely) opened at step `at`,
 * and the whole trace with the current step marked. Keyboard: the slider's arrow keys, Home, End.
 */
function stepperElement(d: RunDisplay, at: number): HTMLElement {
  const wrap = el('div', 'lab-stepper');
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
function answerElement(d: AnswerDisplay, where: Where): HTMLElement {
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
  if (d.run) box.append(runElement(d.run, where, d.at ?? d.run.steps.length - 1, 'Open this counterexample in the lesson player', true));
  else if (v.status === 'counterexample') box.append(el('p', 'lab-more', 'Return the model and its parameters with the result (as proveTty does) to step through the counterexample here.'));
  return box;
}

/** The key under which an output's player is kept between runs of its cell. */
function playerKey(o: CellOutput): string | null {
  const d = o.display;
  const model = d.kind === 'run' ? d.model : d.kind === 'answer' ? d.run?.model : undefined;
  return model === undefined ? null : `${d.kind}\u0000${model}\u0000${o.name ?? ''}`;
}

/**
 * Replaces `host`'s content with the outputs and console lines of a run. A run output that
 * showed a player before (same name, kind and model) keeps that player element: it is moved
 * into the new output and `load`s the new run, so the learner sees the same player change.
 */
export function renderOutputs(host: HTMLElement, outputs: CellOutput[], console: ConsoleEntry[], base: string): void {
  const previous = new Map<string, LabPlayer>();
  for (const row of Array.from(host.children)) {
    const key = (row as HTMLElement).dataset?.playerKey;
    const player = row.querySelector<LabPlayer>('.lab-player-slot > .sim-host');
    if (key && player) previous.set(key, player);
  }
  host.replaceChildren();
  for (const line of console) host.append(el('pre', `lab-console lab-console-${line.level}`, line.text));
  for (const o of outputs) {
    const row = el('div', 'lab-out');
    const key = playerKey(o);
    if (key) row.dataset.playerKey = key;
    if (o.name !== null) row.append(el('div', 'lab-name', o.name));
    const reuse = key ? (previous.get(key) ?? null) : null;
    if (key) previous.delete(key);
    row.append(renderDisplay(o.display, base, o.name, reuse));
    host.append(row);
  }
}
