/**
 * The "Run it on Linux 6.12" panel's code, loaded only when the reader presses Run (the
 * panel's markup and a few lines of inline script are all the page carries before that).
 *
 * `start(panel)` takes over one `.rk` panel rendered by RealKernel.astro: it fetches v86's
 * wasm and the images from this site (with progress), boots them in a Worker
 * (realkernel.worker.ts), shows the serial console in an xterm terminal, and fills each claim
 * row with what the kernel printed next to what the model said. Cancel terminates the Worker.
 *
 * The panel's `data-state` is the contract with tests: idle -> loading -> booting -> running
 * -> done | failed (a check disagreed) | error (could not run: message shown) | cancelled |
 * unsupported. Timings land in `data-first-result-ms` and `data-done-ms` (from the click).
 */
import type { TerminalLike } from '../terminal/terminal.ts';
import { ansi, createRkTerminal } from './rk-terminal.ts';
import type { FromVm, ToVm } from './realkernel-protocol.ts';
import { parseInitLine, parseResult, type CheckResult } from './vm-core.ts';

/** Milliseconds from the click to `DPL done` before the run is declared stuck. */
const RUN_TIMEOUT_MS = 300_000;

type State = 'idle' | 'loading' | 'booting' | 'running' | 'done' | 'failed' | 'error' | 'cancelled' | 'unsupported';

/** One fetch per file per page, shared by every panel; buffers are copied before transfer. */
const cache = new Map<string, Promise<ArrayBuffer>>();

/**
 * Fetches `url` from this site, reporting bytes received (of the uncompressed file) through
 * `onBytes`. Rejects with an Error naming the file on an HTTP error or a network failure.
 */
async function fetchBytes(url: string, onBytes: (n: number) => void): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.length;
    onBytes(value.length);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out.buffer;
}

function getFile(url: string, onBytes: (n: number) => void, size: number): Promise<ArrayBuffer> {
  let p = cache.get(url);
  if (p) {
    void p.then(() => onBytes(size), () => {});
    return p;
  }
  p = fetchBytes(url, onBytes);
  cache.set(url, p);
  p.catch(() => cache.delete(url));
  return p;
}

/** Why this browser cannot run the emulator, or null when it can. */
export function unsupportedReason(g: typeof globalThis = globalThis): string | null {
  if (typeof g.WebAssembly !== 'object') return 'it needs WebAssembly, which this browser has turned off or does not have';
  if (typeof g.Worker !== 'function') return 'it needs Web Workers, which this browser does not have';
  if (typeof g.fetch !== 'function' || typeof g.ReadableStream !== 'function') return 'it needs fetch() with streams';
  return null;
}

/**
 * Fills a claim template: `{key}` becomes the result's field `key` ("?" when absent).
 * `switches in 3 trials: {switches}` with switches=1,1,1 gives "switches in 3 trials: 1,1,1".
 */
export function fillTemplate(template: string, r: CheckResult): string {
  return template.replace(/\{([a-z0-9_]+)\}/gi, (_, k: string) => r.fields[k] ?? '?');
}

interface Panel {
  root: HTMLElement;
  run: HTMLButtonElement;
  cancel: HTMLButtonElement;
  status: HTMLElement;
  progress: HTMLProgressElement;
  termBox: HTMLElement;
  results: HTMLElement;
  resultsBox: HTMLElement;
  claims: HTMLElement[];
  term: TerminalLike | null;
  worker: Worker | null;
  timer: ReturnType<typeof setTimeout> | null;
  runId: number;
}

const panels = new WeakMap<HTMLElement, Panel>();

/**
 * Takes over `root` (a `.rk` panel) and starts a run at once (the reader just pressed Run).
 * Safe to call again for the same panel: it then only starts a run.
 */
