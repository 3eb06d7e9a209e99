/**
 * Runs one Lab cell: the worker side of the notebook, also used headless in Node
 * (scripts/lab-run.ts). It reuses the exercise grader's pieces: sucrase compiles the cell
 * (compile.ts), and the cell runs in its own SES compartment (harden.ts) whose globals hold
 * only a console feeding a capped capture; `@sims/*` imports resolve to hardened copies of the
 * same modules exercises use (modules.ts). Call `lockGrader()` before the first run, in a
 * worker or child process only. The host enforces the deadline (terminates the thread).
 *
 * A cell's inputs (values other cells defined) arrive as arguments; the cell returns the
 * values of the names it declares at top level (analyze.ts). A cell with no declarations that
 * is a single expression shows that expression's value.
 */
import { compileTs, FUNCTION_HEADER_LINES } from '../grader/compile.ts';
import { hardenValue, makeCompartment } from '../grader/harden.ts';
import { ConsoleCapture, safeString } from '../grader/runner.ts';
import { analyzeCell, importedNames } from './analyze.ts';
import { describe, type Display } from './display.ts';

/** Where and why a cell failed; positions are 1-based and refer to the cell's own text. */
export interface CellError {
  message: string;
  line?: number;
  column?: number;
}

/** One value a cell produced, named (a declaration) or not (an expression cell). */
export interface CellOutput {
  name: string | null;
  display: Display;
}

/** The result of running one cell. `values` stays in the runner (it may hold functions). */
export type CellRun =
  | { ok: true; values: Record<string, unknown>; outputs: CellOutput[] }
  | { ok: false; error: CellError };

const IDENT = /^[A-Za-z_$][\w$]*$/;

function frozenNamespace(ns: unknown): unknown {
  const copy: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(ns as object)) copy[k] = (ns as Record<string, unknown>)[k];
  return hardenValue(copy);
}

/** The 1-based line and column of the first stack frame in `file`, if any. */
function locate(e: unknown, file: string): { line: number; column: number } | undefined {
  let stack: unknown;
  try {
    stack = (e as { stack?: unknown }).stack;
  } catch {
    return undefined;
  }
  if (typeof stack !== 'string') return undefined;
  for (const line of stack.split('\n')) {
    const i = line.indexOf(`${file}:`);
    if (i < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(i + file.length));
    if (m) return { line: Math.max(1, Number(m[1]) - FUNCTION_HEADER_LINES), column: Number(m[2]) };
  }
  return undefined;
}

function errorOf(e: unknown, file: string): CellError {
  let message: string;
  try {
    message = e instanceof Error ? `${safeString(e.name)}: ${safeString(e.message)}` : `A value that is not an Error was thrown: ${safeString(e)}`;
  } catch {
    message = 'The cell threw a value that cannot be read.';
  }
  const out: CellError = { message: message.slice(0, 2000) };
  const at = locate(e, file);
  if (at) Object.assign(out, at);
  return out;
}

/**
 * Compiles and runs `source` with `inputs` (name -> value) in a fresh compartment.
 * `modules` maps allowed import names to loaders. Never rejects.
 */
export async function runCell(
  source: string,
  inputs: Record<string, unknown>,
  modules: Record<string, () => Promise<unknown>>,
  capture: ConsoleCapture,
  file = 'cell.ts',
): Promise<CellRun> {
  try {
    const { defines } = analyzeCell(source);
    const own = new Set([...defines, ...importedNames(source)]);
    const inputNames = Object.keys(inputs).filter((n) => IDENT.test(n) && !own.has(n));
    // An expression cell: no declarations, and the text parses as one expression.
    let expression = false;
    let compiled = defines.length === 0 && !/^\s*import\b/m.test(source) && source.trim() ? compileTs(`const __labValue = (${source}\n);`, file) : null;
    if (compiled?.ok) expression = true;
    else compiled = compileTs(source, file);
    if (!compiled.ok) return { ok: false, error: { message: `SyntaxError: ${compiled.message}`, line: compiled.line, column: compiled.column } };
    const loaded = new Map<string, unknown>();
    for (const m of compiled.code.matchAll(/\brequire\(['"]([^'"]+)['"]\)/g)) {
      const name = m[1];
      if (loaded.has(name) || !Object.prototype.hasOwnProperty.call(modules, name)) continue;
      loaded.set(name, frozenNamespace(await modules[name]()));
    }
    const allowed = Object.keys(modules).map((n) => `"${n}"`).join(', ');
    const require = hardenValue((name: string) => {
      name = safeString(name);
      if (loaded.has(name)) return loaded.get(name);
      throw new Error(`Cannot import "${name}": a cell may import only ${allowed}.`);
    });
    const names = expression ? ['__labValue'] : defines;
    const header = inputNames.length ? `const { ${inputNames.join(', ')} } = __labIn;` : '';
    const trailer = names.map((n) => `try { __labOut[${JSON.stringify(n)}] = ${n}; } catch { }`).join(' ');
    const text = `(async function (require, module, exports, __labIn, __labOut) { ${header}\n${compiled.code}\n;${trailer}\n})\n//# sourceURL=${file}\n`;
    const compartment = makeCompartment(file, { console: hardenValue({ ...capture.console }) });
    const fn = compartment.evaluate(text) as (...a: unknown[]) => Promise<unknown>;
    const out: Record<string, unknown> = {};
    const module = { exports: {} };
    try {
      await fn(require, module, module.exports, inputs, out);
    } catch (e) {
      return { ok: false, error: errorOf(e, file) };
    }
    const outputs: CellOutput[] = names.map((n) => ({ name: expression ? null : n, display: describe(out[n]) }));
    const values = expression ? {} : out;
    return { ok: true, values, outputs };
  } catch (e) {
    return { ok: false, error: errorOf(e, file) };
  }
}
