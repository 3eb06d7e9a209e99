/**
 * The one message protocol between a page and its explorer Worker.
 *
 * Page -> worker (`ToExplorer`): `explore` starts a search (a new one replaces any search in
 * flight, which then answers `cancelled`); `cancel` stops the search with that id.
 * Worker -> page (`FromExplorer`): any number of `progress` messages, then exactly one
 * `result` (proved / counterexample / incomplete) or `error` per `explore` id.
 * Both sides check messages with the guards below and switch exhaustively on `type`.
 */
import type { ExploreProgress, ExploreResult, Reduction } from '../../sims/explore/index.ts';
import type { TtyProperty } from '../../sims/tty/index.ts';
import type { TtyChoice, TtyParams } from '../../sims/tty/index.ts';

/** Search limits and settings, all required so a request says exactly what ran. */
export interface ExploreRequestOptions {
  /** Maximum preemptions per schedule; null = unbounded. */
  preemptionBound: number | null;
  /** Partial-order reduction (ignored, plain search, under a finite bound). */
  reduction: Reduction;
  /** Stop with `incomplete` ('states') after this many distinct states. */
  maxStates: number;
  /** Stop with `incomplete` ('time') after this many milliseconds of search. */
  maxTimeMs: number;
}

/** Start a search of one tty configuration for one property. */
export interface ExploreRequest {
  id: number;
  type: 'explore';
  model: 'tty';
  params: TtyParams;
  property: TtyProperty;
  options: ExploreRequestOptions;
}

/** Stop the search `id` (answered by its `incomplete` 'cancelled' result). */
export interface CancelRequest {
  id: number;
  type: 'cancel';
}

export type ToExplorer = ExploreRequest | CancelRequest;

/** Counts so far, posted between slices (about every 50 ms). */
export interface ProgressReply {
  id: number;
  type: 'progress';
  progress: ExploreProgress;
}

/** The search's answer. */
export interface ResultReply {
  id: number;
  type: 'result';
  result: ExploreResult<TtyChoice>;
}

/** The search could not run (bad parameters, an internal failure). */
export interface ErrorReply {
  id: number;
  type: 'error';
  message: string;
}

export type FromExplorer = ProgressReply | ResultReply | ErrorReply;

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object';
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

function isStats(s: unknown): boolean {
  return isObj(s) && isCount(s.states) && isCount(s.transitions) && isCount(s.schedules) && isCount(s.maxDepth) && isCount(s.elapsedMs);
}

function isChoice(c: unknown): c is TtyChoice {
  if (!isObj(c)) return false;
  if (c.kind === 'uart' || c.kind === 'reader') return true;
  return (c.kind === 'run' || c.kind === 'signal') && Number.isInteger(c.writer) && (c.writer as number) >= 0;
}

/** Checks that an unknown message from the worker is a well-formed `FromExplorer`. */
export function isFromExplorer(m: unknown): m is FromExplorer {
  if (!isObj(m) || typeof m.id !== 'number') return false;
  switch (m.type) {
    case 'progress': {
      const p = m.progress;
      return isObj(p) && isCount(p.states) && isCount(p.transitions) && isCount(p.depth) && isCount(p.elapsedMs) && (p.phase === 'search' || p.phase === 'shortest');
    }
    case 'result': {
      const r = m.result;
      if (!isObj(r) || !isStats(r.stats)) return false;
      switch (r.verdict) {
        case 'proved':
          return true;
        case 'counterexample':
          return Array.isArray(r.schedule) && r.schedule.every(isChoice) && typeof r.invariant === 'string' && typeof r.message === 'string';
        case 'incomplete':
          return r.reason === 'states' || r.reason === 'time' || r.reason === 'cancelled';
        default:
          return false;
      }
    }
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}

/** Checks the shape of a message to the worker (the parameters are validated by the model). */
export function isToExplorer(m: unknown): m is ToExplorer {
  if (!isObj(m) || typeof m.id !== 'number') return false;
  switch (m.type) {
    case 'cancel':
      return true;
    case 'explore': {
      const o = m.options;
      return (
        m.model === 'tty' &&
        isObj(m.params) &&
        (m.property === 'atomic-write' || m.property === 'no-interleaving') &&
        isObj(o) &&
        (o.preemptionBound === null || isCount(o.preemptionBound)) &&
        (o.reduction === 'none' || o.reduction === 'sleep-sets') &&
        isCount(o.maxStates) &&
        isCount(o.maxTimeMs)
      );
    }
    default:
      return false;
  }
}

