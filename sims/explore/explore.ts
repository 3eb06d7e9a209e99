/**
 * The explorer: a stateless-model checker over any `Model` (sims/core/model.ts).
 *
 * It enumerates every schedule of a small configuration depth-first, with
 *  - a preemption bound (0, 1, 2, … or unbounded): switching away from the actor of the
 *    previous step while that actor could still have gone on costs one preemption
 *    (the CHESS notion of context bounding);
 *  - a visited set keyed by a canonical state key (plus, under a bound, the last actor and
 *    the preemptions spent);
 *  - partial-order reduction with sleep sets (Godefroid 1996): after exploring choice `a`
 *    from a state, sibling branches put `a` to sleep for as long as the steps they take are
 *    independent of it, so schedules that differ only in the order of independent steps are
 *    explored once. Independence is the model's `independent()` when it has one, otherwise
 *    checked on the spot: both orders are enabled and reach the same canonical state.
 *    Sleep sets keep every reachable state (they prune transitions, not states), so
 *    verdicts match plain search; stored sleep sets make them sound with the visited set.
 *    Under a finite preemption bound the search is plain: sleep sets and context bounds do
 *    not combine soundly without extra care (Coons, Musuvathi, McKinley, OOPSLA 2013).
 *
 * A state where no choice is enabled is checked against the model's proper end
 * (`ExploreSpec.stuck`) before any final property: a run that stops with an actor still
 * waiting is a deadlock, reported as a counterexample of `DEADLOCK`.
 *
 * It answers `proved` (every reachable state within the bound satisfies the invariants,
 * with counts), `counterexample` (the shortest violating schedule within the bound, found
 * by a breadth-first pass once depth-first search has found any), or `incomplete` (a state,
 * time or cancel limit stopped it; the counts say what was covered).
 *
 * Runs in slices (`Explorer.run(ms)`) so a Worker can post progress and take a cancel
 * between slices. No DOM, no clock of its own: time comes from `now`.
 */
import type { Model } from '../core/model.ts';
import { DEADLOCK } from './names.ts';

export { DEADLOCK };

/** A named property of states. `check` returns null when it holds, else why it fails. */
export interface Invariant<S> {
  name: string;
  check(state: S): string | null;
}

/** What to explore. */
export interface ExploreSpec<P, S, C> {
  model: Model<P, S, C>;
  params: P;
  seed: number;
  /** Checked at every reachable state. */
  invariant?: Invariant<S>;
  /** Checked at every state where the run is over (no choice enabled). */
  final?: Invariant<S>;
  /**
   * The model's proper end, checked first at every state where no choice is enabled:
   * returns null when the run is over as it should be (every actor finished), else who is
   * still waiting and for what. A non-null answer is a deadlock and is reported as a
   * counterexample of the invariant `DEADLOCK` whatever the property asked, so a stuck
   * state can never pass a property that only looks at finished actors. Leave it out only
   * when getting stuck is the point of the question (a property about deadlock itself).
   */
  stuck?: (state: S) => string | null;
  /** Canonical key of a state: equal keys must mean equal futures. Default: JSON. */
  key?: (state: S) => string;
  /** The actor a choice belongs to, for preemption counting. Default: the whole choice. */
  actor?: (choice: C) => string;
  /** Identity of a choice across states, for sleep sets. Default: JSON. */
  choiceKey?: (choice: C) => string;
  /** Static independence of two choices enabled at `state`; default: checked dynamically. */
  independent?: (state: S, a: C, b: C) => boolean;
}

export type Reduction = 'none' | 'sleep-sets';

export interface ExploreOptions {
  /** Maximum preemptions per schedule; null = unbounded. Default null. */
  preemptionBound?: number | null;
  /** Default 'sleep-sets'. Ignored (plain search) under a finite preemption bound. */
  reduction?: Reduction;
  /** Stop (incomplete) after this many distinct states. Default 2,000,000. */
  maxStates?: number;
  /** Stop (incomplete) after this many milliseconds of `run` time. Default 30,000. */
  maxTimeMs?: number;
  /** Millisecond clock (default `performance.now` / `Date.now`). */
  now?: () => number;
}

