/**
 * The files a WebContainer gets, as plain data (no DOM, no WebContainer): an exercise's test
 * file, the learner's current code as `submission.ts`, the simulator sources the two import,
 * a `package.json` that runs Vitest and a `vitest.config.mjs` mapping `@submission` and
 * `@sims/*` exactly as the repository's vitest.config.ts does; or a Lab notebook's cells, one
 * file each, with its Markdown export and the simulator sources they import.
 *
 * Shapes: a flat map `path -> text` (paths relative to the container's working directory,
 * `/`-separated), turned into WebContainer's nested `FileSystemTree` by `toTree`.
 */

/** Flat file map: relative path -> UTF-8 text. */
export type FlatFiles = Record<string, string>;

/** WebContainer's nested tree (the subset of `@webcontainer/api`'s `FileSystemTree` we write). */
export interface FileTree {
  [name: string]: { file: { contents: string } } | { directory: FileTree };
}

/** Loads a simulator source by its repository path, e.g. `/sims/tty/model.ts`; rejects if absent. */
export type SimsLoader = (path: string) => Promise<string>;

/**
 * The Vitest version the container installs. Vitest 3 rather than the repository's 5:
 * Vitest 5 needs Node >= 22.12 and a WebContainer's Node may be older; exercise tests use
 * only `describe`/`it`/`expect`, which both versions share.
 */
export const CONTAINER_VITEST = '3.2.7';

/** Exercise and notebook inputs. */
export interface ExerciseInput {
  id: string;
  testFile: string;
  testSource: string;
  learnerSource: string;
}

/** Where the learner's code lives in the container (the file `npx vitest --watch` re-runs on). */
export const SUBMISSION_FILE = 'submission.ts';
/** Where `run()` asks Vitest to write its JSON report. */
export const REPORT_FILE = '.dpl/report.json';

const VITEST_CONFIG = `// Maps the names exercise tests import, like the site's own vitest.config.ts.
import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: {
    alias: [
      { find: '@submission', replacement: path.resolve('${SUBMISSION_FILE}') },
      { find: /^@sims\\/([a-z-]+)$/, replacement: path.resolve('sims/$1/index.ts') },
    ],
  },
});
`;

function packageJson(name: string, scripts: Record<string, string>): string {
  return `${JSON.stringify({ name, private: true, type: 'module', scripts, devDependencies: { vitest: CONTAINER_VITEST } }, null, 2)}\n`;
}

/** The `@sims/<name>` modules `source` imports (static imports and `import()`), sorted. */
export function simsImports(source: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]@sims\/([a-z-]+)['"]/g)) out.add(m[1]);
  return [...out].sort();
}

/** Relative module paths (`./x.ts`, `../core/model.ts`) a simulator file imports or re-exports. */
function relativeImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]);
  return out;
}

function join(dir: string, rel: string): string {
  const parts = dir.split('/').filter(Boolean);
  for (const p of rel.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/**
 * The simulator files behind `modules` (names like `tty`): each `sims/<name>/index.ts` and
 * every file it reaches through relative imports, keyed by relative path (`sims/tty/model.ts`).
 * Rejects with the loader's error when a file is missing.
 */
export async function simsFiles(modules: string[], load: SimsLoader): Promise<FlatFiles> {
  const out: FlatFiles = {};
  const todo = modules.map((m) => `/sims/${m}/index.ts`);
  const seen = new Set<string>();
  while (todo.length) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const text = await load(p);
    out[p.slice(1)] = text;
    const dir = p.slice(0, p.lastIndexOf('/'));
    for (const r of relativeImports(text)) todo.push(join(dir, r));
  }
  return out;
}

/** The files of an exercise: see the module comment. */
export async function exerciseFiles(ex: ExerciseInput, load: SimsLoader): Promise<FlatFiles> {
  const sims = await simsFiles(simsImports(`${ex.testSource}\n${ex.learnerSource}`), load);
  return {
    'package.json': packageJson(`exercise-${ex.id}`, { test: 'vitest run', watch: 'vitest --watch' }),
    'vitest.config.mjs': VITEST_CONFIG,
    [ex.testFile]: ex.testSource,
    [SUBMISSION_FILE]: ex.learnerSource,
    'README.md': `# Exercise ${ex.id}\n\n\`${SUBMISSION_FILE}\` is your code (the page writes it here as you edit); \`${ex.testFile}\` is the test the page grades it with.\n\n    npm install          # once: fetches Vitest from the npm registry\n    npx vitest --watch   # re-runs on every change\n`,
    ...sims,
  };
}

/** One notebook cell as files see it. */
export interface NotebookCellInput {
  source: string;
}

/** The files of a notebook: `cells/cell-NN.ts`, `notebook.md` (its export) and the simulators the cells import. */
export async function notebookFiles(title: string, cells: NotebookCellInput[], markdown: string, load: SimsLoader): Promise<FlatFiles> {
  const sims = await simsFiles(simsImports(cells.map((c) => c.source).join('\n')), load);
  const out: FlatFiles = {
    'package.json': packageJson('lab-notebook', { test: 'vitest run' }),
    'vitest.config.mjs': VITEST_CONFIG,
    'notebook.md': markdown,
    'README.md': `# ${title}\n\nEach cell of the notebook is a file in \`cells/\`, in order; \`notebook.md\` is the notebook as the Lab exports it. Cells read the names earlier cells define, so they are not standalone modules; copy what you need into a \`*.test.ts\` file and run \`npx vitest\`.\n`,
    ...sims,
  };
  cells.forEach((c, i) => {
    out[`cells/cell-${String(i + 1).padStart(2, '0')}.ts`] = c.source;
  });
  return out;
}

/** The nested tree of a flat map. Throws on a path that is both a file and a folder. */
export function toTree(flat: FlatFiles): FileTree {
  const root: FileTree = {};
  for (const [path, contents] of Object.entries(flat)) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (const p of parts.slice(0, -1)) {
      const node = (dir[p] ??= { directory: {} });
      if (!('directory' in node)) throw new Error(`${path}: ${p} is a file, not a folder`);
      dir = node.directory;
    }
    dir[parts[parts.length - 1]] = { file: { contents } };
  }
  return root;
}
