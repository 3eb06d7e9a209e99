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
    const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; ok: boolean; cells: { ok: boolean; kinds?: string[]; noPlayer?: string[]; error?: unknown }[] });
    expect(lines.map((l) => path.basename(l.file))).toEqual(notebooks);
    for (const nb of lines) {
      expect(nb.cells.filter((c) => !c.ok), nb.file).toEqual([]);
      expect(nb.cells.some((c) => c.kinds?.includes('run')), `${nb.file} shows a run`).toBe(true);
      // Every run a starter shows plays in its lesson player.
      expect(nb.cells.flatMap((c) => c.noPlayer ?? []), `${nb.file}: runs without a player`).toEqual([]);
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

describe('"Open this run in the Lab" from every kind of player', () => {
  it('the cells made from a link of each preset player run without an error and show the run', async () => {
    const { cellsFromShare } = await import('../../components/lab/from-share.ts');
    const { encodePresetShare } = await import('../../sims/core/share.ts');
    const { DMA_PRESETS, dmaModel, COHERENCE_PRESETS, coherenceModel } = await import('../../sims/dma/index.ts');
    const { UIO_PRESETS, uioModel } = await import('../../sims/uio/index.ts');
    const { DAQ_PRESETS, daqModel } = await import('../../sims/daq/index.ts');
    const { encodeMmShare, MM_PRESETS } = await import('../../sims/mm/index.ts');
    const specs = [
      { model: dmaModel, presets: DMA_PRESETS },
      { model: coherenceModel, presets: COHERENCE_PRESETS },
      { model: uioModel, presets: UIO_PRESETS },
      { model: daqModel, presets: DAQ_PRESETS },
    ] as { model: { id: string }; presets: Record<string, { params: unknown; schedule?: unknown[] }> }[];
    const links = specs.map((s) => {
      const [key, p] = Object.entries(s.presets)[0];
      const schedule = p.schedule ?? [];
      return encodePresetShare({ ...s, noun: s.model.id } as never, { preset: key, schedule, step: Math.min(3, schedule.length) });
    });
    const mmKey = Object.keys(MM_PRESETS)[0];
    links.push(encodeMmShare({ preset: mmKey, schedule: MM_PRESETS[mmKey].schedule, step: 1 }));
    const { encodeShare, TTY_PRESETS } = await import('../../sims/tty/index.ts');
    const tty = TTY_PRESETS['kernel-blocking'];
    links.push(encodeShare({ model: 'tty', params: tty.params, schedule: tty.schedule!, step: tty.schedule!.length }));
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-share-'));
    const files = links.map((text, i) => {
      const made = cellsFromShare(text);
      expect(made.ok, text).toBe(true);
      if (!made.ok) return '';
      const file = path.join(dir, `nb${i}.md`);
      writeFileSync(file, `# ${made.title}\n\n${made.cells.map((c) => '```ts\n' + c + '\n```\n').join('\n')}`);
      return file;
    });
    const r = spawnSync(process.execPath, ['scripts/lab-run.ts', ...files], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; cells: { ok: boolean; kinds?: string[]; noPlayer?: string[]; error?: unknown }[] });
    expect(lines).toHaveLength(links.length);
    for (const nb of lines) {
      expect(nb.cells.filter((c) => !c.ok), nb.file).toEqual([]);
      expect(nb.cells.some((c) => c.kinds?.includes('run')), `${nb.file} shows a run`).toBe(true);
      expect(nb.cells.flatMap((c) => c.noPlayer ?? []), `${nb.file}: runs without a player`).toEqual([]);
    }
    expect(cellsFromShare('dma.1.no-such.AA.1')).toMatchObject({ ok: false });
  }, 150_000);
});
