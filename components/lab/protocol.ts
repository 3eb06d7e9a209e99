/**
 * Messages between the Lab page and its worker (lab.worker.ts).
 * Page -> worker: `LabRun` (run a cell with the values of named inputs held in the worker) and
 * `LabForget` (drop a deleted cell's values). Worker -> page: `ready` once, then for each run
 * its console lines and one `LabDone`. The page turns a missed deadline into an error itself.
 */
import type { ConsoleEntry } from '../grader/runner.ts';
import type { CellError, CellOutput } from './cell-runner.ts';

/** Run `source` as cell `cellId`; each input name is read from the values cell `from` holds. */
export interface LabRun {
  type: 'run';
  id: number;
  cellId: string;
  source: string;
  inputs: { name: string; from: string }[];
}

export interface LabForget {
  type: 'forget';
  cellId: string;
}

export type ToLab = LabRun | LabForget;

/** A run finished: `outputs` on success (the worker keeps the values), else `error`
 *  (the worker keeps the cell's last good values). */
export type LabDone =
  | { type: 'done'; id: number; ok: true; outputs: CellOutput[]; console: ConsoleEntry[] }
  | { type: 'done'; id: number; ok: false; error: CellError; console: ConsoleEntry[] };

export type FromLab = { type: 'ready' } | LabDone;
