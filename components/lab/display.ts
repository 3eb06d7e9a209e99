/**
 * What a Lab cell's values look like on the page, computed where the values live (in the Lab
 * worker, or in Node for the headless check) and sent to the page as plain data:
 * - an array of records (objects whose fields are primitives) as a `table`;
 * - a simulation run (`{ model, params, schedule, seed?, step? }` or `{ model, states }`, where
 *   `model` implements sims/core/model.ts) as a `run`: every step's choice and narration, a
 *   share text when the model has a lesson player that opens share links, and, when the page
 *   can replay it in that model's lesson player, the plain-data `player` run (parameters,
 *   schedule, seed: checked with `structuredClone`); otherwise `noPlayer` says in one
 *   sentence why the page steps through the trace instead;
 * - an explorer result (`ExploreResult`: `{ verdict, stats, … }`, alone or with the `model`,
 *   `params` and `seed` it was asked about, as `proveTty` in `@sims/tty` returns it, or as
 *   `{ model, params, seed?, result }`) as an `answer`: the Prove-it panel's words and
 *   figures (components/explorer/panel-model.ts) and, for a counterexample whose model is
 *   known, its schedule replayed as a `run` the page steps through, opened at the step where
 *   the property fails;
 * - anything else as a `value` tree for the inspector.
 * Values are the learner's: every read is guarded (a throwing getter or Proxy becomes a note),
 * and sizes are capped so a huge value cannot flood the page.
 */
import { encodeMmShare } from '../../sims/mm/index.ts';
import { encodeShare } from '../../sims/tty/index.ts';
import type { ExploreResult } from '../../sims/explore/index.ts';
import type { TtyChoice, TtyParams } from '../../sims/tty/index.ts';
import { describeAnyResult, describeResult, violationStep, type ResultView } from '../explorer/panel-model.ts';
import { WIDGET_TAGS } from '../widgets/tags.ts';

/** One node of the inspector tree. */
export type ValueNode =
  | { t: 'prim'; text: string; type: string }
  | { t: 'obj'; label: string; entries: [string, ValueNode][]; more: number };

/** One step of a run trace. */
export interface TraceStep {
  step: number;
  /** The choice taken into this state (`describeChoice`); empty for the initial state. */
  choice: string;
  narration: string;
  /** `file: function` of the kernel code the step models, when any. */
  source?: string;
}

/**
 * A run as its lesson player replays it (`WidgetElement.load`): plain data, copied with
 * `structuredClone` where the run was made, so it crosses to the page unchanged.
 */
export interface PlayerRun {
  params: unknown;
  /** Choices from the initial state. */
  schedule: unknown[];
  seed: number;
  /** The preset the run names (`{ …, preset }`), a hint for which preset's player to use. */
  preset?: string;
}

/** A simulation run (see `runTrace`). */
export interface RunDisplay {
  kind: 'run';
  model: string;
  steps: TraceStep[];
  total: number;
  share?: { lesson: string; text: string };
  /** The run for the model's lesson player, when it can be replayed there. */
  player?: PlayerRun;
  /** Why there is no `player` (one sentence), when there is none. */
  noPlayer?: string;
  /** The step the run asks to be opened at (its `step` field, 0..schedule length), when it names one. */
  at?: number;
}

/** How one value is shown. */
export type Display =
  | { kind: 'table'; columns: string[]; rows: string[][]; total: number }
  | RunDisplay
  | { kind: 'value'; tree: ValueNode }
  | AnswerDisplay;

/** An explorer result as the Prove-it panel shows it, with its counterexample as a run (see `answerOf`). */
export interface AnswerDisplay {
  kind: 'answer';
  /** The model's id, or null when the result came without its model. */
  model: string | null;
  view: ResultView;
  /** The counterexample replayed, when the model and parameters are known. */
  run?: RunDisplay;
  /** The step of `run` where the property fails (the player opens there). */
  at?: number;
}

/** Limits of a display: table rows, trace steps, object entries per node, tree depth, text length. */
export const DISPLAY_LIMITS = { rows: 200, steps: 400, entries: 40, depth: 4, text: 300 } as const;

function read(o: unknown, k: PropertyKey): unknown {
  try {
    return (o as Record<PropertyKey, unknown>)[k];
  } catch (e) {
    return `[reading ${String(k)} threw: ${short(e instanceof Error ? e.message : e)}]`;
  }
}

