/**
 * The worker side of the explorer protocol, with no Worker in sight: it takes messages,
 * runs the search in slices, and posts replies through the functions it is given. The
 * Worker script (`explorer.worker.ts`) wires it to `postMessage` and `setTimeout`; the unit
 * tests wire it to arrays and a manual queue.
 *
 * Between slices it yields to the event loop (`defer`), which is what lets a `cancel`
 * message in while a long search runs.
 */
import { assertNever } from '../../sims/core/text.ts';
import { createExplorer, type Explorer } from '../../sims/explore/index.ts';
import { ttyExploreSpec } from '../../sims/tty/index.ts';
import type { TtyChoice } from '../../sims/tty/index.ts';
import { isToExplorer, type ExploreRequest, type FromExplorer } from './protocol.ts';

/** Default length of one slice of search, in milliseconds. */
export const SLICE_MS = 50;

export interface HostOptions {
  /** Sends a reply to the page. */
  post: (m: FromExplorer) => void;
  /** Runs `fn` later, after pending messages had a chance (a Worker: `setTimeout(fn, 0)`). */
  defer: (fn: () => void) => void;
  /** Milliseconds of search per slice (default `SLICE_MS`). */
  sliceMs?: number;
  /** Millisecond clock passed to the explorer (default: the explorer's own). */
  now?: () => number;
}

/** Handles one message; malformed messages are ignored (returns false). */
export interface ExplorerHost {
  handle(message: unknown): boolean;
  /** The id of the search in flight, or null. */
  readonly running: number | null;
}

interface Run {
  id: number;
  explorer: Explorer<TtyChoice>;
}

/** Creates the message handler of an explorer worker. See `HostOptions`. */
export function createExplorerHost(opts: HostOptions): ExplorerHost {
  const sliceMs = opts.sliceMs ?? SLICE_MS;
  let current: Run | null = null;

  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

  /** Stops `run` now and posts its `incomplete` 'cancelled' result. */
  function stop(run: Run): void {
    run.explorer.cancel();
    current = null;
    try {
      const r = run.explorer.run(0);
      if (r) opts.post({ id: run.id, type: 'result', result: r });
    } catch (e) {
      opts.post({ id: run.id, type: 'error', message: message(e) });
    }
  }

  function slice(run: Run): void {
    if (current !== run) return; // cancelled or replaced meanwhile
    let r;
    try {
      r = run.explorer.run(sliceMs);
    } catch (e) {
      current = null;
      opts.post({ id: run.id, type: 'error', message: `The explorer failed: ${message(e)}` });
      return;
    }
    if (r) {
      current = null;
      opts.post({ id: run.id, type: 'result', result: r });
      return;
    }
    opts.post({ id: run.id, type: 'progress', progress: run.explorer.progress() });
    opts.defer(() => slice(run));
  }

  function start(req: ExploreRequest): void {
    if (current) stop(current);
    let explorer: Explorer<TtyChoice>;
    try {
      // createExplorer builds the initial state, so invalid parameters throw RangeError here.
      explorer = createExplorer(ttyExploreSpec(req.params, req.property), {
        preemptionBound: req.options.preemptionBound,
        reduction: req.options.reduction,
        maxStates: req.options.maxStates,
        maxTimeMs: req.options.maxTimeMs,
        ...(opts.now ? { now: opts.now } : {}),
      });
    } catch (e) {
      opts.post({ id: req.id, type: 'error', message: message(e) });
      return;
    }
    const run: Run = { id: req.id, explorer };
    current = run;
    opts.defer(() => slice(run));
  }

  return {
    get running() {
      return current ? current.id : null;
    },
    handle(m: unknown): boolean {
      if (!isToExplorer(m)) return false;
      switch (m.type) {
        case 'explore':
          start(m);
          return true;
        case 'cancel':
          if (current && current.id === m.id) stop(current);
          return true;
        default:
          return assertNever(m, 'message');
      }
    },
  };
}
