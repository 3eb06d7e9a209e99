/**
 * Learner-visible text: what the lessons, exercises and players show.
 *
 * 1. No internal source references. The lessons retell public questions and mailing-list
 *    reviews; a learner must be able to find them, so they are cited by title and site, or
 *    by author, date and subject, never by our internal file names ("seed 000",
 *    "seeds/004", "the seed's answer").
 * 2. Ask first, then show: every <Predict> that names a run (`preset="…"`) wraps that player
 *    in its slot, and no player with that preset appears earlier on the page, so the run and
 *    its description can't give the answer away before the learner has answered.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every file under `dir` (relative to the repo) whose name passes `keep`. */
function walk(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return out;
  for (const name of readdirSync(abs)) {
    const p = path.join(abs, name);
    if (statSync(p).isDirectory()) out.push(...walk(path.join(dir, name), keep));
    else if (keep(name)) out.push(path.join(dir, name));
  }
  return out;
}

const lessons = walk('content/lessons', (n) => n.endsWith('.mdx'));
const statements = walk('content/exercises', (n) => n === 'exercise.md');
/** Code whose strings reach the page: presets, narration, MemoryPaths rows, player HTML,
 *  exercise tests (their names are shown in the grader's report) and starters. */
const code = [
  ...walk('sims', (n) => /\.(ts|js)$/.test(n) && !n.endsWith('.test.ts')),
  ...walk('components/sim', (n) => /\.(ts|astro)$/.test(n) && !n.endsWith('.test.ts')),
  ...walk('components/widgets', (n) => /\.(ts|astro)$/.test(n) && !n.endsWith('.test.ts')),
  ...walk('components/player', (n) => /\.(ts|astro)$/.test(n) && !n.endsWith('.test.ts')),
  ...walk('components/lesson', (n) => /\.(ts|astro)$/.test(n)),
  ...walk('content/exercises', (n) => n.endsWith('.ts')),
];

/** In prose (MDX, Markdown) any mention of a seed is internal material. */
const PROSE_REF = /\bseeds?\b/i;
/** In code, "seed" is also a random-number seed; these forms are source references. */
const CODE_REF = /\bseeds?\s*\/|\bseed\s*#?\s*\d{3}\b|\bseed['’]s\b|\bseeds['’]|\bthe seed (question|answer|post|thread|file|text|driver)\b/i;

/** `file:line: text` for every line of `files` that matches `re`. */
function hits(files: string[], re: RegExp): string[] {
  const found: string[] = [];
  for (const f of files) {
    readFileSync(path.join(ROOT, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (re.test(line)) found.push(`${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  return found;
}

describe('no internal source references in learner-visible text', () => {
  it('finds the files it is meant to scan', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(5);
    expect(statements.length).toBeGreaterThanOrEqual(8);
    expect(code).toContain(path.join('sims', 'uio', 'memory-paths.ts'));
    expect(code).toContain(path.join('components', 'widgets', 'sg', 'html.ts'));
    expect(code).toContain(path.join('components', 'widgets', 'tty', 'html.ts'));
    expect(code).toContain(path.join('components', 'widgets', 'coherence', 'html.ts'));
    expect(code).toContain(path.join('components', 'widgets', 'uio', 'MemoryPaths.astro'));
  });

  it('lesson prose and exercise statements never mention a "seed"', () => {
    expect(hits([...lessons, ...statements], PROSE_REF)).toEqual([]);
  });

  it('presets, narration, MemoryPaths rows and exercise code cite no "seed" as a source', () => {
    expect(hits(code, CODE_REF)).toEqual([]);
  });

  it('the patterns catch the forms they are for, and spare a random seed', () => {
    for (const bad of ["seeds/004: Koch's review", "the pattern in seed 000's answers", "the seed's driver", "the seeds' drivers", 'the seed question']) {
      expect(CODE_REF.test(bad), bad).toBe(true);
    }
    for (const ok of ['the seed is unused (no randomness)', 'seed: 1', 'seededPick(seed)', 'const seed = Number(x)']) {
      expect(CODE_REF.test(ok), ok).toBe(false);
    }
  });
});

/** One <Predict …> in an MDX file: its preset, whether it has a slot, and the slot's text. */
interface PredictUse {
  file: string;
  at: number;
  preset: string | null;
  body: string | null;
}

/** Finds every <Predict> in `src`: props end at the first `/>` or `>` outside quotes/braces. */
function predicts(file: string, src: string): PredictUse[] {
  const out: PredictUse[] = [];
  let from = 0;
  for (;;) {
    const at = src.indexOf('<Predict', from);
    if (at < 0) break;
    let i = at + '<Predict'.length;
    let depth = 0;
    let quote: string | null = null;
    for (; i < src.length; i++) {
      const c = src[i];
      if (quote) {
        if (c === '\\') i++; // an escaped character, e.g. 'the driver\'s'
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
      else if (depth === 0 && c === '>') break;
    }
    const props = src.slice(at, i + 1);
    const preset = /\bpreset="([^"]*)"/.exec(props)?.[1] ?? null;
    const selfClosing = props.endsWith('/>');
    let body: string | null = null;
    if (!selfClosing) {
      const end = src.indexOf('</Predict>', i);
      body = end < 0 ? '' : src.slice(i + 1, end);
    }
    out.push({ file, at, preset, body });
    from = i + 1;
  }
  return out;
}

describe('Predict comes before the run it asks about', () => {
  const uses = lessons.flatMap((f) => predicts(f, readFileSync(path.join(ROOT, f), 'utf8')));

  it('the lessons have Predict questions, most of them about a run', () => {
    expect(uses.length).toBeGreaterThanOrEqual(27);
    expect(uses.filter((u) => u.preset).length).toBeGreaterThanOrEqual(15);
  });

  it('each Predict that names a run wraps that player in its slot', () => {
    const bad = uses
      .filter((u) => u.preset)
      .filter((u) => !u.body || !new RegExp(`<\\w+Sim\\s+preset="${u.preset}"`).test(u.body))
      .map((u) => `${u.file}: Predict about "${u.preset}" does not wrap <…Sim preset="${u.preset}">`);
    expect(bad).toEqual([]);
  });

  it('no player with a Predict’s preset appears before that Predict', () => {
    const bad: string[] = [];
    for (const u of uses.filter((x) => x.preset)) {
      const src = readFileSync(path.join(ROOT, u.file), 'utf8');
      const before = src.slice(0, u.at);
      if (new RegExp(`<\\w+Sim\\s+preset="${u.preset}"`).test(before)) bad.push(`${u.file}: "${u.preset}" is played before its Predict`);
    }
    expect(bad).toEqual([]);
  });
});