function short(x: unknown): string {
  let s: string;
  try {
    s = String(x);
  } catch {
    s = '[value that cannot be printed]';
  }
  return s.length > DISPLAY_LIMITS.text ? `${s.slice(0, DISPLAY_LIMITS.text)}…` : s;
}

function prim(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > DISPLAY_LIMITS.text ? `${v.slice(0, DISPLAY_LIMITS.text)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `ƒ ${short(read(v, 'name')) || '(anonymous)'}()`;
  if (typeof v === 'symbol') return short(v.toString());
  return String(v);
}

function keysOf(o: object): string[] {
  try {
    return Object.keys(o);
  } catch {
    return [];
  }
}

/** The inspector tree of `v` (depth- and size-capped). Never throws. */
export function tree(v: unknown, depth = 0, seen = new Set<object>()): ValueNode {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function') || typeof v === 'function') return { t: 'prim', text: prim(v), type: v === null ? 'null' : typeof v };
  const o = v as object;
  if (seen.has(o)) return { t: 'prim', text: '[circular]', type: 'note' };
  let label = 'Object';
  let entries: [string, unknown][] = [];
  try {
    if (Array.isArray(o)) {
      label = `Array(${o.length})`;
      entries = o.slice(0, DISPLAY_LIMITS.entries).map((x, i) => [String(i), x]);
      const more = o.length - entries.length;
      return finish(label, entries, more, depth, seen, o);
    }
    if (o instanceof Map) {
      label = `Map(${o.size})`;
      entries = [...o.entries()].slice(0, DISPLAY_LIMITS.entries).map(([k, x]) => [prim(typeof k === 'object' ? short(k) : k), x]);
      return finish(label, entries, o.size - entries.length, depth, seen, o);
    }
    if (o instanceof Set) {
      label = `Set(${o.size})`;
      entries = [...o.values()].slice(0, DISPLAY_LIMITS.entries).map((x, i) => [String(i), x]);
      return finish(label, entries, o.size - entries.length, depth, seen, o);
    }
    if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
      const a = o as unknown as ArrayLike<number>;
      label = `${Object.prototype.toString.call(o).slice(8, -1)}(${a.length})`;
      entries = Array.from({ length: Math.min(a.length, DISPLAY_LIMITS.entries) }, (_, i) => [String(i), a[i]]);
      return finish(label, entries, a.length - entries.length, depth, seen, o);
    }
    if (o instanceof Error) return { t: 'prim', text: `${short(read(o, 'name'))}: ${short(read(o, 'message'))}`, type: 'error' };
    const ctor = read(o, 'constructor');
    const name = typeof ctor === 'function' ? short(read(ctor, 'name')) : '';
    if (name && name !== 'Object') label = name;
  } catch (e) {
    return { t: 'prim', text: `[cannot be shown: ${short(e instanceof Error ? e.message : e)}]`, type: 'note' };
  }
  const keys = keysOf(o);
  entries = keys.slice(0, DISPLAY_LIMITS.entries).map((k) => [k, read(o, k)]);
  return finish(label, entries, keys.length - entries.length, depth, seen, o);
}

function finish(label: string, entries: [string, unknown][], more: number, depth: number, seen: Set<object>, o: object): ValueNode {
  if (depth >= DISPLAY_LIMITS.depth) return { t: 'obj', label, entries: [], more: entries.length + more };
  seen.add(o);
  const out: ValueNode = { t: 'obj', label, entries: entries.map(([k, x]) => [k, tree(x, depth + 1, seen)]), more };
  seen.delete(o);
  return out;
}

/** True for an array of at least one record whose fields are all primitives. */
function isRecordArray(v: unknown): v is Record<string, unknown>[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  return v.slice(0, 50).every((r) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) return false;
    return keysOf(r).every((k) => {
      const x = read(r, k);
      return x === null || (typeof x !== 'object' && typeof x !== 'function');
    });
  });
}

interface ModelLike {
  id: string;
  initialState(p: unknown, seed: number): unknown;
  step(s: unknown, c: unknown): unknown;
  event(s: unknown): { narration: string; source: { file: string; fn: string } | null } | null;
  describeChoice(s: unknown, c: unknown): string;
}

function isModel(m: unknown): m is ModelLike {
  return !!m && typeof m === 'object' && typeof read(m, 'id') === 'string' && ['initialState', 'step', 'event', 'describeChoice'].every((k) => typeof read(m, k) === 'function');
}

/** Model ids that have a lesson player (`components/widgets/tags.ts`). */
const PLAYER_MODELS: ReadonlySet<string> = new Set(Object.values(WIDGET_TAGS));

/** Most choices a run replayed in a player may have (a player's own limit is 5000 steps). */
export const PLAYER_MAX_STEPS = 5000;

/**
 * The plain-data run a lesson player replays, or the sentence saying why `v` cannot be shown
 * in one. `schedule` and `params` are the learner's values; `structuredClone` copies them
 * (and fails on functions, symbols, proxies), as the page will receive them.
 */
export function playerRunOf(modelId: string, params: unknown, schedule: unknown, seed: unknown, preset: unknown): { player: PlayerRun } | { noPlayer: string } {
  if (!PLAYER_MODELS.has(modelId)) return { noPlayer: `The ${short(modelId)} model has no lesson player, so its run is shown as the list of its steps.` };
  if (!Array.isArray(schedule) || params === undefined) return { noPlayer: 'This run is a list of states without the parameters and schedule that produced them, and a player replays a schedule from the parameters, so its steps are listed instead.' };
  if (schedule.length > PLAYER_MAX_STEPS) return { noPlayer: `This run has ${schedule.length} steps, more than a player replays (${PLAYER_MAX_STEPS}), so its first steps are listed instead.` };
  const n = seed === undefined ? 1 : seed;
  if (typeof n !== 'number' || !Number.isFinite(n)) return { noPlayer: 'This run\'s seed is not a number, so no player can replay it; its steps are listed instead.' };
  let copy: { params: unknown; schedule: unknown[] };
  try {
    copy = structuredClone({ params, schedule: [...schedule] });
  } catch (e) {
    return { noPlayer: `This run's parameters or schedule cannot be copied to the page for a player (${short(e instanceof Error ? e.message : e)}), so its steps are listed instead.` };
  }
  const player: PlayerRun = { params: copy.params, schedule: copy.schedule, seed: n };
  if (typeof preset === 'string') player.preset = preset;
  return { player };
}

