/**
 * The "Prove it" panel's logic with no DOM: what the learner can choose, the ready-made
 * cases, the tty parameters those choices mean, and the words for progress and results.
 * `prove-it-element.ts` reads the form into `PanelChoices` and renders what this returns;
 * the unit tests exercise it directly.
 */
import { replay } from '../../sims/core/model.ts';
import type { ExploreProgress, ExploreResult, ExploreStats, Reduction } from '../../sims/explore/index.ts';
import { DEADLOCK } from '../../sims/explore/index.ts';
import { checkAtomicity } from '../../sims/tty/index.ts';
import { ttyModel } from '../../sims/tty/index.ts';
import { noInterleaving, type TtyProperty } from '../../sims/tty/index.ts';
import type { TtyChoice, TtyParams, Variant } from '../../sims/tty/index.ts';
import type { ExploreRequestOptions } from './protocol.ts';

/** One writer as the panel offers it. */
export interface PanelWriter {
  /** Bytes passed to write(2), 1 to `MAX_PANEL_SIZE`. */
  size: number;
  nonblock: boolean;
  /** A signal may land once, anywhere in the write. */
  signal: boolean;
}

/** Everything the panel's form holds. */
export interface PanelChoices {
  variant: Variant;
  /** 1 to 3 writers. */
  writers: PanelWriter[];
  property: TtyProperty;
  /** null = unbounded. */
  preemptionBound: number | null;
  reduction: Reduction;
  chunkSize: number;
  xmitSize: number;
  drainBytes: number;
  pipeBuf: number;
  pipeSlots: number;
  maxStates: number;
  /** Milliseconds. */
  maxTimeMs: number;
}

/** Largest write size the panel offers, in bytes. */
export const MAX_PANEL_SIZE = 16;
/** Most writers the panel offers. */
export const MAX_PANEL_WRITERS = 3;
/** The line speed used for every panel configuration (it changes no verdict). */
export const PANEL_BAUD = 230400;

/** The options each setting offers (the form's `<select>`s are rendered from these). */
export const PANEL_OPTIONS = {
  preemptionBound: [null, 0, 1, 2, 3] as (number | null)[],
  reduction: ['sleep-sets', 'none'] as Reduction[],
  chunkSize: [2, 4, 8],
  xmitSize: [4, 8, 16],
  drainBytes: [1, 2, 4],
  pipeBuf: [2, 4, 8],
  pipeSlots: [1, 2, 3, 4],
  maxStates: [100_000, 500_000, 1_000_000],
  maxTimeMs: [5_000, 20_000, 60_000],
};

const blocking = (size: number): PanelWriter => ({ size, nonblock: false, signal: false });

/**
 * The panel's starting point: two blocking writers of 8 bytes on the current kernel, in a
 * scaled-down system (4-byte chunks, an 8-slot xmit ring holding 7, the UART sending 2
 * bytes a step): each write takes two chunks and does not fit the ring at once, so a writer
 * sleeps for room while it holds atomic_write_lock. 147 states; proved in a few ms.
 */
export const PANEL_DEFAULTS: PanelChoices = {
  variant: 'kernel',
  writers: [blocking(8), blocking(8)],
  property: 'atomic-write',
  preemptionBound: null,
  reduction: 'sleep-sets',
  chunkSize: 4,
  xmitSize: 8,
  drainBytes: 2,
  pipeBuf: 4,
  pipeSlots: 2,
  maxStates: 500_000,
  maxTimeMs: 20_000,
};

/** A ready-made case: a button in the panel. */
export interface PanelPreset {
  id: string;
  /** Button text. */
  label: string;
  /** What the learner should expect, one sentence (the button's description). */
  expect: string;
  choices: PanelChoices;
}

const d = PANEL_DEFAULTS;

/** The cases the lesson discusses, in its order. */
export const PANEL_PRESETS: PanelPreset[] = [
  { id: 'blocking', label: 'Blocking writers', expect: 'Proved: blocking writers never interleave.', choices: d },
  {
    id: 'nonblock',
    label: 'O_NONBLOCK',
    expect: 'Counterexample: B gets EAGAIN and must write again.',
    choices: { ...d, writers: [blocking(8), { size: 8, nonblock: true, signal: false }] },
  },
  {
    id: 'signal',
    label: 'A signal',
    expect: 'Counterexample: a signal cuts A’s write short.',
    choices: { ...d, writers: [{ size: 8, nonblock: false, signal: true }, blocking(8)] },
  },
  { id: 'no-lock', label: 'Lock skipped', expect: 'Counterexample: the bytes interleave.', choices: { ...d, variant: 'no-lock' } },
  {
    id: 'pipe-small',
    label: 'Pipe, at most PIPE_BUF',
    expect: 'Proved: pipe writes of at most PIPE_BUF bytes stay whole.',
    choices: { ...d, variant: 'pipe', writers: [blocking(4), blocking(3)] },
  },
  {
    id: 'pipe-large',
    label: 'Pipe, above PIPE_BUF',
    expect: 'Counterexample: a large pipe write is split by another.',
    choices: { ...d, variant: 'pipe', writers: [blocking(10), blocking(6)] },
  },
  {
    id: 'long',
    label: 'A long search',
    expect: 'Three writers of 16 bytes that may each be signalled: about 300,000 states, a few seconds. Try Cancel.',
    choices: { ...d, writers: [0, 1, 2].map(() => ({ size: 16, nonblock: false, signal: true })), property: 'no-interleaving' },
  },
];

