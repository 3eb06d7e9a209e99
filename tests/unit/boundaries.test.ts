/** sims/ imports nothing from the rest of the project (DESIGN.md: one-way dependencies). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const sims = path.resolve(__dirname, '../../sims');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
}

it('sims/ imports only from sims/ (and vitest in tests)', () => {
  const bad: string[] = [];
  for (const f of files(sims)) {
    const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec === 'vitest' && f.endsWith('.test.ts')) continue;
      const resolved = spec.startsWith('.') ? path.resolve(path.dirname(f), spec) : null;
      if (!resolved || !resolved.startsWith(sims + path.sep)) bad.push(`${path.relative(sims, f)} imports ${spec}`);
    }
  }
  expect(bad).toEqual([]);
});

it('components/scene/ is generic: it imports no widget, no model and nothing outside itself but d3', () => {
  const scene = path.resolve(__dirname, '../../components/scene');
  const bad: string[] = [];
  for (const f of files(scene)) {
    const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('d3-') || (spec === 'vitest' && f.endsWith('.test.ts'))) continue;
      const resolved = spec.startsWith('.') ? path.resolve(path.dirname(f), spec) : null;
      if (!resolved || !resolved.startsWith(scene + path.sep)) bad.push(`${path.relative(scene, f)} imports ${spec}`);
    }
  }
  expect(bad).toEqual([]);
});

/** Every relative import of every `.ts`/`.astro` file under `dir`, resolved: [file, spec, resolved]. */
function importsUnder(dir: string): [string, string, string | null][] {
  const out: [string, string, string | null][] = [];
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : /\.(ts|astro)$/.test(e.name) ? [path.join(d, e.name)] : []));
  for (const f of walk(dir)) {
    const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
      out.push([f, spec, spec.startsWith('.') ? path.resolve(path.dirname(f), spec.replace(/\?.*$/, '')) : null]);
    }
  }
  return out;
}

it('sims/core is model-free: it imports nothing outside sims/core (the share codec takes a model as an argument)', () => {
  const core = path.join(sims, 'core');
  const bad = importsUnder(core)
    .filter(([f, spec, r]) => !(spec === 'vitest' && f.endsWith('.test.ts')) && !(r && r.startsWith(core + path.sep)))
    .map(([f, spec]) => `${path.relative(sims, f)} imports ${spec}`);
  expect(bad).toEqual([]);
});

it('components/player/ is model-agnostic: no widget and no model, only sims/core and the scene engine', () => {
  const player = path.resolve(__dirname, '../../components/player');
  const allowed = [player, path.join(sims, 'core'), path.resolve(__dirname, '../../components/scene')];
  const bad = importsUnder(player)
    .filter(([, spec, r]) => (r ? !allowed.some((a) => r.startsWith(a + path.sep)) : !/^(astro:|d3-|vitest$)/.test(spec)))
    .map(([f, spec]) => `${path.relative(player, f)} imports ${spec}`);
  expect(bad).toEqual([]);
});
it('outside sims/, a model is imported only through its barrel (sims/<model>/index.ts)', () => {
  const root = path.resolve(__dirname, '../..');
  const bad: string[] = [];
  for (const dir of ['components', 'src']) {
    for (const [f, spec, r] of importsUnder(path.join(root, dir))) {
      if (!r || !r.startsWith(sims + path.sep)) continue;
      const rel = path.relative(sims, r).replace(/\.ts$/, '');
      const [model, ...rest] = rel.split(path.sep);
      if (model === 'core' || (rest.length === 1 && rest[0] === 'index')) continue;
      bad.push(`${path.relative(root, f)} imports ${spec}`);
    }
  }
  expect(bad).toEqual([]);
});