export interface ExploreStats {
  /** Distinct states visited (canonical keys; under a bound, key + actor + preemptions). */
  states: number;
  /** Steps executed while searching (not counting independence checks). */
  transitions: number;
  /** Complete schedules represented by the explored graph (runs to a final state). */
  schedules: number;
  /** Longest schedule seen, in steps. */
  maxDepth: number;
  preemptionBound: number | null;
  reduction: Reduction;
  /** Milliseconds spent in `run`. */
  elapsedMs: number;
}

export type ExploreResult<C> =
  | { verdict: 'proved'; stats: ExploreStats }
  | {
      verdict: 'counterexample';
      /** The choices that replay (with `replay`) from the initial state to the violation. */
      schedule: C[];
      invariant: string;
      message: string;
      stats: ExploreStats;
    }
  | { verdict: 'incomplete'; reason: 'states' | 'time' | 'cancelled'; stats: ExploreStats };

/** Progress of a search in flight. */
export interface ExploreProgress {
  states: number;
  transitions: number;
  depth: number;
  elapsedMs: number;
  /** Which pass: 'search' (depth-first), or 'shortest' (looking for a shorter counterexample). */
  phase: 'search' | 'shortest';
}

interface Frame<S, C> {
  state: S;
  key: string;
  choices: C[];
  /** Bit of each choice's key in sleep-set masks (see `bitOf`). */
  cbits: number[];
  /** Indexes into `choices` still to explore from this frame. */
  /** Indexes into `choices` still to explore, or null for all of them in order (no array). */
  todo: number[] | null;
  /** How many entries `todo` stands for. */
  ntodo: number;
  next: number;
  /** Sleep set as a bit mask over interned choice keys. */
  sleep: number;
  lastActor: string | null;
  pre: number;
  depth: number;
  /** Choice that led here (for the counterexample), or undefined at the root. */
  via: C | undefined;
  /** Schedules counted below this frame so far. */
  count: number;
  /** Key used in the visited map. */
  vkey: string;
}

interface Visit {
  /** Sleep set (bit mask) the state was last explored with; -1 outside sleep-sets mode. */
  sleep: number;
  /** Schedules below it (as explored). */
  count: number;
  done: boolean;
}

const perf = (globalThis as { performance?: { now(): number } }).performance;
const defaultNow = () => (perf ? perf.now() : Date.now());

/** A resumable search. Create with `createExplorer`, then call `run` until it returns a result. */
export interface Explorer<C> {
  /** Works for at most `sliceMs` milliseconds; returns the result once finished, else null. */
  run(sliceMs?: number): ExploreResult<C> | null;
  /** Stops at the next step; the following `run` returns `incomplete` ('cancelled'). */
  cancel(): void;
  progress(): ExploreProgress;
}

/**
 * Creates a resumable explorer. Throws `RangeError` for a negative or non-integer bound.
 * Shapes: states are the model's; choices are the model's; all counts are plain numbers.
 */