/**
 * Checks panel choices; returns null when they are usable, else a message naming the field
 * (sizes must be whole numbers from 1 to 16, one to three writers).
 */
export function checkChoices(c: PanelChoices): string | null {
  if (c.writers.length < 1 || c.writers.length > MAX_PANEL_WRITERS) return `Choose one to ${MAX_PANEL_WRITERS} writers.`;
  for (let i = 0; i < c.writers.length; i++) {
    const s = c.writers[i].size;
    if (!Number.isInteger(s) || s < 1 || s > MAX_PANEL_SIZE) return `Writer ${letter(i)}’s size must be a whole number of bytes from 1 to ${MAX_PANEL_SIZE}.`;
  }
  return null;
}

/** The tty model parameters the choices stand for. */
export function paramsOf(c: PanelChoices): TtyParams {
  return {
    variant: c.variant,
    writers: c.writers.map((w) => ({ size: w.size, nonblock: w.nonblock, signal: w.signal })),
    chunkSize: c.chunkSize,
    xmitSize: c.xmitSize,
    pipeBuf: c.pipeBuf,
    pipeSlots: c.pipeSlots,
    baud: PANEL_BAUD,
    drainBytes: c.drainBytes,
  };
}

/**
 * The panel choices for `params` (a shared run), keeping `base`'s property and search
 * settings; null when the panel cannot show them (more than 3 writers, a size above 16, a
 * size or buffer the panel does not offer, another baud rate).
 */
export function choicesFromParams(params: TtyParams, base: PanelChoices): PanelChoices | null {
  const o = PANEL_OPTIONS;
  if (params.writers.length < 1 || params.writers.length > MAX_PANEL_WRITERS) return null;
  if (params.writers.some((w) => !Number.isInteger(w.size) || w.size < 1 || w.size > MAX_PANEL_SIZE)) return null;
  if (params.baud !== PANEL_BAUD) return null;
  if (!o.chunkSize.includes(params.chunkSize) || !o.xmitSize.includes(params.xmitSize) || !o.drainBytes.includes(params.drainBytes)) return null;
  if (!o.pipeBuf.includes(params.pipeBuf) || !o.pipeSlots.includes(params.pipeSlots)) return null;
  return {
    ...base,
    variant: params.variant,
    writers: params.writers.map((w) => ({ size: w.size, nonblock: w.nonblock, signal: w.signal })),
    chunkSize: params.chunkSize,
    xmitSize: params.xmitSize,
    drainBytes: params.drainBytes,
    pipeBuf: params.pipeBuf,
    pipeSlots: params.pipeSlots,
  };
}

/** The explorer options the choices stand for. */
export function optionsOf(c: PanelChoices): ExploreRequestOptions {
  return { preemptionBound: c.preemptionBound, reduction: c.reduction, maxStates: c.maxStates, maxTimeMs: c.maxTimeMs };
}

const letter = (i: number) => String.fromCharCode(65 + i);
const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/**
 * A count for people: `1,234,567`; from 10^15 on, where doubles stop being exact and
 * digits stop being readable, `about 1.6 × 10²⁰`.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return 'more than can be counted';
  if (n < 1e15) return Math.round(n).toLocaleString('en-US');
  const exp = Math.floor(Math.log10(n));
  const mant = n / 10 ** exp;
  return `about ${mant.toFixed(1)} × 10${[...String(exp)].map((c) => SUP[Number(c)]).join('')}`;
}

/** Milliseconds as `12 ms`, `0.35 s`, `4.2 s`. */
export function formatMs(ms: number): string {
  if (ms < 100) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One line of progress: `12,345 states · 23,456 transitions · depth 40 · 1.20 s`. */
export function progressText(p: ExploreProgress): string {
  const counts = `${formatCount(p.states)} states · ${formatCount(p.transitions)} transitions · depth ${p.depth} · ${formatMs(p.elapsedMs)}`;
  return p.phase === 'shortest' ? `Found a violation; now looking for the shortest schedule that shows it. ${counts}` : counts;
}

/** How much of its limits a search has used, 0 to 100 (the larger of states and time). */
export function limitPercent(p: ExploreProgress, o: ExploreRequestOptions): number {
  const f = Math.max(p.states / Math.max(1, o.maxStates), p.elapsedMs / Math.max(1, o.maxTimeMs));
  return Math.max(0, Math.min(100, Math.round(f * 100)));
}

/**
 * The step of a counterexample where the property first fails, 0 to `schedule.length`:
 * for "no interleaving", the first state whose output order splits a write; for "every
 * write() is whole", the step where a write(2) returned short or failed; for a deadlock
 * (`DEADLOCK`), the last state, where nothing can run. The schedule must
 * replay (it does: it came from the explorer for these params).
 */
export function violationStep(params: TtyParams, schedule: readonly TtyChoice[], invariant: string): number {
  // A deadlock is the state at the end of the schedule, where nothing can run.
  if (invariant === DEADLOCK) return schedule.length;
  const states = replay(ttyModel, params, 1, schedule);
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    if (invariant === noInterleaving.name) {
      if (!checkAtomicity(s).ok) return i;
    } else if (s.writers.some((ws, w) => ws.result !== null && ws.result !== params.writers[w].size)) {
      return i;
    }
  }
  return schedule.length;
}

