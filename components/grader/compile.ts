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

/** Lines the Function constructor adds before the body (`(async function anonymous(a,b\n) {\n`). */
export const FUNCTION_HEADER_LINES = 2;

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<unknown>;

/**
 * Evaluates compiled CommonJS `code` as a module and resolves to its exports.
 * `require` resolves the module's imports; top-level await works (the body is async).
 * Rejects with whatever the module threw while loading.
 */
export async function evaluateModule(code: string, file: string, require: (name: string) => unknown): Promise<Record<string, unknown>> {
  const module = { exports: {} as Record<string, unknown> };
  const fn = new AsyncFunction('require', 'module', 'exports', `${code}\n//# sourceURL=${file}`);
  await fn(require, module, module.exports);
  return module.exports;
}
