import { describe, expect, it } from 'vitest';
import { checkPage, probe, unavailableMessage, withDeadline, BootTimeout, type FetchLike } from './availability.ts';
import { startContainer, WebContainerGrader, type ContainerLike } from './adapter.ts';
import { fakeContainer, fakeProcess, vitestReport } from './fakes.ts';
import { exerciseFiles, notebookFiles, simsImports, toTree, SUBMISSION_FILE } from './files.ts';
import { outcomeFromVitestJson } from './vitest-report.ts';
import { workerGrader } from '../grader/adapter.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const loadSims = async (p: string) => readFileSync(path.join(root, p), 'utf8');
const isolated = { crossOriginIsolated: true, framed: false, onLine: true };
const okFetch: FetchLike = async () => ({});
const never = <T>() => new Promise<T>(() => {});

const request = { testFile: 'page-span.test.ts', testSource: "import { it } from 'vitest';", learnerFile: SUBMISSION_FILE, learnerSource: 'export const x = 1;' };

describe('availability', () => {
  it('says why, in one sentence, for each page problem', () => {
    expect(checkPage(isolated)).toBeNull();
    expect(checkPage({ ...isolated, crossOriginIsolated: false })).toMatchObject({ ok: false, reason: 'not-isolated' });
    expect(checkPage({ ...isolated, crossOriginIsolated: false, framed: true })).toMatchObject({ ok: false, reason: 'framed' });
    expect(checkPage({ ...isolated, onLine: false })).toMatchObject({ ok: false, reason: 'offline' });
    for (const r of ['framed', 'not-isolated', 'offline', 'unreachable', 'boot-timeout', 'boot-failed'] as const) {
      const m = unavailableMessage(r);
      expect(m.split(/\.\s/).length, m).toBe(1);
      expect(m).toMatch(/everything else on this page works as before\.$/);
    }
  });

  it('probe: an answer means reachable; a failure or no answer in time means unreachable', async () => {
    expect(await probe(okFetch, 'https://x', 1000)).toBeNull();
    expect(await probe(async () => { throw new TypeError('Failed to fetch'); }, 'https://x', 1000)).toMatchObject({ reason: 'unreachable' });
    let aborted = false;
    const hanging: FetchLike = (_u, init) => new Promise((_r, reject) => init.signal.addEventListener('abort', () => { aborted = true; reject(new DOMException('aborted', 'AbortError')); }));
    expect(await probe(hanging, 'https://x', 20)).toMatchObject({ reason: 'unreachable' });
    expect(aborted).toBe(true);
  });

  it('withDeadline rejects with BootTimeout when the promise never settles', async () => {
    await expect(withDeadline(never(), 10)).rejects.toBeInstanceOf(BootTimeout);
    await expect(withDeadline(Promise.resolve(3), 10)).resolves.toBe(3);
  });
});

describe('startContainer', () => {
  it('never boots on a page that is not isolated, and never hangs on a boot that never settles', async () => {
    let booted = 0;
    const boot = () => { booted++; return never<ContainerLike>(); };
    expect(await startContainer({ env: { ...isolated, crossOriginIsolated: false }, fetch: okFetch, boot })).toMatchObject({ ok: false, reason: 'not-isolated' });
    expect(booted).toBe(0);
    expect(await startContainer({ env: isolated, fetch: async () => { throw new TypeError('offline'); }, boot })).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(booted).toBe(0);
    const stages: string[] = [];
    expect(await startContainer({ env: isolated, fetch: okFetch, boot, bootTimeoutMs: 20, onStage: (s) => stages.push(s) })).toMatchObject({ ok: false, reason: 'boot-timeout' });
    expect(stages).toEqual(['checking', 'booting']);
    expect(await startContainer({ env: isolated, fetch: okFetch, boot: async () => { throw new Error('Unable to create more instances'); } })).toMatchObject({ ok: false, reason: 'boot-failed', message: expect.stringContaining('Unable to create more instances') });
  });

  it('resolves with the container when all checks pass', async () => {
    const c = fakeContainer(vitestReport);
    const r = await startContainer({ env: isolated, fetch: okFetch, boot: async () => c });
    expect(r).toEqual({ ok: true, container: c });
  });
});

