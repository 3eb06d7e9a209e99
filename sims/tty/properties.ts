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
      if (ws.result === null || ws.result === size) continue;
      if (ws.result < 0) return `${letter(w)}'s write() failed with -${ws.errno ?? ws.result}: none of its ${size} bytes went out, so it must try again, and another writer can get in first.`;
      return `${letter(w)}'s write() returned ${ws.result} of ${size} bytes: the caller must write the other ${size - ws.result} in a second call, and another writer can get in first.`;
    }
    return null;
  },
};

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
 * and `wholeWrites` when the run is over; `no-interleaving` checks only the former.
 */
export function ttyExploreSpec(params: TtyParams, property: TtyProperty = 'atomic-write'): ExploreSpec<TtyParams, TtyState, TtyChoice> {
  return {
    model: ttyModel,
    params,
    seed: 1,
    invariant: noInterleaving,
    final: property === 'atomic-write' ? wholeWrites : undefined,
    key: canonicalKey,
    actor: ttyActor,
    choiceKey: (c) => (c.kind === 'run' || c.kind === 'signal' ? `${c.kind}${c.writer}` : c.kind),
  };
}
