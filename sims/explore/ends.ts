/**
 * Proper ends of every model: for each simulation, a function that looks at a state where no
 * choice is enabled and says whether the run is over as it should be (every actor finished
 * its script) or stuck (someone is still waiting for something that will never come: a
 * deadlock). The explorer takes one as `ExploreSpec.stuck`; `ends.test.ts` explores every
 * preset of every model with it, so a model change that leaves an actor waiting forever
 * fails a test instead of passing a property that only looks at finished actors.
 *
 * Each function answers null for a proper end, else one sentence naming who is still
 * waiting. Its answer means nothing at a state where some choice is still enabled.
 */
import type { CoherenceState } from '../dma/coherence-types.ts';
import type { DmaState } from '../dma/types.ts';
import type { MmState } from '../mm/types.ts';
import { ttyStuck } from '../tty/properties.ts';
import type { UioState } from '../uio/types.ts';

export { ttyStuck };

const list = (xs: string[]) => (xs.length === 1 ? xs[0] : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** Words for a non-empty list of unfinished actors, as a stuck-state message. */
function stuckText(who: string[]): string | null {
  return who.length === 0 ? null : `Stuck: nothing can happen, but ${list(who)}.`;
}

/**
 * The memory model (`sims/mm`): every process has exited, been killed, or run its whole
 * program with no op asleep in `mmap_write_lock`, and the driver has made all its calls.
 * (A sandbox process has no script: only one asleep in a lock counts as unfinished.)
 */
export function mmStuck(s: MmState): string | null {
  const who: string[] = [];
  for (const p of s.procs) {
    if (p.status !== 'running') continue;
    if (p.waiting) who.push(`process ${p.pid} sleeps in ${p.waiting.lock} for its ${p.waiting.op.kind}`);
    else if (!s.params.sandbox && p.pc < (s.params.programs[p.pid]?.length ?? 0)) who.push(`process ${p.pid} has op ${p.pc} of its program left`);
  }
  const op = s.params.driver[s.driver.pc];
  if (op) who.push(`the driver has not made its ${op.kind} call (call ${s.driver.pc})`);
  return stuckText(who);
}

/** The scatter-gather / IOMMU model (`sims/dma/model.ts`): the driver's ioctl has returned. */
export function dmaStuck(s: DmaState): string | null {
  return s.driver.phase === 'done' ? null : `Stuck: nothing can happen, but the driver is at '${s.driver.phase}' and its ioctl has not returned.`;
}

/** The caches-and-ownership model (`sims/dma/coherence.ts`): the CPU's routine is done and no transfer is in flight. */
export function coherenceStuck(s: CoherenceState): string | null {
  const who: string[] = [];
  if (s.cpu.phase !== 'done') who.push(`the CPU's routine is at operation ${s.cpu.pc} and not done`);
  if (s.device.op) who.push(`the device has a transfer in flight (${s.device.op.done} of ${s.device.op.len} bytes)`);
  return stuckText(who);
}

/**
 * The UIO model (`sims/uio`): process A has run its whole program (or been killed) and is not
 * asleep in read(), and process B has run its whole program. A read() that nothing will
 * wake is a stuck end: only a preset about exactly that may end there.
 */
export function uioStuck(s: UioState): string | null {
  const who: string[] = [];
  const [a, b] = s.procs;
  if (a.status === 'running') {
    if (a.blocked) who.push(`process A sleeps in read() on fd ${a.blocked.fd} and nothing will wake it`);
    else if (a.pc < s.params.programA.length) who.push(`process A has op ${a.pc} of its program left`);
  }
  if (b.pc < s.params.programB.length) who.push(`process B has op ${b.pc} of its program left`);
  return stuckText(who);
}
