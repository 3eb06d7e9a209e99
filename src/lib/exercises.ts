/**
 * Build-time access to exercise files (`content/exercises/<id>/`): starter, solution and
 * test sources as text. Fails the build with a message naming the folder and the missing
 * file when an exercise is incomplete.
 */
const starters = import.meta.glob('/content/exercises/*/starter.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const solutions = import.meta.glob('/content/exercises/*/solution.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const tests = import.meta.glob('/content/exercises/*/*.test.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export interface ExerciseFiles {
  id: string;
  starter: string;
  solution: string;
  testSource: string;
  /** File name of the test, `<id>.test.ts`. */
  testFile: string;
}

/** Returns the source files of exercise `id`. Throws (failing the build) when one is missing. */
export function exerciseFiles(id: string): ExerciseFiles {
  const dir = `/content/exercises/${id}`;
  const testFile = `${id}.test.ts`;
  const starter = starters[`${dir}/starter.ts`];
  const solution = solutions[`${dir}/solution.ts`];
  const testSource = tests[`${dir}/${testFile}`];
  const missing = [starter === undefined && 'starter.ts', solution === undefined && 'solution.ts', testSource === undefined && testFile].filter(Boolean);
  if (missing.length) throw new Error(`content/exercises/${id}: missing ${missing.join(', ')}`);
  return { id, starter, solution, testSource, testFile };
}
