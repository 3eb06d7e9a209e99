/**
 * The Lab's worker: holds every cell's last good values and runs cells on request, hardened
 * exactly like the exercise grader (SES lockdown, one compartment per run, no network: served
 * with the worker CSP `connect-src 'none'`, see scripts/headers.mjs). The page terminates it
 * when a cell misses its deadline and replays the cells it needs into a fresh one (client.ts).
 */
import { ConsoleCapture } from '../grader/runner.ts';
import { lockGrader } from '../grader/harden.ts';
import { EXERCISE_MODULES } from '../grader/modules.ts';
import { runCell } from './cell-runner.ts';
import type { FromLab, LabDone, ToLab } from './protocol.ts';

const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((ev: MessageEvent<ToLab>) => void) | null };
const post = scope.postMessage.bind(scope) as (m: FromLab) => void;
lockGrader();
const preloaded: Record<string, Promise<unknown>> = {};
for (const [name, load] of Object.entries(EXERCISE_MODULES)) {
  preloaded[name] = load();
  preloaded[name].catch(() => {});
}
const modules = Object.fromEntries(Object.keys(EXERCISE_MODULES).map((n) => [n, () => preloaded[n]]));
const values = new Map<string, Record<string, unknown>>();
let chain: Promise<unknown> = Promise.allSettled(Object.values(preloaded)).then(() => post({ type: 'ready' }));

scope.onmessage = (ev: MessageEvent<ToLab>) => {
  const msg = ev.data;
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'forget') {
    values.delete(msg.cellId);
    return;
  }
  if (msg.type !== 'run') return;
  chain = chain.then(async () => {
    const inputs: Record<string, unknown> = {};
    for (const { name, from } of msg.inputs) inputs[name] = values.get(from)?.[name];
    const capture = new ConsoleCapture();
    const r = await runCell(msg.source, inputs, modules, capture, `cell-${msg.cellId}.ts`);
    let done: LabDone;
    if (r.ok) {
      values.set(msg.cellId, r.values);
      done = { type: 'done', id: msg.id, ok: true, outputs: r.outputs, console: capture.entries };
    } else done = { type: 'done', id: msg.id, ok: false, error: r.error, console: capture.entries };
    try {
      post(done);
    } catch {
      post(JSON.parse(JSON.stringify(done)) as LabDone);
    }
  });
};
