import { describe, expect, it } from 'vitest';
import { analyzeCell, importedNames } from '../../components/lab/analyze.ts';
import { LabClient, type WorkerLike } from '../../components/lab/client.ts';
import { decodeLink, encodeLink, fromMarkdown, MAX_LINK_CHARS, NotebookStore, toMarkdown, type Notebook } from '../../components/lab/notebook.ts';
import { answerOf, describe as describeValue, PLAYER_MAX_STEPS, runTrace } from '../../components/lab/display.ts';
import { proveTty, ttyModel, TTY_PRESETS } from '../../sims/tty/index.ts';
import { DMA_PRESETS, dmaModel } from '../../sims/dma/index.ts';
import { PANEL_DEFAULTS, paramsOf } from '../../components/explorer/panel-model.ts';

describe('analyzeCell', () => {
  it('finds top-level declarations, destructuring, functions and classes', () => {
    const a = analyzeCell("import { x } from '@sims/tty';\nconst a = 1, b = 2;\nlet { c, d: e, ...f } = obj;\nconst [g, h] = pair;\nfunction k() { const inner = 1; return inner; }\nclass K {}\n");
    expect(a.defines).toEqual(['a', 'b', 'c', 'e', 'f', 'g', 'h', 'k', 'K']);
    expect(a.uses).toContain('obj');
    expect(a.uses).toContain('pair');
  });

  it('ignores property names, strings and comments, and reads template expressions', () => {
    const a = analyzeCell("const y = o.prop + 'str x' + `t ${z}`; // w\n/* v */");
    expect(a.defines).toEqual(['y']);
    expect(a.uses).toEqual(expect.arrayContaining(['o', 'z']));
    expect(a.uses).not.toContain('prop');
    expect(a.uses).not.toContain('w');
    expect(a.uses).not.toContain('v');
    expect(a.uses).not.toContain('x');
  });

  it('a multi-line declaration continues only through operators', () => {
    expect(analyzeCell('const a =\n  b +\n  c;\nfoo(d)').defines).toEqual(['a']);
  });

  it('lists imported names (local to the cell)', () => {
    expect(importedNames("import { a, b as c } from '@sims/tty';\nimport * as m from '@sims/mm';")).toEqual(['a', 'c', 'm']);
  });
});

const nb: Notebook = { id: 'n1', title: 'T', intro: 'A question?', cells: [{ id: 'c1', source: 'const a = 1;' }, { id: 'c2', source: 'const s = "```";\nconst b = a + 1;' }], updated: 1 };

describe('notebook Markdown', () => {
  it('round trips title, intro and cells (a cell holding a fence gets a longer fence)', () => {
    const md = toMarkdown(nb);
    expect(md).toContain('````ts');
    const r = fromMarkdown(md);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.notebook.title).toBe('T');
    expect(r.notebook.intro).toBe('A question?');
    expect(r.notebook.cells.map((c) => c.source)).toEqual(nb.cells.map((c) => c.source));
  });

  it('refuses text without cells, an unclosed fence, and non-text, saying why', () => {
    expect(fromMarkdown('# x\nno code')).toEqual({ ok: false, error: expect.stringContaining('No ```ts') });
    expect(fromMarkdown('```ts\nconst a = 1;\n')).toEqual({ ok: false, error: expect.stringContaining('never closed') });
    expect(fromMarkdown(42)).toEqual({ ok: false, error: expect.stringContaining('not a text') });
  });
});