describe('WebContainerGrader (fake WebContainer)', () => {
  it('runs real-Vitest style and returns the in-page grader\'s result shape', async () => {
    const c = fakeContainer(vitestReport);
    const log: string[] = [];
    const g = new WebContainerGrader(c, (t) => log.push(t));
    expect(g.kind).toBe('webcontainer');
    expect(workerGrader.kind).toBe('worker');
    const out = await g.run(request);
    expect(c.files.get(SUBMISSION_FILE)).toBe('export const x = 1;');
    expect(c.files.get('page-span.test.ts')).toBe(request.testSource);
    expect(c.spawned[0]).toBe('npm install --no-audit --no-fund');
    expect(c.spawned[1]).toMatch(/^npx vitest run page-span\.test\.ts .*--reporter=json/);
    expect(out.type).toBe('result');
    if (out.type !== 'result') return;
    expect(out.report.file).toBe('page-span.test.ts');
    expect(out.report.tests).toEqual([
      { name: 'one page', suite: ['pageSpan'], state: 'pass', durationMs: 3 },
      { name: 'crosses a page', suite: ['pageSpan'], state: 'fail', durationMs: 1, error: { name: 'AssertionError', message: 'expected 1 to be 2 // Object.is equality', location: { file: 'page-span.test.ts', line: 12 } } },
    ]);
    // A second run does not install again.
    await g.run(request);
    expect(c.spawned.filter((s) => s.startsWith('npm')).length).toBe(1);
    expect(log.join('')).toContain('added 40 packages');
  });

  it('a run past its deadline is killed and reported as a timeout', async () => {
    const c = fakeContainer(vitestReport, { vitestHangs: true });
    const out = await new WebContainerGrader(c, () => {}, 30).run(request);
    expect(out).toEqual({ id: 0, type: 'timeout', deadlineMs: 30 });
  });

  it('a failed install is an error, and the next run tries to install again', async () => {
    const c = fakeContainer(vitestReport, { installCode: 1 });
    const g = new WebContainerGrader(c);
    const out = await g.run(request);
    expect(out).toMatchObject({ type: 'error', error: { kind: 'internal', message: expect.stringContaining('npm install failed') } });
    await g.run(request);
    expect(c.spawned.filter((s) => s.startsWith('npm')).length).toBe(2);
  });

  it('connects a shell to the terminal: output, keystrokes and resizes', async () => {
    const c = fakeContainer(vitestReport);
    const g = new WebContainerGrader(c);
    const written: string[] = [];
    let type!: (d: string) => void;
    let resize!: (d: { cols: number; rows: number }) => void;
    const p = (await g.shell({ write: (t) => written.push(t), onData: (f) => (type = f), onResize: (f) => (resize = f), cols: 80, rows: 20 })) as ReturnType<typeof fakeProcess>;
    expect(c.spawned).toEqual(['jsh']);
    type('npx vitest --watch\r');
    resize({ cols: 100, rows: 30 });
    await new Promise((r) => setTimeout(r, 0));
    expect(p.typed).toEqual(['npx vitest --watch\r']);
    expect(p.sizes).toEqual([{ cols: 100, rows: 30 }]);
    expect(written.join('')).toBe('$ ');
    await g.writeSubmission('export const y = 2;');
    expect(c.files.get(SUBMISSION_FILE)).toBe('export const y = 2;');
    g.stopShell();
    expect(p.killed).toBe(true);
  });

  it('keeps two exercises on one page apart, each in its own folder', async () => {
    const c = fakeContainer(vitestReport);
    const g = new WebContainerGrader(c, () => {}, 1000, 'page-span');
    await g.mount({ 'a.ts': 'x' });
    expect(c.mounted).toEqual([{ tree: { 'a.ts': { file: { contents: 'x' } } }, at: 'page-span' }]);
    const out = await g.run(request);
    expect(out.type).toBe('result');
    expect(c.files.get('page-span/submission.ts')).toBe(request.learnerSource);
    expect(c.spawned).toEqual(['npm install --no-audit --no-fund (in page-span)', expect.stringMatching(/^npx vitest run .* \(in page-span\)$/)]);
  });
});