/** The lesson whose player opens a model's share links (`#sim=`). */
const PLAYER_LESSON: Record<string, string> = { tty: 'tty-write-atomicity', mm: 'pinning-user-pages' };

/**
 * The trace of a simulation run, or null when `v` is not one. A run is `{ model, params,
 * schedule, seed?, preset?, step? }` (replayed from the initial state) or `{ model, states,
 * schedule?, params?, step? }`; with its `player` run or the `noPlayer` sentence (`playerRunOf`).
 * `step` (0 to the last step; default the last) is where the run is opened.
 * Throws what the model throws (an invalid parameter, a choice that is not enabled), and a
 * RangeError for a `step` outside the run.
 */
export function runTrace(v: unknown): RunDisplay | null {
  if (!v || typeof v !== 'object') return null;
  const model = read(v, 'model');
  if (!isModel(model)) return null;
  const schedule = read(v, 'schedule');
  let states = read(v, 'states') as unknown[] | undefined;
  const params = read(v, 'params');
  if (!Array.isArray(states)) {
    if (!Array.isArray(schedule) || params === undefined) return null;
    const seed = Number(read(v, 'seed') ?? 1);
    states = [model.initialState(params, seed)];
    for (const c of schedule.slice(0, DISPLAY_LIMITS.steps)) states.push(model.step(states[states.length - 1], c));
  }
  const steps: TraceStep[] = [];
  states.slice(0, DISPLAY_LIMITS.steps + 1).forEach((s, i) => {
    const ev = model.event(s);
    const prev = i > 0 ? states![i - 1] : null;
    const c = Array.isArray(schedule) && i > 0 ? schedule[i - 1] : undefined;
    const step: TraceStep = { step: i, choice: i > 0 && c !== undefined ? short(model.describeChoice(prev, c)) : '', narration: ev ? short(ev.narration) : 'initial state' };
    if (ev?.source) step.source = `${ev.source.file}: ${ev.source.fn}`;
    steps.push(step);
  });
  const out: RunDisplay = { kind: 'run', model: model.id, steps, total: states.length };
  const at = read(v, 'step');
  if (at !== undefined) {
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > states.length - 1) {
      throw new RangeError(`The run's step must be a whole number from 0 to ${states.length - 1} (its last step); it is ${short(at)}.`);
    }
    out.at = at;
  }
  Object.assign(out, playerRunOf(model.id, params, schedule, read(v, 'seed'), read(v, 'preset')));
  const lesson = PLAYER_LESSON[model.id];
  if (lesson && Array.isArray(schedule)) {
    try {
      const text = model.id === 'tty'
        ? encodeShare({ model: 'tty', params: params as never, schedule: schedule as never, step: out.at ?? schedule.length })
        : typeof read(v, 'preset') === 'string'
          ? encodeMmShare({ preset: read(v, 'preset') as string, schedule: schedule as never, step: out.at ?? schedule.length })
          : null;
      if (text) out.share = { lesson, text };
    } catch {
      /* not shareable (too large, or parameters a link cannot carry): the trace still shows */
    }
  }
  return out;
}

