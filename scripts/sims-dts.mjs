/**
 * Build-time declarations of the `@sims/*` modules an exercise may import, for the code
 * editor's TypeScript service (components/editor/monaco.ts).
 *
 * The module table is read from components/grader/modules.ts (the grader's own list, so the
 * two cannot drift); TypeScript's declaration emit runs over each module's source and the
 * result is served as the virtual module `virtual:sims-dts`, which only the (lazily loaded)
 * editor imports. Nothing here is written by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULES_FILE = path.join(root, 'components/grader/modules.ts');

/**
 * The `@sims/*` table of components/grader/modules.ts.
 * @returns {{ name: string, file: string }[]} module name and absolute path of its entry file
 * @throws when the table cannot be found (the build fails with the file's name).
 */
export function simModules() {
  const text = fs.readFileSync(MODULES_FILE, 'utf8');
  const out = [];
  for (const m of text.matchAll(/'(@sims\/[a-z0-9-]+)'\s*:\s*\(\)\s*=>\s*import\('([^']+)'\)/g)) {
    out.push({ name: m[1], file: path.resolve(path.dirname(MODULES_FILE), m[2]) });
  }
  if (out.length === 0) throw new Error(`${path.relative(root, MODULES_FILE)}: no '@sims/<name>': () => import('…') entries found`);
  return out;
}

/**
 * Emits `.d.ts` text for every `@sims/*` module and the files they import.
 * @returns {{ path: string, content: string }[]} one entry per declaration file, at
 *   `file:///node_modules/@sims/<path under sims/>.d.ts` so that `@sims/<name>` resolves
 *   (node resolution) to `<name>/index.d.ts`; relative imports are rewritten without `.ts`.
 * @throws when TypeScript cannot emit the declarations (the build fails with its message).
 */
export function generateSimsDts() {
  const mods = simModules();
  const simsDir = path.join(root, 'sims');
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    rootDir: simsDir,
    outDir: '/virtual-out',
  };
  const host = ts.createCompilerHost(options);
  const files = [];
  host.writeFile = (fileName, text) => {
    const rel = path.relative('/virtual-out', fileName).split(path.sep).join('/');
    const content = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+?)\.ts\2/g, '$1$2$3$2');
    files.push({ path: `file:///node_modules/@sims/${rel}`, content });
  };
  const program = ts.createProgram(mods.map((m) => m.file), options, host);
  // Type errors in sims/ are `npm run check:sims`'s job; here only what stops the emit.
  const res = program.emit(undefined, undefined, undefined, true);
  const all = [...program.getSyntacticDiagnostics(), ...res.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (all.length) throw new Error(`@sims declarations: ${ts.formatDiagnostics(all.slice(0, 5), { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })}`);
  for (const m of mods) {
    const want = `file:///node_modules/${m.name}/index.d.ts`;
    if (!files.some((f) => f.path === want)) throw new Error(`@sims declarations: ${m.name} (${path.relative(root, m.file)}) must be sims/<name>/index.ts; no ${want} was emitted`);
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Vite plugin serving `virtual:sims-dts` (default export: the array of generateSimsDts()).
 * @returns {import('vite').Plugin}
 */
export function simsDtsPlugin() {
  const ID = 'virtual:sims-dts';
  const RESOLVED = '\0' + ID;
  return {
    name: 'data-path-lab:sims-dts',
    resolveId(id) {
      return id === ID ? RESOLVED : null;
    },
    load(id) {
      if (id !== RESOLVED) return null;
      const files = generateSimsDts();
      for (const f of files) this.addWatchFile?.(path.join(root, 'sims', f.path.replace('file:///node_modules/@sims/', '').replace(/\.d\.ts$/, '.ts')));
      this.addWatchFile?.(MODULES_FILE);
      return `export default ${JSON.stringify(files)};`;
    },
  };
}