export function start(root: HTMLElement): void {
  let p = panels.get(root);
  if (!p) {
    const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
    p = {
      root,
      run: q<HTMLButtonElement>('[data-rk-start]'),
      cancel: q<HTMLButtonElement>('[data-rk-cancel]'),
      status: q<HTMLElement>('[data-part="status"]'),
      progress: q<HTMLProgressElement>('[data-part="progress"]'),
      termBox: q<HTMLElement>('[data-part="terminal"]'),
      results: q<HTMLElement>('[data-part="results"]'),
      resultsBox: q<HTMLElement>('[data-part="results-box"]'),
      claims: [...root.querySelectorAll<HTMLElement>('[data-claim-check]')],
      term: null,
      worker: null,
      timer: null,
      runId: 0,
    };
    panels.set(root, p);
    const panel = p;
    panel.cancel.addEventListener('click', () => stop(panel, 'cancelled', 'Cancelled. Nothing is left running.'));
    // The first press was handled by the panel's inline script, which called start().
    panel.run.addEventListener('click', () => void run(panel));
  }
  void run(p);
}

function setState(p: Panel, s: State, message?: string) {
  p.root.dataset.state = s;
  if (message !== undefined) p.status.textContent = message;
  const busy = s === 'loading' || s === 'booting' || s === 'running';
  p.run.disabled = busy || s === 'unsupported';
  p.run.textContent = s === 'idle' || s === 'unsupported' ? 'Run it on Linux 6.12' : 'Run it again';
  p.cancel.hidden = !busy;
  p.progress.hidden = !busy;
  p.root.setAttribute('aria-busy', String(busy));
}

function stop(p: Panel, s: State, message: string) {
  p.runId++;
  p.worker?.terminate();
  p.worker = null;
  if (p.timer) clearTimeout(p.timer);
  p.timer = null;
  setState(p, s, message);
  if (s === 'cancelled' || s === 'error') p.term?.write(`\n${ansi.yellow(`[${message}]`)}\n`);
  // Keep keyboard focus somewhere sensible when the Cancel button disappears.
  if (document.activeElement === p.cancel || document.activeElement === document.body) p.run.focus();
}

