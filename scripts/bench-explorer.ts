/**
 * Explorer throughput on fixed models (Node): states per second, plus the state counts and
 * times of the tty configurations the lesson's Prove-it panel uses. Part of `npm run bench`.
 */
import { explore, type ExploreOptions, type ExploreSpec } from '../sims/explore/explore.ts';
import { counterProgram, finalEquals, programIndependent, programKey, programModel, type ProgramParams } from '../sims/explore/models/program.ts';
import { ttyExploreSpec } from '../sims/tty/properties.ts';
import type { TtyParams } from '../sims/tty/types.ts';

const BUDGET = 300_000;

function programSpec(p: ProgramParams, extra: Partial<ExploreSpec<ProgramParams, never, never>> = {}) {
  return { model: programModel(p), params: p, seed: 1, key: programKey, actor: (c: { thread: number }) => String(c.thread), choiceKey: (c: { thread: number }) => String(c.thread), ...extra } as ExploreSpec<ProgramParams, any, any>;
}

const tty = (variant: TtyParams['variant'], writers: [number, boolean?, boolean?][], drainBytes = 1): TtyParams => ({
  variant,
  writers: writers.map(([size, nonblock = false, signal = false]) => ({ size, nonblock, signal })),
  chunkSize: 4,
  xmitSize: 8,
  pipeBuf: 4,
  pipeSlots: 2,
  baud: 230400,
  drainBytes,
});

/** Runs `spec` `runs` times after one warm-up; returns the median run. */
function measure(spec: ExploreSpec<any, any, any>, options: ExploreOptions, runs = 3) {
  explore(spec, options);
  const results = Array.from({ length: runs }, () => explore(spec, options));
  results.sort((a, b) => a.stats.elapsedMs - b.stats.elapsedMs);
  return results[Math.floor(runs / 2)];
}

export function benchExplorer(): void {
  console.log('\nexplorer throughput (Node, median of 3 after a warm-up):');
  const fixed: [string, ExploreSpec<any, any, any>, ExploreOptions][] = [
    ['counter, 6 threads, no lock (plain)', programSpec(counterProgram(6, false)), { reduction: 'none' }],
    ['counter, 6 threads, no lock (sleep sets, static independence)', programSpec(counterProgram(6, false), { independent: programIndependent(counterProgram(6, false)) } as never), { reduction: 'sleep-sets' }],
    ['counter, 6 threads, no lock (sleep sets, dynamic independence)', programSpec(counterProgram(6, false)), { reduction: 'sleep-sets' }],
    ['counter, 5 threads, lock (plain)', programSpec(counterProgram(5, true), { final: finalEquals('c', 5) } as never), { reduction: 'none' }],
    ['tty kernel, 4 writers x 12 bytes (plain)', ttyExploreSpec(tty('kernel', [[12], [12], [12], [12]])), { reduction: 'none' }],
    ['tty kernel, 4 writers x 12 bytes (sleep sets)', ttyExploreSpec(tty('kernel', [[12], [12], [12], [12]])), { reduction: 'sleep-sets' }],
  ];
  for (const [name, spec, options] of fixed) {
    const r = measure(spec, options);
    const sps = Math.round(r.stats.states / Math.max(r.stats.elapsedMs, 1) * 1000);
    console.log(`  ${name.padEnd(62)} ${r.verdict.padEnd(14)} ${String(r.stats.states).padStart(8)} states ${String(r.stats.transitions).padStart(8)} transitions ${String(r.stats.elapsedMs).padStart(6)} ms  ${sps.toLocaleString('en').padStart(9)} states/s (${sps >= BUDGET ? 'ok' : 'below 300,000'})`);
  }
  console.log('\ntty configurations (Prove-it panel scale: chunk 4, xmit 8, pipe 2 x 4 bytes):');
  const cases: [string, TtyParams][] = [
    ['kernel, 2 blocking writers x 6', tty('kernel', [[6], [6]])],
    ['kernel, 3 blocking writers x 8', tty('kernel', [[8], [8], [8]])],
    ['kernel, 3 blocking writers x 16', tty('kernel', [[16], [16], [16]])],
    ['kernel, A blocking, B O_NONBLOCK', tty('kernel', [[6], [6, true]])],
    ['kernel, A may get a signal', tty('kernel', [[10, false, true], [6]])],
    ['lock skipped, 2 writers x 6', tty('no-lock', [[6], [6]])],
    ['pipe, 2 writers x 4 (= PIPE_BUF)', tty('pipe', [[4], [4]])],
    ['pipe, writers of 10 and 6 (> PIPE_BUF)', tty('pipe', [[10], [6]])],
  ];
  for (const [name, params] of cases) {
    for (const reduction of ['none', 'sleep-sets'] as const) {
      const r = measure(ttyExploreSpec(params), { reduction }, 1);
      const extra = r.verdict === 'counterexample' ? `, counterexample of ${r.schedule.length} steps` : r.verdict === 'proved' ? `, ${r.stats.schedules.toLocaleString('en')} schedules` : '';
      console.log(`  ${name.padEnd(40)} ${reduction.padEnd(10)} ${r.verdict.padEnd(14)} ${String(r.stats.states).padStart(7)} states ${String(r.stats.transitions).padStart(7)} transitions ${String(r.stats.elapsedMs).padStart(5)} ms${extra}`);
    }
  }
}