/** A result as the panel shows it. */
export interface ResultView {
  status: 'proved' | 'counterexample' | 'incomplete' | 'error';
  heading: string;
  /** Plain sentences: what the answer means. */
  sentences: string[];
  /** Label / value rows for a definition list. */
  rows: [string, string][];
}

function boundText(bound: number | null): string {
  if (bound === null) return 'unbounded';
  return bound === 1 ? 'at most 1 preemption' : `at most ${bound} preemptions`;
}

function reductionText(r: Reduction, bound: number | null): string {
  if (r === 'sleep-sets') return 'sleep sets';
  return bound === null ? 'none (plain search)' : 'none (plain search: sleep sets are off under a preemption bound)';
}

const PROPERTY_WORDS: Record<TtyProperty, string> = {
  'atomic-write': 'each write() reached the far end whole and unbroken: no other writer’s bytes inside it, and every write() returned its full size',
  'no-interleaving': 'no writer’s bytes were ever split by another writer’s (a short write was allowed, as long as its bytes stayed together)',
};

/** The count rows (`rows`) and search-setting rows (`tail`) every answer shows. */
export function statsRows(st: ExploreStats): { rows: [string, string][]; tail: [string, string][] } {
  return {
    rows: [
      ['States', formatCount(st.states)],
      ['Transitions', formatCount(st.transitions)],
    ],
    tail: [
      ['Preemption bound', boundText(st.preemptionBound)],
      ['Reduction', reductionText(st.reduction, st.preemptionBound)],
      ['Time', formatMs(st.elapsedMs)],
    ],
  };
}

/** The answer of a search a limit stopped (any model). */
function incompleteView(result: Extract<ExploreResult<unknown>, { verdict: 'incomplete' }>, lastPhase: ExploreProgress['phase'] | null): ResultView {
  const st = result.stats;
  const { rows, tail } = statsRows(st);
  const why =
    result.reason === 'cancelled'
      ? 'You cancelled the search.'
      : result.reason === 'states'
        ? `The search reached its limit of ${formatCount(st.states)} states.`
        : `The search used up its time limit (${formatMs(st.elapsedMs)}).`;
  const sentences = [why];
  if (lastPhase === 'shortest') {
    sentences.push('It had already found a violation and was looking for the shortest schedule that shows it: run it again with a larger limit to see it.');
  } else {
    sentences.push(
      `It covered ${formatCount(st.states)} states and ${formatCount(st.transitions)} transitions${st.maxDepth ? `, down to schedules ${st.maxDepth} steps long,` : ''} and found no violation there. The states it did not reach could still hold one, so this is not a proof.`,
    );
  }
  sentences.push('A smaller configuration, a preemption bound or a larger limit can finish.');
  return { status: 'incomplete', heading: 'Not finished', sentences, rows: [...rows, ['Deepest schedule so far', `${st.maxDepth} steps`], ...tail] };
}

/**
 * The words and figures for an explorer answer on any model (the Lab draws a cell's result
 * with it): the panel's headings, counts and search settings, with sentences that name no
 * tty property. `modelId` is the model's `id` (`daq-ring`, `coherence`, …).
 */