export function createExplorer<P, S, C>(spec: ExploreSpec<P, S, C>, options: ExploreOptions = {}): Explorer<C> {
  const bound = options.preemptionBound ?? null;
  if (bound !== null && (!Number.isInteger(bound) || bound < 0)) throw new RangeError(`preemptionBound must be a non-negative integer or null, got ${bound}`);
  const reduction: Reduction = bound === null ? (options.reduction ?? 'sleep-sets') : 'none';
  const maxStates = options.maxStates ?? 2_000_000;
  const maxTimeMs = options.maxTimeMs ?? 30_000;
  const now = options.now ?? defaultNow;
  const { model } = spec;
  const key = spec.key ?? ((s: S) => JSON.stringify(s));
  const ckey = spec.choiceKey ?? ((c: C) => JSON.stringify(c));
  const actor = spec.actor ?? ckey;
  const useSleep = reduction === 'sleep-sets';
  // Sleep sets are bit masks over choice keys, interned in order of appearance. A choice
  // past the 30th distinct key gets no bit: it is never put to sleep (sound, less reduction).
  const bits = new Map<string, number>();
  const bitOf = (c: C): number => {
    const k = ckey(c);
    let b = bits.get(k);
    if (b === undefined) {
      b = bits.size;
      bits.set(k, b);
    }
    return b >= 30 ? 0 : 1 << b;
  };
  const stepFn = model.stepFast ? model.stepFast.bind(model) : model.step.bind(model);

  const visited = new Map<string, Visit>();
  const stack: Frame<S, C>[] = [];
  let transitions = 0;
  let maxDepth = 0;
  let elapsed = 0;
  let cancelled = false;
  let result: ExploreResult<C> | null = null;
  let violation: { invariant: string; message: string; schedule: C[] } | null = null;
  let phase: 'search' | 'shortest' = 'search';
  let bfs: Bfs<S, C> | null = null;
  let rootCount = 0;

  const stats = (): ExploreStats => ({
    states: visited.size,
    transitions,
    schedules: visited.size ? rootCount : 0,
    maxDepth,
    preemptionBound: bound,
    reduction,
    elapsedMs: Math.round(elapsed),
  });
  const vkeyOf = (k: string, lastActor: string | null, pre: number) => (bound === null ? k : `${k}\u0000${lastActor ?? ''}\u0000${pre}`);

  // `checkSpecState`, with the spec's fields read once (this runs at every new state).
  const { invariant, final, stuck } = spec;
  function checkState(s: S, isFinal: boolean): { invariant: string; message: string } | null {
    if (invariant) {
      const m = invariant.check(s);
      if (m !== null) return { invariant: invariant.name, message: m };
    }
    if (!isFinal) return null;
    if (stuck) {
      const m = stuck(s);
      if (m !== null) return { invariant: DEADLOCK, message: m };
    }
    if (final) {
      const m = final.check(s);
      if (m !== null) return { invariant: final.name, message: m };
    }
    return null;
  }

  function scheduleOfStack(extra?: C): C[] {
    const out: C[] = [];
    for (let i = 1; i < stack.length; i++) out.push(stack[i].via as C);
    if (extra !== undefined) out.push(extra);
    return out;
  }

  /** Builds a frame for `state`; returns null when it needs no (further) exploration. */
  function enter(state: S, via: C | undefined, lastActor: string | null, pre: number, depth: number, sleep: number): Frame<S, C> | Visit | 'violation' {
    const k = key(state);
    const vk = vkeyOf(k, lastActor, pre);
    const seen = visited.get(vk);
    if (seen && (!useSleep || (seen.sleep & ~sleep) === 0)) return seen;
    const choices = model.enabled(state);
    let todo: number[] | null;
    const cbits = useSleep ? choices.map(bitOf) : NO_BITS;
    if (seen) {
      // Re-explore only what was asleep before and is awake now (Godefroid, ch. 5).
      todo = [];
      for (let i = 0; i < choices.length; i++) if (seen.sleep & cbits[i] && !(sleep & cbits[i])) todo.push(i);
      seen.sleep &= sleep;
      if (todo.length === 0) return seen;
    } else {
      const bad = checkState(state, choices.length === 0);
      if (bad) {
        violation = { ...bad, schedule: via === undefined ? [] : scheduleOfStack(via) };
        return 'violation';
      }
      const visit: Visit = { sleep: useSleep ? sleep : -1, count: choices.length === 0 ? 1 : 0, done: choices.length === 0 };
      visited.set(vk, visit);
      if (choices.length === 0) return visit;
      todo = null;
      if (useSleep && sleep !== 0) {
        todo = [];
        for (let i = 0; i < choices.length; i++) if (!(sleep & cbits[i])) todo.push(i);
      }
    }
    if (bound !== null && lastActor !== null) {
      // Under a bound, a switch away from an enabled last actor costs one preemption.
      const lastEnabled = choices.some((c) => actor(c) === lastActor);
      if (lastEnabled && pre >= bound) todo = (todo ?? choices.map((_, i) => i)).filter((i) => actor(choices[i]) === lastActor);
    }
    if (depth > maxDepth) maxDepth = depth;
    return { state, key: k, choices, cbits, todo, ntodo: todo ? todo.length : choices.length, next: 0, sleep, lastActor, pre, depth, via, count: 0, vkey: vk };
  }

  function independentAt(f: Frame<S, C>, a: number, b: number): boolean {
    const ca = f.choices[a];
    const cb = f.choices[b];
    if (spec.independent) return spec.independent(f.state, ca, cb);
    const ka = ckey(ca);
    const kb = ckey(cb);
    const sa = stepFn(f.state, ca);
    const sb = stepFn(f.state, cb);
    const ea = model.enabled(sa);
    const eb = model.enabled(sb);
    const ib = ea.findIndex((c) => ckey(c) === kb);
    const ia = eb.findIndex((c) => ckey(c) === ka);
    if (ib < 0 || ia < 0) return false;
    return key(stepFn(sa, ea[ib])) === key(stepFn(sb, eb[ia]));
  }

  function start(): void {
    const s0 = model.initialState(spec.params, spec.seed);
    const f = enter(s0, undefined, null, 0, 0, 0);
    if (f === 'violation') return;
    if (!('state' in f)) {
      rootCount = f.count;
      return;
    }
    stack.push(f);
  }

  function finishFrame(): void {
    const f = stack.pop()!;
    const v = visited.get(f.vkey);
    if (v) {
      v.count += f.count;
      v.done = true;
    }
    const total = v ? v.count : f.count;
    if (stack.length) stack[stack.length - 1].count += total;
    else rootCount = total;
  }

  /** One unit of depth-first work. Returns false when the search is over. */
  function stepDfs(): boolean {
    const f = stack[stack.length - 1];
    if (!f) return false;
    if (f.next >= f.ntodo) {
      finishFrame();
      return stack.length > 0;
    }
    const i = f.todo ? f.todo[f.next++] : f.next++;
    const c = f.choices[i];
    // Actors matter only under a preemption bound (unbounded search never reads them).
    const a = bound === null ? '' : actor(c);
    const preempt = bound !== null && f.lastActor !== null && a !== f.lastActor && f.choices.some((x) => actor(x) === f.lastActor) ? 1 : 0;
    let childSleep = 0;
    if (useSleep) {
      // Sleep set of the child: what is asleep here, plus siblings explored before this
      // one, kept only while independent of the step taken.
      const cand: number[] = [];
      for (let j = 0; j < f.choices.length; j++) if (j !== i && f.sleep & f.cbits[j]) cand.push(j);
      for (let t = 0; t < f.next - 1; t++) cand.push(f.todo ? f.todo[t] : t);
      for (const j of cand) if (independentAt(f, i, j)) childSleep |= f.cbits[j];
    }
    const s = stepFn(f.state, c);
    transitions++;
    const child = enter(s, c, a, f.pre + preempt, f.depth + 1, childSleep);
    if (child === 'violation') return false;
    if (!('state' in child)) {
      f.count += child.count;
      return true;
    }
    stack.push(child);
    return true;
  }

  start();

  return {
    cancel() {
      cancelled = true;
    },
    progress() {
      return { states: visited.size, transitions, depth: stack.length, elapsedMs: Math.round(elapsed), phase };
    },
    run(sliceMs = Infinity) {
      if (result) return result;
      const t0 = now();
      const finish = (r: ExploreResult<C>): ExploreResult<C> => {
        elapsed += now() - t0;
        r.stats.elapsedMs = Math.round(elapsed);
        return (result = r);
      };
      const counterexample = (v: { schedule: C[]; invariant: string; message: string }) =>
        finish({ verdict: 'counterexample', schedule: v.schedule, invariant: v.invariant, message: v.message, stats: stats() });
      let n = 0;
      for (;;) {
        if (cancelled) return finish({ verdict: 'incomplete', reason: 'cancelled', stats: stats() });
        if (phase === 'search') {
          if (violation) {
            phase = 'shortest';
            bfs = createBfs(spec, bound, key, actor, violation.schedule.length, maxStates);
            continue;
          }
          if (visited.size >= maxStates) return finish({ verdict: 'incomplete', reason: 'states', stats: stats() });
          if (!stepDfs() && !violation) return finish({ verdict: 'proved', stats: stats() });
        } else {
          const r = bfs!.step();
          if (r !== null) return counterexample(r === 'none' ? violation! : r);
        }
        if ((++n & 255) === 0) {
          const t = now();
          if (t - t0 + elapsed > maxTimeMs) {
            // Out of time: a counterexample in hand is still an answer (maybe not the shortest).
            if (violation) return counterexample(violation);
            return finish({ verdict: 'incomplete', reason: 'time', stats: stats() });
          }
          if (t >= t0 + sliceMs) {
            elapsed += t - t0;
            return null;
          }
        }
      }
    },
  };
}

