/**
 * Compiles TypeScript to a CommonJS function body with sucrase (type-stripping only; type
 * errors are the editor's job). Sucrase keeps line numbers, so positions in runtime errors
 * match the learner's source.
 */
import { transform } from 'sucrase';

export type CompileResult =
  | { ok: true; code: string }
  | { ok: false; message: string; line: number; column: number };

/**
 * Compiles `source` (TypeScript, ES modules) into CommonJS code for `evaluateModule`.
 * Never throws: a syntax error comes back with its 1-based line and column.
 */
export function compileTs(source: string, file: string): CompileResult {
  try {
    const { code } = transform(source, {
      transforms: ['typescript', 'imports'],
      filePath: file,
      production: true,
      disableESTransforms: true,
    });
    return { ok: true, code };
  } catch (e) {
    const err = e as { message?: unknown; loc?: { line?: number; column?: number } };
    const raw = typeof err.message === 'string' ? err.message : String(e);
    const message = raw.replace(/^Error transforming [^:]*: /, '').replace(/\s*\(\d+:\d+\)$/, '');
    return { ok: false, message, line: err.loc?.line ?? 1, column: err.loc?.column ?? 1 };
  }
}

/** Lines the module wrapper adds before the body (`(async function (require, module, exports) {`). */
export const FUNCTION_HEADER_LINES = 1;

/** Something that evaluates source text in its own global scope (an SES Compartment). */
export interface Evaluator {
  evaluate(source: string): unknown;
}

/**
 * Evaluates compiled CommonJS `code` as a module inside `compartment` and resolves to
 * `{ exports: module.exports }`. `require` resolves the module's imports; top-level await works (the body
 * is an async function). The code sees only the compartment's globals. Rejects with whatever
 * the module threw while loading, or with the compartment's SyntaxError for source it refuses
 * (SES rejects `import(...)` and HTML comments anywhere in the text).
 */
export async function evaluateModule(code: string, file: string, require: (name: string) => unknown, compartment: Evaluator): Promise<{ exports: unknown }> {
  const module = { exports: {} as Record<string, unknown> };
  const fn = compartment.evaluate(`(async function (require, module, exports) {\n${code}\n})\n//# sourceURL=${file}\n`) as (r: unknown, m: unknown, e: unknown) => Promise<unknown>;
  await fn(require, module, module.exports);
  // Boxed: a thenable `module.exports` must not be adopted by the caller's `await`.
  return { exports: module.exports };
}
