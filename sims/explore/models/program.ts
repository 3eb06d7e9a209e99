/**
 * A tiny shared-memory program model for the explorer's textbook checks: threads run
 * straight-line instructions over shared variables and locks. Used to prove a counter
 * under a lock and Peterson's algorithm, and to find the bugs in a lost-update counter and
 * in Peterson with the flag and turn writes swapped. Not a kernel model: sequentially
 * consistent memory, one instruction per step.
 */
import type { Model } from '../../core/model.ts';
import type { Invariant } from '../explore.ts';

/** An expression: a constant, a thread-local register, or a sum. */
export type Expr = number | { reg: string } | { add: [Expr, Expr] };

/** A condition for `await`: all of `eq` must hold and none of `ne`... kept tiny on purpose. */
export interface Cond {
  /** The thread may go on when any clause fails: `not (all of them equal)`. */
  notAll: { var: string; value: number }[];
}

export type Instr =
  | { op: 'read'; var: string; reg: string }
  | { op: 'write'; var: string; value: Expr }
  | { op: 'lock'; lock: string }
  | { op: 'unlock'; lock: string }
  /** Blocks until the condition holds (a busy-wait loop, collapsed into one blocking step). */
  | { op: 'await'; cond: Cond }
  | { op: 'cs-enter' }
  | { op: 'cs-leave' };

export interface ProgramParams {
  threads: Instr[][];
  shared: Record<string, number>;
}

export interface ProgramState {
  pc: number[];
  regs: Record<string, number>[];
  shared: Record<string, number>;
  locks: Record<string, number | null>;
  /** Threads inside their critical section. */
  inCs: number;
  last: number | null;
}

export interface ProgramChoice {
  thread: number;
}

function evalExpr(e: Expr, regs: Record<string, number>): number {
  if (typeof e === 'number') return e;
  if ('reg' in e) return regs[e.reg] ?? 0;
  return evalExpr(e.add[0], regs) + evalExpr(e.add[1], regs);
}

function canRun(s: ProgramState, p: ProgramParams, t: number): boolean {
  const ins = p.threads[t][s.pc[t]];
  if (!ins) return false;
  if (ins.op === 'lock') return s.locks[ins.lock] == null;
  if (ins.op === 'await') return !ins.cond.notAll.every((c) => s.shared[c.var] === c.value);
  return true;
}

/** Builds the model for a program (params are closed over: `initialState` ignores its own). */
export function programModel(p: ProgramParams): Model<ProgramParams, ProgramState, ProgramChoice> {
  // One immutable choice object per thread, shared by every state (no allocation in `enabled`).
  const choices: ProgramChoice[] = p.threads.map((_, thread) => Object.freeze({ thread }));
  return {
    id: 'program',
    initialState: () => ({ pc: p.threads.map(() => 0), regs: p.threads.map(() => ({})), shared: { ...p.shared }, locks: {}, inCs: 0, last: null }),
    enabled: (s) => {
      const out: ProgramChoice[] = [];
      for (let t = 0; t < p.threads.length; t++) if (canRun(s, p, t)) out.push(choices[t]);
      return out;
    },
    step: (s, c) => {
      if (!canRun(s, p, c.thread)) throw new Error(`thread ${c.thread} cannot run`);
      return apply(s, c);
    },
    stepFast: (s, c) => apply(s, c),
    event: (s) => (s.last === null ? null : { narration: `thread ${s.last} ran`, source: null, actor: s.last }),
    describeChoice: (_s, c) => `run thread ${c.thread}`,
    sameChoice: (a, b) => a.thread === b.thread,
  };

  function apply(s: ProgramState, c: ProgramChoice): ProgramState {
      const t = c.thread;
      const ins = p.threads[t][s.pc[t]];
      const pc = s.pc.slice();
      pc[t]++;
      const next: ProgramState = { ...s, pc, last: t };
      switch (ins.op) {
        case 'read': {
          const regs = s.regs.slice();
          regs[t] = { ...regs[t], [ins.reg]: s.shared[ins.var] ?? 0 };
          next.regs = regs;
          break;
        }
        case 'write':
          next.shared = { ...s.shared, [ins.var]: evalExpr(ins.value, s.regs[t]) };
          break;
        case 'lock':
          next.locks = { ...s.locks, [ins.lock]: t };
          break;
        case 'unlock':
          next.locks = { ...s.locks, [ins.lock]: null };
          break;
        case 'await':
          break;
        case 'cs-enter':
          next.inCs = s.inCs + 1;
          break;
        case 'cs-leave':
          next.inCs = s.inCs - 1;
          break;
      }
      return next;
  }
}

/**
 * Canonical key: everything but `last`, as one flat string of UTF-16 code units (names
 * ended by 0xFFFE, values offset by 0x4000, 0xFFFF between fields; values must stay
 * within ±0x4000). Built with `String.fromCharCode` so the
 * explorer's visited map hashes a flat string instead of flattening a concatenation.
 */
export function programKey(s: ProgramState): string {
  const codes: number[] = [s.inCs];
  for (let t = 0; t < s.pc.length; t++) {
    codes.push(0xffff, s.pc[t]);
    const regs = s.regs[t];
    for (const r in regs) pushName(codes, r).push(regs[r] + 0x4000);
  }
  codes.push(0xffff);
  for (const v in s.shared) codes.push(s.shared[v] + 0x4000);
  codes.push(0xffff);
  for (const l in s.locks) pushName(codes, l).push((s.locks[l] ?? -1) + 0x4000);
  return String.fromCharCode.apply(null, codes);
}

