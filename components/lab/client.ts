/**
 * The page side of the Lab worker: one worker holds the notebook's values; runs go one at a
 * time with a deadline. A run that misses it terminates the worker (that is the only way to
 * stop an endless loop) and the cell gets an error; the next run starts a fresh worker and
 * first replays, from their last good source, the cells whose values it needs.
 */
import type { ConsoleEntry } from '../grader/runner.ts';
import type { CellError, CellOutput } from './cell-runner.ts';
import type { FromLab, LabRun } from './protocol.ts';

/** Deadline of one cell run, in milliseconds. */
export const CELL_DEADLINE_MS = 3000;

/** What a cell run ended with. */
export type CellOutcome =
  | { ok: true; outputs: CellOutput[]; console: ConsoleEntry[] }
  | { ok: false; error: CellError; console: ConsoleEntry[]; timedOut?: boolean };

/** Something that behaves like a Worker for the client (tests pass a fake). */
export interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}

const defaultFactory = (): WorkerLike => new Worker(new URL('./lab.worker.ts', import.meta.url), { type: 'module', name: 'lab' });

/** Runs cells in the Lab worker (see the module comment). */
export class LabClient {
  private worker: WorkerLike | null = null;
  private loaded = new Set<string>();
  private good = new Map<string, { source: string; inputs: { name: string; from: string }[] }>();
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  private readonly deadlineMs: number;
  private readonly factory: () => WorkerLike;

  /** `deadlineMs`: deadline of one run; `factory` creates the worker (tests pass a fake). */
  constructor(deadlineMs = CELL_DEADLINE_MS, factory: () => WorkerLike = defaultFactory) {
    this.deadlineMs = deadlineMs;
    this.factory = factory;
  }

  /** Starts the worker now (so the first run does not wait for it). */
  warm(): void {
    this.ensure();
  }

  private ready: Promise<void> = Promise.resolve();
  private handler: ((m: FromLab) => void) | null = null;
  private failed: ((message: string) => void) | null = null;

  private ensure(): WorkerLike {
    if (!this.worker) {
      const w = this.factory();
      this.worker = w;
      this.loaded.clear();
      let markReady!: () => void;
      this.ready = new Promise<void>((r) => (markReady = r));
      // Starting a worker is not the cell's time: wait for `ready` (at most 30 s) before the deadline starts.
      const cap = setTimeout(markReady, 30_000);
      w.onmessage = (ev: MessageEvent<FromLab>) => {
        const m = ev.data;
        if (m && m.type === 'ready') {
          clearTimeout(cap);
          markReady();
        } else if (m) this.handler?.(m);
      };
      w.onerror = (ev: ErrorEvent) => {
        ev.preventDefault?.();
        clearTimeout(cap);
        markReady();
        this.failed?.(`The Lab's worker stopped unexpectedly${ev.message ? `: ${ev.message}` : ''}.`);
        if (this.worker === w) this.kill();
      };
    }
    return this.worker;
  }

  private kill(): void {
    this.worker?.terminate();
    this.worker = null;
    this.loaded.clear();
  }

  /** Forgets a deleted cell. */
  forget(cellId: string): void {
    this.good.delete(cellId);
    this.loaded.delete(cellId);
    this.worker?.postMessage({ type: 'forget', cellId });
  }

  /** Runs cell `cellId`; resolves (never rejects) with its outcome. Runs are queued. */
  run(cellId: string, source: string, inputs: { name: string; from: string }[]): Promise<CellOutcome> {
    const p = this.queue.then(() => this.runNow(cellId, source, inputs, new Set()));
    this.queue = p.catch(() => {});
    return p;
  }

  private async runNow(cellId: string, source: string, inputs: { name: string; from: string }[], visiting: Set<string>): Promise<CellOutcome> {
    visiting.add(cellId);
    // A fresh worker lacks the values this cell reads: replay their cells first.
    for (const from of new Set(inputs.map((i) => i.from))) {
      if (this.loaded.has(from) || visiting.has(from)) continue;
      const g = this.good.get(from);
      if (!g) continue;
      const r = await this.runNow(from, g.source, g.inputs, visiting);
      if (!r.ok) return { ok: false, console: [], error: { message: `A cell this one reads could not be recomputed after the Lab restarted: ${r.error.message}` } };
    }
    const out = await this.once(cellId, source, inputs);
    if (out.ok) {
      this.good.set(cellId, { source, inputs });
      this.loaded.add(cellId);
    }
    return out;
  }

  private async once(cellId: string, source: string, inputs: { name: string; from: string }[]): Promise<CellOutcome> {
    const id = this.nextId++;
    const w = this.ensure();
    await this.ready;
    return new Promise<CellOutcome>((resolve) => {
      let settled = false;
      const finish = (o: CellOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(o);
      };
      const timer = setTimeout(() => {
        this.kill();
        finish({ ok: false, timedOut: true, console: [], error: { message: `Stopped after ${this.deadlineMs / 1000} s: the cell did not finish (an endless loop?). The other cells keep their values.` } });
      }, this.deadlineMs);
      this.handler = (m) => {
        if (m.type !== 'done' || m.id !== id) return;
        finish(m.ok ? { ok: true, outputs: m.outputs, console: m.console } : { ok: false, error: m.error, console: m.console });
      };
      this.failed = (message) => finish({ ok: false, console: [], error: { message } });
      if (this.worker !== w) {
        this.failed('The Lab\'s worker could not start.');
        return;
      }
      w.postMessage({ type: 'run', id, cellId, source, inputs } satisfies LabRun);
    });
  }
}