export function describeAnyResult(result: ExploreResult<unknown>, modelId: string): ResultView {
  const st = result.stats;
  const { rows, tail } = statsRows(st);
  switch (result.verdict) {
    case 'proved': {
      const sentences = [
        `In every schedule of this configuration of the ${modelId} model${st.preemptionBound === null ? '' : ` with ${boundText(st.preemptionBound)}`}, every property the explorer checked held, and no schedule got stuck.`,
        `The explorer checked all ${formatCount(st.states)} distinct states it can reach, through ${formatCount(st.transitions)} transitions.`,
      ];
      if (st.reduction === 'sleep-sets') sentences.push('With sleep sets, schedules that differ only in the order of independent steps count once.');
      if (st.preemptionBound !== null) sentences.push('A bound makes the search smaller, not the proof stronger: a schedule with more preemptions was not checked.');
      sentences.push('This proves it for the model, not for every kernel or every size.');
      return { status: 'proved', heading: 'Proved: no schedule breaks it', sentences, rows: [...rows, ['Complete schedules covered', formatCount(st.schedules)], ['Longest schedule', `${st.maxDepth} steps`], ...tail] };
    }
    case 'counterexample': {
      const n = result.schedule.length;
      const deadlock = result.invariant === DEADLOCK;
      return {
        status: 'counterexample',
        heading: deadlock ? `Counterexample: a deadlock after ${n} steps` : `Counterexample: ${n} steps break it`,
        sentences: [result.message, 'The explorer searches for the shortest schedule that shows it. Step through it in the player to see how it gets there.'],
        rows: [['Property broken', deadlock ? 'no deadlock' : result.invariant], ['Schedule length', `${n} steps`], ...rows, ...tail],
      };
    }
    case 'incomplete':
      return incompleteView(result, null);
  }
}

/**
 * The words and figures for a search's answer. `params` and `property` are what was asked;
 * `lastPhase` is the phase of the last progress seen (an incomplete search that had entered
 * 'shortest' had already found a violation).
 */
export function describeResult(result: ExploreResult<TtyChoice>, params: TtyParams, property: TtyProperty, lastPhase: ExploreProgress['phase'] | null = null): ResultView {
  const st = result.stats;
  const where = params.variant === 'pipe' ? 'the pipe’s reader' : 'the far end';
  const { rows, tail } = statsRows(st);
  switch (result.verdict) {
    case 'proved': {
      const k = st.preemptionBound;
      const within = k === null ? '' : ` with ${boundText(k)} (a switch away from a writer that could have gone on)`;
      const sentences = [
        `In every schedule of this configuration${within}, ${PROPERTY_WORDS[property].replace('the far end', where)}.`,
        'No schedule gets stuck either: every one ends with every write() returned (a deadlock would have been a counterexample).',
        `The explorer checked all ${formatCount(st.states)} distinct states it can reach, through ${formatCount(st.transitions)} transitions.`,
      ];
      if (st.reduction === 'sleep-sets') sentences.push('With sleep sets, schedules that differ only in the order of independent steps count once.');
      if (st.preemptionBound !== null) sentences.push('A bound makes the search smaller, not the proof stronger: a schedule with more preemptions was not checked.');
      sentences.push('This proves it for the model, a scaled-down copy of Linux 6.12’s logic, not for every kernel or every size.');
      return {
        status: 'proved',
        heading: 'Proved: no schedule breaks it',
        sentences,
        rows: [...rows, ['Complete schedules covered', formatCount(st.schedules)], ['Longest schedule', `${st.maxDepth} steps`], ...tail],
      };
    }
    case 'counterexample': {
      if (result.invariant === DEADLOCK) {
        const n = result.schedule.length;
        return {
          status: 'counterexample',
          heading: `Counterexample: a deadlock after ${n} steps`,
          sentences: [
            result.message,
            `After step ${n} of this schedule nothing can run, yet a write() has not returned: the run is stuck, and a stuck run breaks every property, because the write it strands never completes.`,
            'The explorer searches for the shortest schedule that shows it. Open it in the player to step through it with narration.',
          ],
          rows: [['Property broken', 'no deadlock (every write() returns)'], ['Schedule length', `${n} steps`], ['Deadlock at step', String(n)], ...rows, ...tail],
        };
      }
      const interleaves = result.invariant === noInterleaving.name;
      const step = violationStep(params, result.schedule, result.invariant);
      const sentences = [
        result.message,
        interleaves
          ? `Step ${step} of this ${result.schedule.length}-step schedule is where another writer’s bytes land inside a single write().`
          : `Step ${step} of this ${result.schedule.length}-step schedule is where the write() comes back short. Its bytes are not interleaved yet, but the program must call write() again for the rest, and that new call is one another writer can get in front of.`,
        'The explorer searches for the shortest schedule that shows it. Open it in the player to step through it with narration.',
      ];
      return {
        status: 'counterexample',
        heading: `Counterexample: ${result.schedule.length} steps break it`,
        sentences,
        rows: [['Property broken', result.invariant], ['Schedule length', `${result.schedule.length} steps`], ['Violation at step', String(step)], ...rows, ...tail],
      };
    }
    case 'incomplete':
      return incompleteView(result, lastPhase);
  }
}
