/**
 * CI proof of every exercise, through the same runner as the browser and the CLI:
 * the reference solution passes every test, the starter fails at least one, and every
 * known-wrong variant in `wrong/` (the classic mistakes) fails at least one.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../components/grader/runner';
import { EXERCISE_MODULES } from '../../components/grader/modules';

const dir = path.resolve(__dirname, '../../content/exercises');
const ids = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

async function run(id: string, file: string) {
  const testFile = `${id}.test.ts`;
  return grade({
    testSource: readFileSync(path.join(dir, id, testFile), 'utf8'),
    testFile,
    learnerSource: readFileSync(file, 'utf8'),
    learnerFile: path.basename(file),
  }, undefined, EXERCISE_MODULES);
}

it('finds the exercises', () => {
  expect(ids).toEqual(expect.arrayContaining(['circ-buffer', 'interleave-check']));
});

describe.each(ids)('exercise %s', (id) => {
  const folder = path.join(dir, id);
  it('has a statement, starter, solution, one test file and known-wrong variants', () => {
    for (const f of ['exercise.md', 'starter.ts', 'solution.ts', `${id}.test.ts`]) expect(existsSync(path.join(folder, f)), f).toBe(true);
    expect(readdirSync(folder).filter((f) => f.endsWith('.test.ts'))).toEqual([`${id}.test.ts`]);
    expect(readdirSync(path.join(folder, 'wrong')).length).toBeGreaterThanOrEqual(1);
  });

  it('the reference solution passes every test', async () => {
    const out = await run(id, path.join(folder, 'solution.ts'));
    if (out.type !== 'result') throw new Error(`solution did not run: ${JSON.stringify(out.error)}`);
    expect(out.report.tests.length).toBeGreaterThanOrEqual(5);
    expect(out.report.tests.filter((t) => t.state === 'fail').map((t) => `${t.name}: ${t.error?.message}`)).toEqual([]);
  });

  it('the starter fails at least one test', async () => {
    const out = await run(id, path.join(folder, 'starter.ts'));
    expect(out.type).toBe('result');
    if (out.type === 'result') expect(out.report.tests.some((t) => t.state === 'fail')).toBe(true);
  });

  const wrong = existsSync(path.join(folder, 'wrong')) ? readdirSync(path.join(folder, 'wrong')).filter((f) => f.endsWith('.ts')) : [];
  it.each(wrong)('rejects the known-wrong variant %s', async (file) => {
    const src = readFileSync(path.join(folder, 'wrong', file), 'utf8');
    expect(src.split('\n')[0]).toMatch(/^\/\/ Mistake: .{10,}/);
    const out = await run(id, path.join(folder, 'wrong', file));
    const failed = out.type === 'result' ? out.report.tests.filter((t) => t.state === 'fail').length : Infinity;
    expect(failed).toBeGreaterThan(0);
  });
});
