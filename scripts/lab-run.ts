/**
 * Runs Lab notebooks headless, in order, through the Lab's cell runner (the same compile +
 * SES compartments as the browser worker), and prints one JSON line per notebook:
 *   { file, ok, cells: [{ ok, names?, kinds?, noPlayer?, error? }] }  (kinds: how each value displays;
 *   noPlayer: why a run, or an answer's counterexample, shows no lesson player)
 * Exits 1 when any cell fails. Used by tests/unit/lab-notebooks.test.ts (CI):
 *   node scripts/lab-run.ts content/notebooks/*.md
 * Each cell gets the values of the names it uses that earlier cells defined.
 */
import { readFileSync } from 'node:fs';
import { lockGrader } from '../components/grader/harden.ts';
import { EXERCISE_MODULES } from '../components/grader/modules.ts';
import { ConsoleCapture } from '../components/grader/runner.ts';
import { analyzeCell } from '../components/lab/analyze.ts';
import { runCell } from '../components/lab/cell-runner.ts';
import { fromMarkdown } from '../components/lab/notebook.ts';

lockGrader();
let failed = false;
for (const file of process.argv.slice(2)) {
  const parsed = fromMarkdown(readFileSync(file, 'utf8'));
  if (!parsed.ok) {
    console.log(JSON.stringify({ file, ok: false, error: parsed.error }));
    failed = true;
    continue;
  }
  const values = new Map<string, unknown>();
  const cells: { ok: boolean; names?: string[]; kinds?: string[]; noPlayer?: string[]; error?: unknown }[] = [];
  for (const [i, cell] of parsed.notebook.cells.entries()) {
    const inputs: Record<string, unknown> = {};
    for (const n of analyzeCell(cell.source).uses) if (values.has(n)) inputs[n] = values.get(n);
    const r = await runCell(cell.source, inputs, EXERCISE_MODULES, new ConsoleCapture(), `cell-${i + 1}.ts`);
    if (r.ok) {
      for (const [k, v] of Object.entries(r.values)) values.set(k, v);
      const bad = r.outputs.find((o) => o.display.kind === 'value' && o.display.tree.t === 'prim' && o.display.tree.type === 'error');
      cells.push(bad ? { ok: false, error: `${bad.name}: ${(bad.display as { tree: { text: string } }).tree.text}` } : { ok: true, names: r.outputs.map((o) => o.name ?? '(value)'), kinds: r.outputs.map((o) => o.display.kind), noPlayer: r.outputs.flatMap((o) => { const d = o.display.kind === 'answer' ? o.display.run : o.display.kind === 'run' ? o.display : undefined; return d && !d.player ? [d.noPlayer ?? 'no player'] : []; }) });
    } else cells.push({ ok: false, error: r.error });
  }
  const ok = cells.every((c) => c.ok);
  failed ||= !ok;
  console.log(JSON.stringify({ file, ok, cells }));
}
process.exit(failed ? 1 : 0);
