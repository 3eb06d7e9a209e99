/**
 * Draws a cell's outputs: tables for arrays of records, a run trace (with a link that opens the
 * run in its lesson's player), and a compact inspector (`<details>` trees) for anything else.
 * Text goes in with `textContent` only: outputs are the learner's data, never markup.
 */
import type { ConsoleEntry } from '../grader/runner.ts';
import type { CellOutput } from './cell-runner.ts';
import type { Display, ValueNode } from './display.ts';

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
    case 'run': {
      const wrap = el('div', 'lab-run');
      const head = el('p', 'lab-run-head', `Run of the ${d.model} model: ${d.total - 1} steps.`);
      if (d.share) {
        const a = el('a', undefined, ' Open this run in the lesson player');
        a.href = `${base}lessons/${d.share.lesson}/#sim=${d.share.text}`;
        head.append(a);
      }
      wrap.append(head);
      const ol = el('ol', 'lab-trace');
      ol.start = 0;
      ol.tabIndex = 0;
      ol.setAttribute('aria-label', `Steps of the ${d.model} run`);
      for (const s of d.steps) {
        const li = el('li');
        if (s.choice) li.append(el('strong', undefined, `${s.choice}: `));
        li.append(document.createTextNode(s.narration));
        if (s.source) li.append(el('span', 'lab-src', ` (${s.source})`));
        ol.append(li);
      }
      wrap.append(ol);
      if (d.total > d.steps.length) wrap.append(el('p', 'lab-more', `Showing ${d.steps.length} of ${d.total} states.`));
      return wrap;
    }
    case 'value':
      return node(d.tree, null, true);
  }
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
