/**
 * What the explorer checks on the tty model: the properties a learner asks about, the actor
 * of each choice (for preemption counting), and a ready-made `ExploreSpec`.
 */
import type { ExploreSpec, Invariant } from '../explore/explore.ts';
import { canonicalKey, checkAtomicity } from './analysis.ts';
import { ttyModel } from './model.ts';
import type { TtyChoice, TtyParams, TtyState } from './types.ts';

const letter = (w: number) => String.fromCharCode(65 + w);

/** No writer's accepted bytes are split by another writer's, in what reached or is queued for the wire. */
export const noInterleaving: Invariant<TtyState> = {
  name: 'no interleaving',
  check: (s) => {
    const r = checkAtomicity(s);
    return r.ok ? null : r.reason;
  },
};

/** Every write(2) returned its full size: nothing was left for a second call that another writer could precede. */
export const wholeWrites: Invariant<TtyState> = {
  name: 'every write() is whole',
  check: (s) => {
    for (let w = 0; w < s.writers.length; w++) {
      const ws = s.writers[w];
      const size = s.params.writers[w].size;
      // A write that never returned is not whole: `ttyStuck` names it as a deadlock first
      // when the explorer checks it; this keeps the property false on its own too.
      if (ws.result === null) return `${letter(w)}'s write() never returned: the run stopped with it still inside the kernel.`;
      if (ws.result === size) continue;
      if (ws.result < 0) return `${letter(w)}'s write() failed with -${ws.errno ?? ws.result}: none of its ${size} bytes went out, so it must try again, and another writer can get in first.`;
      return `${letter(w)}'s write() returned ${ws.result} of ${size} bytes: the caller must write the other ${size - ws.result} in a second call, and another writer can get in first.`;
    }
    return null;
  },
};

/**
 * Where a tty run with no choice left ended: null when it is a proper end (every writer's
 * write(2) has returned), else a deadlock, naming each writer still inside write(2) and
 * what it waits for, e.g. "Deadlock: nothing can run, but writer A has not returned: it
 * sleeps in pipe_write waiting for a free pipe buffer while holding pipe->mutex." For a
 * state where some choice is still enabled the answer means nothing (the explorer calls it
 * only at states with no choice). Models `drivers/tty/tty_io.c` / `fs/pipe.c` (6.12) only
 * through the phase names of `WriterPhase`.
 */
export function ttyStuck(s: TtyState): string | null {
  const waiting = stuckWriters(s);
  if (waiting.length === 0) return null;
  const who = waiting.map((w) => letter(w.writer));
  const names = who.length === 1 ? `writer ${who[0]} has` : `writers ${who.slice(0, -1).join(', ')} and ${who[who.length - 1]} have`;
  return `Deadlock: nothing can run, but ${names} not returned from write(): ${waiting.map((w) => `${waiting.length > 1 ? `${letter(w.writer)} ` : 'it '}${w.why}`).join('; ')}.`;
}

/**
 * The writers still inside write(2) in `s`, each with what it waits for in words
 * ("sleeps in pipe_write waiting for a free pipe buffer while holding pipe->mutex").
 * Empty when every writer has returned. Shapes: `writer` is the writer's index.
 */
export function stuckWriters(s: TtyState): { writer: number; why: string }[] {
  const pipe = s.params.variant === 'pipe';
  const lock = pipe ? 'pipe->mutex' : 'atomic_write_lock';
  const out: { writer: number; why: string }[] = [];
  s.writers.forEach((ws, w) => {
    const holds = s.lockOwner === w ? ` while holding ${lock}` : '';
    let why: string;
    switch (ws.phase) {
      case 'done':
        return;
      case 'ready':
        why = 'has not called write() yet';
        break;
      case 'lock-wait':
        why = `sleeps waiting for ${lock}${s.lockOwner !== null ? `, which writer ${letter(s.lockOwner)} holds` : ''}`;
        break;
      case 'copying':
        why = `is copying${holds}`;
        break;
      case 'room-wait':
        why = pipe ? `sleeps in pipe_write waiting for a free pipe buffer${holds}` : `sleeps in n_tty_write waiting for room in the xmit ring${holds}`;
        break;
    }
    out.push({ writer: w, why });
  });
  return out;
}

/**
 * What a player says when no choice is left at `s`, as one plain sentence that is true of
 * the state: every writer returned and the line (or pipe) is drained, or, when some writer
 * never returned, that the run is stuck (`ttyStuck`'s words, naming each blocked writer).
 */
export function endOfRunText(s: TtyState): string {
  const stuck = ttyStuck(s);
  if (stuck) return stuck;
  return s.params.variant === 'pipe'
    ? 'Nothing can run: every writer has returned and the reader has read every byte.'
    : 'Nothing can run: every writer has returned and the line is idle.';
}

/** The property names the Prove-it panel offers. */
export type TtyProperty = 'atomic-write' | 'no-interleaving';

/** Who acts for a choice: `A`…`D` for writers, `signal` for signal delivery, `uart`, `reader`. */
export function ttyActor(c: TtyChoice): string {
  switch (c.kind) {
    case 'run':
      return letter(c.writer);
    case 'signal':
      return 'signal';
    case 'uart':
      return 'uart';
    case 'reader':
      return 'reader';
  }
}

/**
 * The explorer spec for a tty configuration. `atomic-write` (the original question's question: does
 * each write(2) reach the wire whole and unbroken?) checks `noInterleaving` at every state
 * and `wholeWrites` when the run is over; `no-interleaving` checks only the former. Both
 * treat a run that stops with a writer still inside write(2) as a deadlock (`ttyStuck`).
 */
export function ttyExploreSpec(params: TtyParams, property: TtyProperty = 'atomic-write'): ExploreSpec<TtyParams, TtyState, TtyChoice> {
  return {
    model: ttyModel,
    params,
    seed: 1,
    invariant: noInterleaving,
    final: property === 'atomic-write' ? wholeWrites : undefined,
    stuck: ttyStuck,
    key: canonicalKey,
    actor: ttyActor,
    choiceKey: (c) => (c.kind === 'run' || c.kind === 'signal' ? `${c.kind}${c.writer}` : c.kind),
  };
}
