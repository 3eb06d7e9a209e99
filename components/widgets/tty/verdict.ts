/**
 * The verdict line's status, from the model's atomicity check: no DOM, shared by the server
 * render and the custom element.
 */
import { checkAtomicity, outputOrder, type TtyState } from '../../../sims/tty/index.ts';
import { letter } from './format.ts';
import type { Verdict } from './html.ts';

/**
 * `interleaved` as soon as the output order (received, then still queued) shows another
 * writer's bytes inside a write: "Interleaved: B's bytes land inside A's write at byte 7",
 * where 7 is how many of A's bytes came before the intruder. `atomic` once the run is over
 * and every writer returned without that happening; `running` otherwise.
 */
export function verdictOf(state: TtyState, finished: boolean): Verdict {
  const check = checkAtomicity(state);
  if (!check.ok) {
    const order = outputOrder(state);
    const intruder = order[check.offset];
    let before = 0;
    for (let i = 0; i < check.offset; i++) if (order[i].writer === check.writer) before++;
    return {
      status: 'interleaved',
      message: `Interleaved: ${letter(intruder.writer)}'s bytes land inside ${letter(check.writer)}'s write at byte ${before}`,
    };
  }
  if (finished && state.writers.every((w) => w.phase === 'done')) {
    return { status: 'atomic', message: 'Not interleaved: each write’s bytes arrive in one piece' };
  }
  return { status: 'running', message: 'No interleaving so far' };
}