async function run(p: Panel) {
  const why = unsupportedReason();
  if (why) {
    setState(p, 'unsupported', `This browser cannot run the emulator: ${why}. The results of the same programs on a 6.12 kernel are in the README of the project.`);
    return;
  }
  const id = ++p.runId;
  const t0 = performance.now();
  delete p.root.dataset.firstResultMs;
  delete p.root.dataset.doneMs;
  p.results.textContent = '';
  p.resultsBox.hidden = true;
  for (const c of p.claims) {
    c.dataset.verdict = 'pending';
    c.querySelector('[data-part="kernel"]')!.textContent = '…';
    c.querySelector('[data-part="verdict"]')!.textContent = '';
  }
  setState(p, 'loading', 'Downloading the emulator and Linux 6.12…');

  const d = p.root.dataset;
  const base = d.rkBase!;
  const sizes = JSON.parse(d.rkSizes!) as Record<string, number>;
  const files: [string, string][] = [
    ['wasm', d.rkWasm!],
    ['bios', `${base}bios.bin`],
    ['bzimage', `${base}bzImage`],
    ['initrd', `${base}initramfs.cpio`],
  ];
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  let got = 0;
  p.progress.max = total;
  p.progress.value = 0;
  const onBytes = (n: number) => {
    if (id !== p.runId) return;
    got = Math.min(total, got + n);
    p.progress.value = got;
    p.status.textContent = `Downloading the emulator and Linux 6.12: ${(got / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB…`;
  };

  p.termBox.hidden = false;
  if (!p.term) {
    try {
      p.term = createRkTerminal(p.termBox, 'Serial console of the Linux 6.12 machine');
    } catch {
      p.term = null; // plain-text fallback below
    }
  }
  const term = p.term;

  let buffers: ArrayBuffer[];
  try {
    buffers = await Promise.all(files.map(([key, url]) => getFile(url, onBytes, sizes[key] ?? 0)));
  } catch (e) {
    if (id === p.runId) stop(p, 'error', `Could not download the machine: ${e instanceof Error ? e.message : String(e)}. Check the connection to this site and press Run again.`);
    return;
  }
  if (id !== p.runId) return;
  if (!term) p.termBox.textContent = '';
  term?.clear();
  term?.write(ansi.dim('[booting Linux 6.12 in v86: the serial console follows]\n'));
  const fallback = term ? null : p.termBox.appendChild(Object.assign(document.createElement('pre'), { className: 'rk-pre' }));

  setState(p, 'booting', 'Booting Linux 6.12…');
  // "#use-scheduling-api" makes v86 yield through scheduler.postTask (v86-scheduler-shim.ts).
  const worker = new Worker(`${d.rkWorker!}#use-scheduling-api`, { type: 'module', name: 'realkernel' });
  p.worker = worker;
  p.timer = setTimeout(() => stop(p, 'error', `Linux did not finish within ${RUN_TIMEOUT_MS / 1000} s. Press Run to try again.`), RUN_TIMEOUT_MS);
  const checks = (d.rkChecks ?? '').split(',').filter(Boolean);
  let failed = 0;
  worker.onerror = (ev) => {
    ev.preventDefault();
    if (id === p.runId) stop(p, 'error', `The emulator stopped with an error: ${ev.message || 'unknown error'}.`);
  };
  worker.onmessage = (ev: MessageEvent<FromVm>) => {
    if (id !== p.runId) return;
    const m = ev.data;
    if (m.type === 'serial') {
      if (term) term.write(m.text);
      else if (fallback) fallback.textContent += m.text.replace(/\r/g, '');
    } else if (m.type === 'error') {
      stop(p, 'error', `The emulator could not start: ${m.message}`);
    } else if (m.type === 'line') {
      const r = parseResult(m.line);
      if (r) {
        p.root.dataset.firstResultMs ??= String(Math.round(performance.now() - t0));
        if (!r.ok) failed++;
        p.results.textContent += `${r.line}\n`;
        p.resultsBox.hidden = false;
        for (const c of p.claims) {
          if (c.dataset.claimCheck !== r.name) continue;
          c.dataset.verdict = r.ok ? 'agrees' : 'disagrees';
          c.querySelector('[data-part="verdict"]')!.textContent = r.ok ? '✓ agrees with the lesson' : '✗ disagrees with the lesson';
          c.querySelector('[data-part="kernel"]')!.textContent = fillTemplate(c.dataset.claimKernel ?? '', r);
        }
        return;
      }
      const ev2 = parseInitLine(m.line);
      if (ev2?.type === 'init') setState(p, 'running', `Linux ${ev2.release} is up; running ${checks.join(', ')}…`);
      else if (ev2?.type === 'run') p.status.textContent = `Linux is running ${ev2.name}…`;
      else if (ev2?.type === 'done') {
        p.root.dataset.doneMs = String(Math.round(performance.now() - t0));
        const secs = (Number(p.root.dataset.doneMs) / 1000).toFixed(1);
        const bad = failed + Math.max(0, ev2.failed - failed);
        stop(
          p,
          bad ? 'failed' : 'done',
          bad
            ? `Done in ${secs} s: the kernel disagreed with the lesson in ${bad} check${bad === 1 ? '' : 's'}; see the console.`
            : `Done in ${secs} s: the kernel agreed with the lesson.`,
        );
      }
    }
  };
  const copies = buffers.map((b) => b.slice(0));
  const msg: ToVm = { type: 'boot', wasm: copies[0], bios: copies[1], bzimage: copies[2], initrd: copies[3], checks };
  worker.postMessage(msg, copies);
}

// This module is built as its own self-contained file (`?worker&url` in RealKernel.astro) and
// loaded by the panel's inline script, which adds no script file to the page before the click.
// Such a build drops the module's exports, so `start` is published here.
(globalThis as { __dplRealKernelStart?: (root: HTMLElement) => void }).__dplRealKernelStart = start;
