/**
 * Every starter notebook (content/notebooks/*.md) runs without an error, headless in Node,
 * through the Lab's cell runner under SES lockdown (in a child process: lockdown must not run
 * in Vitest's own worker). Each lesson has one, and each shows at least one simulation run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const notebooks = readdirSync(path.join(root, 'content/notebooks')).filter((f) => f.endsWith('.md')).sort();
const lessons = readdirSync(path.join(root, 'content/lessons')).sort();

describe('starter notebooks', () => {
  it('one per lesson', () => {
    expect(notebooks.map((f) => f.replace(/\.md$/, ''))).toEqual(lessons);
  });

  it('every cell of every notebook runs without an error, and each notebook shows a run', () => {
    const r = spawnSync(process.execPath, ['scripts/lab-run.ts', ...notebooks.map((f) => `content/notebooks/${f}`)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; ok: boolean; cells: { ok: boolean; kinds?: string[]; error?: unknown }[] });
    expect(lines.map((l) => path.basename(l.file))).toEqual(notebooks);
    for (const nb of lines) {
      expect(nb.cells.filter((c) => !c.ok), nb.file).toEqual([]);
      expect(nb.cells.some((c) => c.kinds?.includes('run')), `${nb.file} shows a run`).toBe(true);
    }
    expect(r.status, r.stderr).toBe(0);
  }, 150_000);

  it('a failing cell makes the runner fail, naming its line and column', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-nb-'));
    const file = path.join(dir, 'bad.md');
    writeFileSync(file, '# Bad\n\n```ts\nconst a = 1;\n```\n\n```ts\nconst b = a + 1;\nconst c = (null as any).x;\n```\n');
    const r = spawnSync(process.execPath, ['scripts/lab-run.ts', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout.trim()) as { cells: { ok: boolean; error?: { message: string; line?: number; column?: number } }[] };
    expect(out.cells[0].ok).toBe(true);
    expect(out.cells[1].ok).toBe(false);
    expect(out.cells[1].error?.message).toMatch(/TypeError/);
    expect(out.cells[1].error?.line).toBe(2);
    expect(out.cells[1].error?.column).toBeGreaterThan(0);
  }, 90_000);
});