/** Appends a name's code units and a 0xFFFE terminator (so names never run together). */
function pushName(codes: number[], name: string): number[] {
  for (let i = 0; i < name.length; i++) codes.push(name.charCodeAt(i));
  codes.push(0xfffe);
  return codes;
}

/** Shared variables and locks an instruction touches, for static independence. */
function footprint(ins: Instr | undefined): { reads: string[]; writes: string[] } {
  if (!ins) return { reads: [], writes: [] };
  switch (ins.op) {
    case 'read':
      return { reads: [ins.var], writes: [] };
    case 'write':
      return { reads: [], writes: [ins.var] };
    case 'lock':
    case 'unlock':
      return { reads: [], writes: [`lock:${ins.lock}`] };
    case 'await':
      return { reads: ins.cond.notAll.map((c) => c.var), writes: [] };
    case 'cs-enter':
    case 'cs-leave':
      return { reads: [], writes: ['$cs'] };
  }
}

/** Static independence: the next instructions of two threads touch no common location with a write. */
export function programIndependent(p: ProgramParams) {
  return (s: ProgramState, a: ProgramChoice, b: ProgramChoice): boolean => {
    if (a.thread === b.thread) return false;
    const fa = footprint(p.threads[a.thread][s.pc[a.thread]]);
    const fb = footprint(p.threads[b.thread][s.pc[b.thread]]);
    const clash = (w: string[], other: { reads: string[]; writes: string[] }) => w.some((v) => other.reads.includes(v) || other.writes.includes(v));
    return !clash(fa.writes, fb) && !clash(fb.writes, fa);
  };
}

/** Mutual exclusion: at most one thread in its critical section. */
export const mutualExclusion: Invariant<ProgramState> = {
  name: 'mutual exclusion',
  check: (s) => (s.inCs > 1 ? `${s.inCs} threads are in the critical section at once` : null),
};

/** A final-state invariant: shared `v` equals `expected` when every thread is done. */
export function finalEquals(v: string, expected: number): Invariant<ProgramState> {
  return { name: `${v} == ${expected} at the end`, check: (s) => (s.shared[v] === expected ? null : `${v} is ${s.shared[v]} at the end, expected ${expected}`) };
}

/** n threads each doing `c = c + 1`, with or without a lock around it. */
export function counterProgram(n: number, locked: boolean): ProgramParams {
  const body: Instr[] = [
    { op: 'read', var: 'c', reg: 'r' },
    { op: 'write', var: 'c', value: { add: [{ reg: 'r' }, 1] } },
  ];
  const thread: Instr[] = locked ? [{ op: 'lock', lock: 'm' }, ...body, { op: 'unlock', lock: 'm' }] : body;
  return { threads: Array.from({ length: n }, () => thread), shared: { c: 0 } };
}

/** Peterson's algorithm for two threads; `swapped` writes `turn` before `flag[i]` (broken). */
export function petersonProgram(swapped: boolean): ProgramParams {
  const thread = (i: number): Instr[] => {
    const j = 1 - i;
    const setFlag: Instr = { op: 'write', var: `flag${i}`, value: 1 };
    const setTurn: Instr = { op: 'write', var: 'turn', value: j };
    return [
      ...(swapped ? [setTurn, setFlag] : [setFlag, setTurn]),
      { op: 'await', cond: { notAll: [{ var: `flag${j}`, value: 1 }, { var: 'turn', value: j }] } },
      { op: 'cs-enter' },
      { op: 'cs-leave' },
      { op: 'write', var: `flag${i}`, value: 0 },
    ];
  };
  return { threads: [thread(0), thread(1)], shared: { flag0: 0, flag1: 0, turn: 0 } };
}

/**
 * The proper end of a program (`ExploreSpec.stuck`): null when every thread has run its
 * last instruction, else which threads are stuck and at what (a `lock` held by another
 * thread, an `await` whose condition never comes true). Meaningful only where no thread can run.
 */
export function programStuck(p: ProgramParams) {
  return (s: ProgramState): string | null => {
    const who: string[] = [];
    p.threads.forEach((code, t) => {
      const ins = code[s.pc[t]];
      if (!ins) return;
      if (ins.op === 'lock') who.push(`thread ${t} waits for lock ${ins.lock}${s.locks[ins.lock] != null ? `, held by thread ${s.locks[ins.lock]}` : ''}`);
      else if (ins.op === 'await') who.push(`thread ${t} waits at instruction ${s.pc[t]} for a condition that never comes true`);
      else who.push(`thread ${t} is at instruction ${s.pc[t]}`);
    });
    return who.length === 0 ? null : `Deadlock: no thread can run, but ${who.join('; ')}.`;
  };
}

/** Two threads taking locks `m` and `n` in opposite orders: the classic deadlock (a property about it is the point). */
export function lockOrderProgram(): ProgramParams {
  const t = (a: string, b: string): Instr[] => [
    { op: 'lock', lock: a },
    { op: 'lock', lock: b },
    { op: 'unlock', lock: b },
    { op: 'unlock', lock: a },
  ];
  return { threads: [t('m', 'n'), t('n', 'm')], shared: {} };
}
