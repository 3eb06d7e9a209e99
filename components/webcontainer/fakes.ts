/**
 * Test support (no test in here): a fake WebContainer with an in-memory file system whose
 * `npx vitest` writes a given JSON report, fake processes, and a Vitest JSON report.
 * Used by webcontainer.test.ts and panel.test.ts; no network.
 */
import type { ContainerLike, ProcessLike } from './adapter.ts';
import { REPORT_FILE } from './files.ts';

/** A process whose output is `out` and that exits with `code` (or never, when null). */
export function fakeProcess(out: string[], code: number | null, onExit?: () => void): ProcessLike & { killed: boolean; typed: string[]; sizes: unknown[] } {
  const typed: string[] = [];
  const sizes: unknown[] = [];
  let kill!: () => void;
  const exit = new Promise<number>((resolve) => {
    kill = () => resolve(137);
    if (code !== null) queueMicrotask(() => {
      onExit?.();
      resolve(code);
    });
  });
  const p = {
    killed: false,
    typed,
    sizes,
    output: new ReadableStream<string>({ start: (c) => { for (const o of out) c.enqueue(o); c.close(); } }),
    input: new WritableStream<string>({ write: (d) => void typed.push(d) }),
    exit,
    kill: () => { p.killed = true; kill(); },
    resize: (d: unknown) => void sizes.push(d),
  };
  return p;
}

/** A fake WebContainer: an in-memory file system; `npx vitest` writes `report` to the report file. */
export function fakeContainer(report: unknown, opts: { vitestHangs?: boolean; installCode?: number } = {}) {
  const files = new Map<string, string>();
  const spawned: string[] = [];
  const c: ContainerLike & { files: Map<string, string>; spawned: string[]; mounted: unknown[]; tornDown: boolean } = {
    files,
    spawned,
    mounted: [],
    tornDown: false,
    mount: async (tree, o) => void c.mounted.push({ tree, at: o?.mountPoint ?? '.' }),
    spawn: async (cmd, args, o) => {
      spawned.push([cmd, ...args].join(' ') + (o?.cwd && o.cwd !== '.' ? ` (in ${o.cwd})` : ''));
      if (cmd === 'npm') return fakeProcess(['added 40 packages\n'], opts.installCode ?? 0);
      if (cmd === 'npx') return fakeProcess([' ✓ 2 tests\n'], opts.vitestHangs ? null : 0, () => files.set(o?.cwd && o.cwd !== '.' ? `${o.cwd}/${REPORT_FILE}` : REPORT_FILE, JSON.stringify(report)));
      return fakeProcess(['$ '], null);
    },
    fs: {
      writeFile: async (p, d) => void files.set(p, d),
      readFile: async (p) => {
        const v = files.get(p);
        if (v === undefined) throw new Error(`ENOENT: ${p}`);
        return v;
      },
      mkdir: async () => undefined,
    },
    teardown: () => { c.tornDown = true; },
  };
  return c;
}

export const vitestReport = {
  numTotalTests: 2,
  testResults: [
    {
      name: '/home/data-path-lab/page-span.test.ts',
      status: 'failed',
      message: '',
      assertionResults: [
        { ancestorTitles: ['pageSpan'], title: 'one page', status: 'passed', duration: 3, failureMessages: [] },
        {
          ancestorTitles: ['pageSpan'],
          title: 'crosses a page',
          status: 'failed',
          duration: 1,
          failureMessages: ['AssertionError: expected 1 to be 2 // Object.is equality\n    at /home/data-path-lab/page-span.test.ts:12:20'],
        },
      ],
    },
  ],
};
