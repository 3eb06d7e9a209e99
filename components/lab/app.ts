/**
 * The part of the Lab loaded on first use: the reactive runtime, the worker client and the
 * output renderer.
 */
import { LabClient } from './client.ts';
import { LabEngine, type CellState } from './engine.ts';
export { renderOutputs } from './render.ts';

/** A new engine with its own worker (started now, so the first run does not wait for it). */
export function createEngine(onState: (id: string, s: CellState) => void, label: (id: string) => string): LabEngine {
  const client = new LabClient();
  client.warm();
  return new LabEngine(client, onState, label);
}