describe('files', () => {
  it('mounts the test, the learner code, package.json and the simulators they import', async () => {
    const test = readFileSync(path.join(root, 'content/exercises/pin-user-buffer/pin-user-buffer.test.ts'), 'utf8');
    const flat = await exerciseFiles({ id: 'pin-user-buffer', testFile: 'pin-user-buffer.test.ts', testSource: test, learnerSource: 'export {}' }, loadSims);
    expect(flat[SUBMISSION_FILE]).toBe('export {}');
    expect(flat['pin-user-buffer.test.ts']).toBe(test);
    expect(JSON.parse(flat['package.json']).scripts.watch).toBe('vitest --watch');
    expect(simsImports(test)).toEqual(['mm']);
    for (const m of simsImports(test)) expect(flat[`sims/${m}/index.ts`]).toBeDefined();
    expect(flat['sims/core/model.ts']).toBeDefined();
    // Every relative import of a mounted simulator file is mounted too.
    for (const [p, text] of Object.entries(flat).filter(([p]) => p.startsWith('sims/'))) {
      for (const m of text.matchAll(/from ['"](\.{1,2}\/[^'"]+)['"]/g)) {
        expect(flat[path.posix.normalize(path.posix.join(path.posix.dirname(p), m[1]))], `${p} imports ${m[1]}`).toBeDefined();
      }
    }
    const tree = toTree(flat);
    expect(tree['package.json']).toEqual({ file: { contents: flat['package.json'] } });
    expect('directory' in tree.sims).toBe(true);
  });

  it('mounts a notebook as one file per cell', async () => {
    const flat = await notebookFiles('T', [{ source: "import { ttyModel } from '@sims/tty';" }, { source: 'const a = 1;' }], '# T', loadSims);
    expect(flat['cells/cell-01.ts']).toContain('@sims/tty');
    expect(flat['cells/cell-02.ts']).toBe('const a = 1;');
    expect(flat['notebook.md']).toBe('# T');
    expect(flat['sims/tty/index.ts']).toBeDefined();
  });

  it('a missing simulator file rejects with the loader\'s error', async () => {
    await expect(exerciseFiles({ id: 'x', testFile: 'x.test.ts', testSource: "import { a } from '@sims/nope';", learnerSource: '' }, loadSims)).rejects.toThrow(/ENOENT/);
  });
});

describe('outcomeFromVitestJson', () => {
  it('a file that fails before any test ran is an error naming the file and line', () => {
    const json = { testResults: [{ name: '/w/x.test.ts', status: 'failed', message: 'SyntaxError: Unexpected token (3:5)\n  at /w/submission.ts:3:5', assertionResults: [] }] };
    expect(outcomeFromVitestJson(json, 'x.test.ts', 'submission.ts', 5)).toMatchObject({ type: 'error', error: { kind: 'compile', file: 'submission.ts', line: 3, column: 5 } });
  });

  it('a malformed report is an internal error, never a throw', () => {
    expect(outcomeFromVitestJson(null, 'x.test.ts', 'submission.ts', 0)).toMatchObject({ type: 'error', error: { kind: 'internal' } });
    expect(outcomeFromVitestJson({ testResults: [] }, 'x.test.ts', 'submission.ts', 0)).toMatchObject({ type: 'error', error: { kind: 'internal' } });
  });
});