const NO_BITS: number[] = [];

/**
 * The first property `state` breaks, or null: `spec.invariant` at every state; where the
 * run is over (`isFinal`, no choice enabled), then `spec.stuck` (a deadlock, reported as
 * `DEADLOCK`) before `spec.final`, so a stuck end is named as a deadlock.
 */
export function checkSpecState<P, S, C>(spec: ExploreSpec<P, S, C>, state: S, isFinal: boolean): { invariant: string; message: string } | null {
  if (spec.invariant) {
    const m = spec.invariant.check(state);
    if (m !== null) return { invariant: spec.invariant.name, message: m };
  }
  if (isFinal && spec.stuck) {
    const m = spec.stuck(state);
    if (m !== null) return { invariant: DEADLOCK, message: m };
  }
  if (isFinal && spec.final) {
    const m = spec.final.check(state);
    if (m !== null) return { invariant: spec.final.name, message: m };
  }
  return null;
}

interface Bfs<S, C> {
  seen: Set<string>;
  /** null: still working; 'none': nothing shorter; else the shortest violation. */
  step(): { schedule: C[]; invariant: string; message: string } | 'none' | null;
}

/** Breadth-first search (plain, same bound) for a violation shorter than `limit` steps. */
function createBfs<P, S, C>(spec: ExploreSpec<P, S, C>, bound: number | null, key: (s: S) => string, actor: (c: C) => string, limit: number, maxStates: number): Bfs<S, C> {
  interface Node {
    state: S;
    lastActor: string | null;
    pre: number;
    depth: number;
    parent: Node | null;
    via: C | undefined;
  }
  const { model } = spec;
  const seen = new Set<string>();
  const vk = (k: string, a: string | null, p: number) => (bound === null ? k : `${k}\u0000${a ?? ''}\u0000${p}`);
  const s0 = model.initialState(spec.params, spec.seed);
  let queue: Node[] = [{ state: s0, lastActor: null, pre: 0, depth: 0, parent: null, via: undefined }];
  let nextQueue: Node[] = [];
  let qi = 0;
  seen.add(vk(key(s0), null, 0));
  const path = (n: Node): C[] => {
    const out: C[] = [];
    for (let x: Node | null = n; x && x.parent; x = x.parent) out.push(x.via as C);
    return out.reverse();
  };
  const check = (s: S, isFinal: boolean) => checkSpecState(spec, s, isFinal);
  return {
    seen,
    step() {
      if (qi >= queue.length) {
        if (nextQueue.length === 0) return 'none';
        queue = nextQueue;
        nextQueue = [];
        qi = 0;
      }
      const n = queue[qi++];
      const choices = model.enabled(n.state);
      const bad = check(n.state, choices.length === 0);
      if (bad) return { ...bad, schedule: path(n) };
      if (n.depth + 1 >= limit || seen.size >= maxStates) return null;
      const lastEnabled = n.lastActor !== null && choices.some((c) => actor(c) === n.lastActor);
      for (const c of choices) {
        const a = actor(c);
        const pre = n.pre + (bound !== null && lastEnabled && a !== n.lastActor ? 1 : 0);
        if (bound !== null && pre > bound) continue;
        const s = model.step(n.state, c);
        const k = vk(key(s), a, pre);
        if (seen.has(k)) continue;
        seen.add(k);
        nextQueue.push({ state: s, lastActor: a, pre, depth: n.depth + 1, parent: n, via: c });
      }
      return null;
    },
  };
}

/** Runs a search to the end synchronously (Node, tests, benchmarks). */
export function explore<P, S, C>(spec: ExploreSpec<P, S, C>, options: ExploreOptions = {}): ExploreResult<C> {
  const ex = createExplorer(spec, options);
  for (;;) {
    const r = ex.run(Infinity);
    if (r) return r;
  }
}
