import { defineConfig } from 'vitest/config';
import path from 'node:path';

/**
 * Exercise test files import the learner's code from the module name `@submission`.
 * Under Vitest it resolves to the `solution.ts` beside the test file (the reference
 * solution), or to `$SUBMISSION` when that environment variable names a file.
 * The browser grader and `npm run grade` map the same name to the learner's code.
 */
function submissionModule() {
  return {
    name: 'data-path-lab:submission',
    enforce: 'pre' as const,
    resolveId(source: string, importer: string | undefined) {
      if (source !== '@submission' || !importer) return null;
      if (process.env.SUBMISSION) return path.resolve(process.env.SUBMISSION);
      return path.join(path.dirname(importer), 'solution.ts');
    },
  };
}

export default defineConfig({
  plugins: [submissionModule()],
  // Exercises may drive a simulator: `import { ... } from '@sims/mm'` (see components/grader/modules.ts).
  resolve: { alias: [{ find: /^@sims\/([a-z-]+)$/, replacement: path.resolve(import.meta.dirname, 'sims/$1/index.ts') }] },
  test: {
    include: ['sims/**/*.test.ts', 'components/**/*.test.ts', 'content/exercises/*/*.test.ts', 'tests/unit/**/*.test.ts', 'scripts/**/*.test.ts'],
    retry: 0,
    // Exhaustive model checks take a second or two on a quiet machine and several times that
    // when both cores are busy; the limit only stops a test that hangs.
    testTimeout: 60_000,
    // The module cache would keep whatever file `@submission` resolved to first, so a
    // later run with another $SUBMISSION would silently test the old file.
    fsModuleCache: false,
    pool: 'threads',
    // Vitest's default in a run is one worker fewer than the cores: one worker on a 2-core
    // machine. The main process only collects results, so use every core.
    maxWorkers: '100%',
  },
});