describe('share links', () => {
  it('round trip through deflate-raw and base64url', async () => {
    const r = await encodeLink(nb);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toMatch(/^[A-Za-z0-9_-]+$/);
    const back = await decodeLink(r.text);
    expect(back.ok && back.notebook.cells.map((c) => c.source)).toEqual(nb.cells.map((c) => c.source));
  });

  it('a notebook too large for a link is refused with export offered', async () => {
    // Incompressible text: random-looking identifiers.
    let x = 1;
    const big = Array.from({ length: 3000 }, () => `const v${(x = (x * 48271) % 2147483647).toString(36)} = ${x};`).join('\n');
    const r = await encodeLink({ ...nb, cells: [{ id: 'c', source: big }] });
    expect(r).toEqual({ ok: false, error: expect.stringContaining('Export') });
    expect(MAX_LINK_CHARS).toBeGreaterThan(1000);
  });

  it('damaged links say why', async () => {
    expect(await decodeLink('not base64!')).toEqual({ ok: false, error: expect.stringContaining('damaged') });
    expect(await decodeLink('AAAAAAAA')).toEqual({ ok: false, error: expect.stringContaining('damaged') });
  });
});

describe('NotebookStore', () => {
  const fake = () => {
    const m = new Map<string, string>();
    return { m, s: { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) } };
  };
  it('saves, lists, loads and removes', () => {
    const { s } = fake();
    const st = new NotebookStore(s);
    st.save(nb);
    expect(st.list().map((e) => e.id)).toEqual(['n1']);
    expect(st.load('n1')?.cells).toHaveLength(2);
    st.remove('n1');
    expect(st.list()).toEqual([]);
    expect(st.load('n1')).toBeNull();
  });
  it('a full storage throws a readable error', () => {
    const st = new NotebookStore({ getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => {} });
    expect(() => st.save(nb)).toThrow(/could not be saved.*Export/);
  });
});

describe('display', () => {
  it('arrays of records are tables; other values are trees', () => {
    expect(describeValue([{ a: 1, b: 'x' }, { a: 2 }])).toEqual({ kind: 'table', columns: ['a', 'b'], rows: [['1', 'x'], ['2', '']], total: 2 });
    expect(describeValue({ a: [1] }).kind).toBe('value');
  });
  it('a run becomes a narrated trace with a player link', () => {
    const p = TTY_PRESETS['kernel-blocking'];
    const t = runTrace({ model: ttyModel, params: p.params, schedule: p.schedule! });
    expect(t?.steps).toHaveLength(p.schedule!.length + 1);
    expect(t?.steps[1].narration.length).toBeGreaterThan(0);
    expect(t?.share?.lesson).toBe('tty-write-atomicity');
    expect(t?.at).toBeUndefined();
  });
  it('a run may name the step it opens at; its link opens there, and a step outside the run is refused', () => {
    const p = TTY_PRESETS['kernel-blocking'];
    const t = runTrace({ model: ttyModel, params: p.params, schedule: p.schedule!, step: 3 })!;
    expect(t.at).toBe(3);
    // The whole run is kept: the player can step on from there.
    expect(t.player!.schedule).toHaveLength(p.schedule!.length);
    expect(t.share!.text.endsWith('.3')).toBe(true);
    expect(runTrace({ model: ttyModel, params: p.params, schedule: p.schedule!, step: 0 })!.at).toBe(0);
    for (const bad of [-1, p.schedule!.length + 1, 1.5, '2']) {
      expect(() => runTrace({ model: ttyModel, params: p.params, schedule: p.schedule!, step: bad }), String(bad)).toThrow(`from 0 to ${p.schedule!.length}`);
    }
    // Shown as a value, the refusal is the cell's error value, not an exception.
    expect(describeValue({ model: ttyModel, params: p.params, schedule: p.schedule!, step: 99 }).kind).toBe('value');
  });
  it('a replayable run carries its plain-data parameters, schedule and seed for the lesson player', () => {
    const p = DMA_PRESETS['map-iommu'];
    const t = runTrace({ model: dmaModel, params: p.params, schedule: p.schedule, preset: 'map-iommu', seed: 1 })!;
    expect(t.noPlayer).toBeUndefined();
    expect(t.player).toEqual({ params: p.params, schedule: p.schedule, seed: 1, preset: 'map-iommu' });
    // Copies: nothing the learner's cell holds is shared with the display.
    expect(t.player!.params).not.toBe(p.params);
    expect(t.player!.schedule).not.toBe(p.schedule);
    // It survives the trip to the page.
    expect(structuredClone(t)).toEqual(t);
    // Without a seed the player replays it with seed 1, as the trace was.
    expect(runTrace({ model: ttyModel, params: TTY_PRESETS.nonblock.params, schedule: [] })!.player).toEqual({ params: TTY_PRESETS.nonblock.params, schedule: [], seed: 1 });
  });
  it('a run no player can replay says why in one sentence and keeps its trace', () => {
    const p = TTY_PRESETS['kernel-blocking'];
    const states = [ttyModel.initialState(p.params, 1)];
    const fromStates = runTrace({ model: ttyModel, states })!;
    expect(fromStates.player).toBeUndefined();
    expect(fromStates.noPlayer).toMatch(/list of states without the parameters and schedule/);
    expect(fromStates.steps).toHaveLength(1);
    // A model with no lesson player.
    const other = { ...ttyModel, id: 'my-model' };
    const mine = runTrace({ model: other, params: p.params, schedule: p.schedule })!;
    expect(mine.noPlayer).toBe('The my-model model has no lesson player, so its run is shown as the list of its steps.');
    expect(mine.steps).toHaveLength(p.schedule!.length + 1);
    // Parameters that cannot be copied to the page (a function inside).
    const fn = runTrace({ model: ttyModel, params: { ...p.params, extra: () => 1 }, schedule: p.schedule })!;
    expect(fn.player).toBeUndefined();
    expect(fn.noPlayer).toMatch(/cannot be copied to the page/);
    // A seed that is not a number.
    expect(runTrace({ model: ttyModel, params: p.params, schedule: [], seed: 'x' })!.noPlayer).toMatch(/seed is not a number/);
    expect(PLAYER_MAX_STEPS).toBe(5000);
  });
  it('an answer\'s counterexample carries the run its player replays', () => {
    const params = { ...paramsOf(PANEL_DEFAULTS), variant: 'no-lock' as const };
    const result = proveTty(params);
    expect(result.verdict).toBe('counterexample');
    if (result.verdict !== 'counterexample') return;
    const a = answerOf({ model: ttyModel, params, result })!;
    expect(a.run?.player).toEqual({ params, schedule: result.schedule, seed: 1 });
    expect(a.at).toBeGreaterThan(0);
    expect(a.at).toBeLessThanOrEqual(result.schedule.length);
  });
  it('a value whose getters throw is shown, not thrown', () => {
    const evil = { get x() { throw new Error('boom'); } };
    const d = describeValue(evil);
    expect(JSON.stringify(d)).toContain('boom');
  });
});