const VERDICTS = ['proved', 'counterexample', 'incomplete'];

/** True for an explorer result: a verdict and the stats every result carries. */
function isExploreResult(v: unknown): v is ExploreResult<unknown> {
  if (!v || typeof v !== 'object') return false;
  const stats = read(v, 'stats');
  if (!VERDICTS.includes(read(v, 'verdict') as string) || !stats || typeof stats !== 'object') return false;
  if (!['states', 'transitions', 'schedules', 'maxDepth', 'elapsedMs'].every((k) => typeof read(stats, k) === 'number')) return false;
  if (read(v, 'verdict') === 'counterexample') return Array.isArray(read(v, 'schedule')) && typeof read(v, 'invariant') === 'string' && typeof read(v, 'message') === 'string';
  return true;
}

/**
 * The answer display of an explorer result, or null when `v` is not one. `v` is a result
 * (with optional `model`, `params`, `seed`, `property` fields) or `{ model, params, seed?,
 * property?, result }`. A tty result with its parameters gets the panel's own tty words
 * (`describeResult`, and `violationStep` for where the player opens); any other model the
 * panel's model-neutral words (`describeAnyResult`). Throws what replaying the schedule throws.
 */
export function answerOf(v: unknown): AnswerDisplay | null {
  if (!v || typeof v !== 'object') return null;
  const inner = read(v, 'result');
  const result = isExploreResult(v) ? v : isExploreResult(inner) ? inner : null;
  if (!result) return null;
  const model = read(v, 'model');
  const params = read(v, 'params');
  const known = isModel(model) && params !== undefined;
  const id = isModel(model) ? model.id : null;
  const property = read(v, 'property') === 'no-interleaving' ? 'no-interleaving' : 'atomic-write';
  const tty = known && id === 'tty';
  const view = tty ? describeResult(result as ExploreResult<TtyChoice>, params as TtyParams, property) : describeAnyResult(result, id ?? 'given');
  const out: AnswerDisplay = { kind: 'answer', model: id, view };
  if (result.verdict === 'counterexample' && known) {
    const run = runTrace({ model, params, schedule: result.schedule, seed: read(v, 'seed') ?? 1 });
    if (run) {
      out.run = run;
      out.at = tty ? violationStep(params as TtyParams, result.schedule as TtyChoice[], result.invariant) : result.schedule.length;
      if (run.share && id === 'tty') {
        try {
          run.share.text = encodeShare({ model: 'tty', params: params as never, schedule: result.schedule as never, step: out.at });
        } catch {
          /* keep the link at the end of the run */
        }
      }
    }
  }
  return out;
}

/** How `v` is shown (see the module comment). Never throws: a failing run shows as an error value. */
export function describe(v: unknown): Display {
  try {
    const answer = answerOf(v);
    if (answer) return answer;
    const run = runTrace(v);
    if (run) return run;
  } catch (e) {
    return { kind: 'value', tree: { t: 'prim', text: `This run cannot be replayed: ${short(e instanceof Error ? e.message : e)}`, type: 'error' } };
  }
  if (isRecordArray(v)) {
    const columns: string[] = [];
    for (const r of v.slice(0, DISPLAY_LIMITS.rows)) for (const k of keysOf(r)) if (!columns.includes(k) && columns.length < 30) columns.push(k);
    const rows = v.slice(0, DISPLAY_LIMITS.rows).map((r) => columns.map((c) => {
      const x = read(r, c);
      return x === undefined ? '' : typeof x === 'string' ? short(x) : prim(x);
    }));
    return { kind: 'table', columns, rows, total: v.length };
  }
  return { kind: 'value', tree: tree(v) };
}
