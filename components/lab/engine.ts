/**
 * The notebook's dependency graph, kept by `@observablehq/runtime`: every cell is a variable
 * whose inputs are the names it uses that other cells define, and every defined name is a
 * variable that reads its cell. Redefining a cell (running it) makes the runtime recompute the
 * cells that depend on it, in order. The values themselves live in the Lab worker; the runtime
 * carries only tokens. A cell that fails rejects; its dependents are told which cell failed and
 * keep showing their last good values.
 */
import { Runtime } from '@observablehq/runtime';
import { analyzeCell } from './analyze.ts';
import type { CellOutcome, LabClient } from './client.ts';

/** What a cell shows, as the engine reports it. */
export type CellState =
  | { status: 'running' }
  | { status: 'ok'; outcome: Extract<CellOutcome, { ok: true }>; ms: number }
  | { status: 'error'; outcome: Extract<CellOutcome, { ok: false }> }
  | { status: 'stale'; reason: string };

/** What a failing cell's variable rejects with (read by shape: the runtime passes it on as is). */
interface CellFailure {
  labCellId: string;
  outcome: Extract<CellOutcome, { ok: false }>;
  message: string;
}

function isFailure(e: unknown): e is CellFailure {
  return !!e && typeof e === 'object' && typeof (e as CellFailure).labCellId === 'string';
}

interface Variable {
  define(name: string, inputs: string[], fn: (...a: unknown[]) => unknown): Variable;
  delete(): void;
}

interface Committed {
  source: string;
  defines: string[];
  uses: string[];
  key: string;
  variable: Variable;
  names: Map<string, Variable>;
}

const cellVar = (id: string) => `cell ${id}`;

/** Keeps the runtime's graph in step with the notebook (see the module comment). */
export class LabEngine {
  private readonly runtime = new Runtime(undefined, () => undefined);
  private readonly module = this.runtime.module();
  private readonly cells = new Map<string, Committed>();

  /**
   * @param client runs cells in the worker
   * @param onState called with every state change of a cell
   * @param label a cell's label for messages (e.g. "cell 2")
   */
  constructor(
    private readonly client: LabClient,
    private readonly onState: (id: string, s: CellState) => void,
    private readonly label: (id: string) => string,
  ) {}

  /**
   * Commits `run` (cell ids) with their current source from `all` (the notebook's cells in
   * order), drops cells no longer in `all`, and rewires cells whose inputs changed.
   * Cells not committed yet are committed too (when `run` is not empty). The runtime then runs
   * the committed cells and everything downstream of them.
   */
  commit(all: { id: string; source: string }[], run: Iterable<string>): void {
    const present = new Set(all.map((c) => c.id));
    for (const [id, c] of this.cells) {
      if (present.has(id)) continue;
      for (const v of c.names.values()) v.delete();
      c.variable.delete();
      this.cells.delete(id);
      this.client.forget(id);
    }
    const toRun = new Set(run);
    // A cell never run yet joins the graph with its current text whenever any cell runs, so the
    // names a cell reads are defined (opening a notebook and running one cell runs what it needs).
    if (toRun.size) for (const c of all) if (!this.cells.has(c.id)) toRun.add(c.id);
    const sources = new Map(all.map((c) => [c.id, c.source]));
    for (const id of toRun) {
      const source = sources.get(id);
      if (source === undefined) continue;
      const a = analyzeCell(source);
      let c = this.cells.get(id);
      if (!c) {
        c = { source, defines: [], uses: [], key: '', variable: this.module.variable(this.observer(id)) as Variable, names: new Map() };
        this.cells.set(id, c);
      }
      c.source = source;
      c.defines = a.defines;
      c.uses = a.uses;
      c.key = '';
      // names this cell defines
      for (const [n, v] of c.names) if (!a.defines.includes(n)) { v.delete(); c.names.delete(n); }
      for (const n of a.defines) if (!c.names.has(n)) c.names.set(n, (this.module.variable() as Variable).define(n, [cellVar(id)], (t: unknown) => t));
    }
    // The owner of each name (first cell in notebook order that defines it).
    const owner = new Map<string, string>();
    for (const { id } of all) for (const n of this.cells.get(id)?.defines ?? []) if (!owner.has(n)) owner.set(n, id);
    for (const { id } of all) {
      const c = this.cells.get(id);
      if (!c) continue;
      const inputs = c.uses.filter((n) => owner.has(n) && owner.get(n) !== id);
      const key = `${c.source}\u0000${inputs.map((n) => `${n}@${owner.get(n)}`).join(',')}`;
      if (key === c.key && !toRun.has(id)) continue;
      c.key = key;
      const wire = inputs.map((n) => ({ name: n, from: owner.get(n)! }));
      const source = c.source;
      c.variable.define(cellVar(id), inputs, async () => {
        this.onState(id, { status: 'running' });
        const t0 = performance.now();
        const out = await this.client.run(id, source, wire);
        if (!out.ok) throw { labCellId: id, outcome: out, message: out.error.message } satisfies CellFailure;
        return { outcome: out, ms: performance.now() - t0 };
      });
    }
  }

  private observer(id: string) {
    return {
      pending: () => this.onState(id, { status: 'running' }),
      fulfilled: (v: { outcome: Extract<CellOutcome, { ok: true }>; ms: number }) => this.onState(id, { status: 'ok', outcome: v.outcome, ms: v.ms }),
      rejected: (e: unknown) => {
        if (isFailure(e) && e.labCellId === id) this.onState(id, { status: 'error', outcome: e.outcome });
        else if (isFailure(e)) this.onState(id, { status: 'stale', reason: this.staleReason(e.labCellId) });
        // The runtime reports an input that failed as "<name> could not be resolved".
        else if (e instanceof Error && /^cell (\S+) could not be resolved/.test(e.message)) this.onState(id, { status: 'stale', reason: this.staleReason(/^cell (\S+)/.exec(e.message)![1]) });
        else this.onState(id, { status: 'stale', reason: `Not updated: ${e instanceof Error ? e.message : String(e)}.` });
      },
    };
  }

  private staleReason(failed: string): string {
    return `Not updated: ${this.label(failed)}, which this cell reads, has an error. The values below are the last good ones.`;
  }

  /** Stops the runtime (page leaving or tests). */
  dispose(): void {
    this.runtime.dispose();
  }
}