/** A fake Lab worker: answers runs after `delay` ms, or never for sources containing `hang`. */
function fakeWorker(log: string[]) {
  return (): WorkerLike => {
    const w: WorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage(m: unknown) {
        const r = m as { type: string; id: number; cellId: string; source: string };
        if (r.type !== 'run') return;
        log.push(r.cellId);
        if (r.source.includes('hang')) return;
        setTimeout(() => w.onmessage?.({ data: { type: 'done', id: r.id, ok: true, outputs: [], console: [] } } as MessageEvent), 1);
      },
      terminate() {
        log.push('terminated');
      },
    };
    setTimeout(() => w.onmessage?.({ data: { type: 'ready' } } as MessageEvent), 1);
    return w;
  };
}

describe('LabClient', () => {
  it('stops a cell that misses its deadline, then replays what the next run reads into a fresh worker', async () => {
    const log: string[] = [];
    const c = new LabClient(50, fakeWorker(log));
    expect((await c.run('a', 'const x = 1', [])).ok).toBe(true);
    const hung = await c.run('b', 'hang', []);
    expect(hung.ok).toBe(false);
    expect(!hung.ok && hung.error.message).toMatch(/did not finish/);
    expect(log).toContain('terminated');
    log.length = 0;
    expect((await c.run('c', 'const y = x', [{ name: 'x', from: 'a' }])).ok).toBe(true);
    expect(log).toEqual(['a', 'c']); // a replayed first
  });
});
