// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../grader/protocol.ts';
import type { SizedTerminal } from '../terminal/terminal.ts';
import type { ContainerLike } from './adapter.ts';
import { fakeContainer, vitestReport } from './fakes.ts';
import { exerciseFiles } from './files.ts';
import { openNodeTerminal, type PanelDeps } from './panel.ts';

/** NodeTerminal.astro's markup. */
function panelRoot(): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = `<div data-wc data-wc-state="idle"><button data-wc-part="open">Open a Node.js terminal</button><button data-wc-part="run" hidden>Run the tests in Node (Vitest)</button>
    <p role="status" data-wc-part="status"></p><div data-wc-part="panel" hidden><div data-wc-part="term"></div></div></div>`;
  document.body.append(root);
  return root.querySelector<HTMLElement>('[data-wc]')!;
}

function fakeTerminal() {
  const out: string[] = [];
  let type: (d: string) => void = () => {};
  const t: SizedTerminal & { out: string[]; type(d: string): void } = {
    out,
    type: (d) => type(d),
    write: (s) => void out.push(s),
    clear: () => {},
    fit: () => {},
    dispose: () => {},
    cols: 80,
    rows: 16,
  };
  const create = (async (_el: HTMLElement, opts: { onData?: (d: string) => void }) => {
    type = opts.onData ?? type;
    return t;
  }) as unknown as PanelDeps['createTerminal'];
  return { t, create };
}

const ex = { id: 'page-span', testFile: 'page-span.test.ts', testSource: "import { it } from 'vitest';", learnerSource: 'export const x = 1;' };

describe('the Node.js terminal panel', () => {
  it('when the page is not isolated: one sentence, no boot, no terminal', async () => {
    const root = panelRoot();
    let booted = false;
    const { create } = fakeTerminal();
    await openNodeTerminal(
      { root, dir: 'x', files: async () => ({}) },
      { env: () => ({ crossOriginIsolated: false, framed: false, onLine: true }), fetch: async () => ({}), boot: async () => { booted = true; return fakeContainer(vitestReport); }, createTerminal: create },
    );
    expect(root.dataset.wcState).toBe('unavailable');
    expect(root.querySelector('[role=status]')!.textContent).toMatch(/^The Node\.js terminal is unavailable because this page is not cross-origin isolated/);
    expect(booted).toBe(false);
    expect(root.querySelector<HTMLElement>('[data-wc-part=panel]')!.hidden).toBe(true);
    expect(root.querySelector<HTMLButtonElement>('[data-wc-part=open]')!.disabled).toBe(false);
  });

  it('when it can run: mounts the exercise, installs Vitest, wires the shell, follows edits, and shows real Vitest\'s outcome through the exercise', async () => {
    const root = panelRoot();
    const c = fakeContainer(vitestReport);
    const { t, create } = fakeTerminal();
    const shown: RunOutcome[] = [];
    let edit: (code: string) => void = () => {};
    let terminals = 0;
    const counted = (async (...a: Parameters<PanelDeps['createTerminal']>) => {
      terminals++;
      return create(...a);
    }) as PanelDeps['createTerminal'];
    const deps: PanelDeps = { env: () => ({ crossOriginIsolated: true, framed: false, onLine: true }), fetch: async () => ({}), boot: async () => c as ContainerLike, createTerminal: counted };
    const first = openNodeTerminal(
      {
        root,
        dir: 'page-span',
        files: (load) => exerciseFiles(ex, load),
        exercise: {
          request: async () => ({ testFile: ex.testFile, testSource: ex.testSource, learnerFile: 'submission.ts', learnerSource: 'export const x = 2;' }),
          show: (o) => void shown.push(o),
          onEdit: (fn) => (edit = fn),
        },
      },
      deps,
    );
    // A second press while it opens waits for the first: one terminal, one install.
    const second = openNodeTerminal({ root, dir: 'page-span', files: async () => ({}) }, deps);
    await Promise.all([first, second]);
    expect(terminals).toBe(1);
    expect(root.dataset.wcState).toBe('ready');
    expect(root.querySelector('[role=status]')!.textContent).toContain('npx vitest --watch');
    expect(c.mounted).toHaveLength(1);
    expect(c.spawned).toEqual(['npm install --no-audit --no-fund (in page-span)', 'jsh (in page-span)']);
    expect(t.out.join('')).toContain('added 40 packages');
    edit('export const x = 3;');
    await new Promise((r) => setTimeout(r, 0));
    expect(c.files.get('page-span/submission.ts')).toBe('export const x = 3;');
    const run = root.querySelector<HTMLButtonElement>('[data-wc-part=run]')!;
    expect(run.hidden).toBe(false);
    run.click();
    await expect.poll(() => shown.length).toBe(1);
    expect(shown[0]).toMatchObject({ type: 'result', report: { file: 'page-span.test.ts', tests: [{ state: 'pass' }, { state: 'fail' }] } });
    expect(c.files.get('page-span/submission.ts')).toBe('export const x = 2;');
    // Pressing the button again copies the files again into the same container.
    await openNodeTerminal({ root, dir: 'page-span', files: (load) => exerciseFiles(ex, load) }, { env: () => ({ crossOriginIsolated: true, framed: false, onLine: true }), fetch: async () => ({}), boot: async () => { throw new Error('not booted twice'); }, createTerminal: create });
    expect(c.mounted).toHaveLength(2);
    expect(root.querySelector('[role=status]')!.textContent).toBe('Copied the files into the container again.');
  });
});
