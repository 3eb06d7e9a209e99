/**
 * The page side of the explorer: starts searches in a Worker (created on first use and
 * reused), reports progress, and cancels. Every search settles exactly once:
 *
 * - with the worker's `result` (proved / counterexample / incomplete) or `error`;
 * - on `cancel()`, with the worker's `incomplete` 'cancelled' result, or, if the worker does
 *   not answer within `cancelGraceMs` (500 ms), by terminating the worker and settling with
 *   an `incomplete` 'cancelled' result built from the last progress (`forced: true`);
 * - with an `error` if the worker crashes, sends something unreadable, or falls silent for
 *   `silenceMs` while a search runs (it posts progress every ~50 ms).
 *
 * Messages that are malformed or belong to another search are ignored.
 */
import { assertNever } from '../../sims/core/text.ts';
import type { ExploreProgress, ExploreResult, ExploreStats } from '../../sims/explore/index.ts';
import type { TtyProperty } from '../../sims/tty/index.ts';
import type { TtyChoice, TtyParams } from '../../sims/tty/index.ts';
import { isFromExplorer, type ExploreRequest, type ExploreRequestOptions, type ToExplorer } from './protocol.ts';

/** How a search ended. */
export type ExploreOutcome =
  | {
      type: 'result';
      result: ExploreResult<TtyChoice>;
      /** True when the worker did not answer a cancel in time and was terminated. */
      forced?: boolean;
    }
  | { type: 'error'; message: string };

/** A search in flight. */
export interface ExploreHandle {
  readonly id: number;
  /** Settles once, never rejects. */
  readonly done: Promise<ExploreOutcome>;
  /** Asks the search to stop; see the module comment. Does nothing once settled. */
  cancel(): void;
}

/** Creates the explorer worker (overridable in tests). */
export type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./explorer.worker.ts', import.meta.url), { type: 'module', name: 'explorer' });

export interface ClientOptions {
  /** Milliseconds to wait for the worker to answer a cancel before terminating it (500). */
  cancelGraceMs?: number;
  /** Milliseconds of silence from a busy worker before it is declared stuck (15,000). */
  silenceMs?: number;
}

interface Active {
  req: ExploreRequest;
  onProgress: (p: ExploreProgress) => void;
  settle: (o: ExploreOutcome) => void;
  last: ExploreProgress | null;
  cancelTimer: ReturnType<typeof setTimeout> | null;
  silenceTimer: ReturnType<typeof setTimeout> | null;
}

export class ExplorerClient {
  private worker: Worker | null = null;
  private active: Active | null = null;
  private nextId = 1;
  private readonly makeWorker: WorkerFactory;
  private readonly cancelGraceMs: number;
  private readonly silenceMs: number;

  constructor(makeWorker: WorkerFactory = defaultFactory, opts: ClientOptions = {}) {
    this.makeWorker = makeWorker;
    this.cancelGraceMs = opts.cancelGraceMs ?? 500;
    this.silenceMs = opts.silenceMs ?? 15_000;
  }

  /**
   * Starts a search of `params` for `property` with `options`; a search already in flight
   * is cancelled first. `onProgress` gets the counts between slices.
   */
  explore(params: TtyParams, property: TtyProperty, options: ExploreRequestOptions, onProgress: (p: ExploreProgress) => void = () => {}): ExploreHandle {
    // One search at a time: the worker stops the old one itself when the new request
    // arrives; its promise settles here, now, from its last progress.
    const old = this.active;
    if (old) old.settle({ type: 'result', result: { verdict: 'incomplete', reason: 'cancelled', stats: statsFrom(old) } });
    const id = this.nextId++;
    const req: ExploreRequest = { id, type: 'explore', model: 'tty', params, property, options };
    let settled = false;
    let resolve!: (o: ExploreOutcome) => void;
    const done = new Promise<ExploreOutcome>((r) => (resolve = r));
    const active: Active = {
      req,
      onProgress,
      last: null,
      cancelTimer: null,
      silenceTimer: null,
      settle: (o) => {
        if (settled) return;
        settled = true;
        if (active.cancelTimer) clearTimeout(active.cancelTimer);
        if (active.silenceTimer) clearTimeout(active.silenceTimer);
        if (this.active === active) this.active = null;
        resolve(o);
      },
    };
    this.active = active;
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (e) {
      active.settle({ type: 'error', message: `Could not start the explorer: ${e instanceof Error ? e.message : String(e)}` });
      return { id, done, cancel: () => {} };
    }
    this.heard(active);
    this.send(worker, req);
    return {
      id,
      done,
      cancel: () => {
        if (!settled && this.active === active) this.cancelActive();
      },
    };
  }

  /** Terminates the worker; a search in flight settles as cancelled. */
  dispose(): void {
    const a = this.active;
    if (a) a.settle({ type: 'result', result: { verdict: 'incomplete', reason: 'cancelled', stats: statsFrom(a) }, forced: true });
    this.worker?.terminate();
    this.worker = null;
  }

  private cancelActive(): void {
    const a = this.active;
    if (!a || a.cancelTimer) return;
    if (this.worker) this.send(this.worker, { id: a.req.id, type: 'cancel' });
    a.cancelTimer = setTimeout(() => {
      // The worker did not answer: stop it the hard way, and answer for it.
      this.worker?.terminate();
      this.worker = null;
      a.settle({ type: 'result', result: { verdict: 'incomplete', reason: 'cancelled', stats: statsFrom(a) }, forced: true });
    }, this.cancelGraceMs);
  }

  private send(worker: Worker, m: ToExplorer): void {
    worker.postMessage(m satisfies ToExplorer);
  }

  /** Restarts the silence watchdog of `a`. */
  private heard(a: Active): void {
    if (a.silenceTimer) clearTimeout(a.silenceTimer);
    a.silenceTimer = setTimeout(() => this.fail(`The explorer stopped responding for ${Math.round(this.silenceMs / 1000)} s and was stopped.`), this.silenceMs);
  }

  private fail(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.active?.settle({ type: 'error', message });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = this.makeWorker();
    w.onmessage = (ev: MessageEvent<unknown>) => {
      if (this.worker !== w) return;
      const m = ev.data;
      const a = this.active;
      if (!isFromExplorer(m) || !a || m.id !== a.req.id) return;
      this.heard(a);
      switch (m.type) {
        case 'progress':
          a.last = m.progress;
          a.onProgress(m.progress);
          break;
        case 'result':
          a.settle({ type: 'result', result: m.result });
          break;
        case 'error':
          a.settle({ type: 'error', message: m.message });
          break;
        default:
          assertNever(m, 'message');
      }
    };
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      if (this.worker === w) this.fail(`The explorer stopped unexpectedly${ev.message ? `: ${ev.message}` : ''}.`);
    };
    w.onmessageerror = () => {
      if (this.worker === w) this.fail('The explorer sent a message that could not be read.');
    };
    this.worker = w;
    return w;
  }
}

/** Stats for an answer the page has to make up (forced cancel): from the last progress. */
function statsFrom(a: Active): ExploreStats {
  const p = a.last;
  const bound = a.req.options.preemptionBound;
  return {
    states: p?.states ?? 0,
    transitions: p?.transitions ?? 0,
    schedules: 0,
    maxDepth: p?.depth ?? 0,
    preemptionBound: bound,
    reduction: bound === null ? a.req.options.reduction : 'none',
    elapsedMs: p?.elapsedMs ?? 0,
  };
}
