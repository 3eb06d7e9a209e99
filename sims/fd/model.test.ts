import { describe, expect, it } from 'vitest';
import { initialState, step, runOps, openFds, fdModel, errnoName, type FdOp, type FdState } from './index.ts';

function run(ops: FdOp[], limit = 16): FdState[] {
  const states = [initialState({ limit })];
  for (const o of ops) states.push(step(states[states.length - 1], o));
  return states;
}

describe('fd model (fs/file.c alloc_fd, next_fd; dup2; F_DUPFD)', () => {
  it('starts with 0, 1, 2 open and next_fd 0', () => {
    const s = initialState({ limit: 8 });
    expect(s).toEqual({ limit: 8, slots: [0, 1, 2, null, null, null, null, null], nextFd: 0, files: 3, event: null });
  });

  it('golden: open, open, open, close(4), open', () => {
    const states = run([{ op: 'open' }, { op: 'open' }, { op: 'open' }, { op: 'close', fd: 4 }, { op: 'open' }], 8);
    expect(states.map((s) => s.event?.ret ?? null)).toEqual([null, 3, 4, 5, 0, 4]);
    expect(states.map((s) => s.nextFd)).toEqual([0, 4, 5, 6, 4, 5]);
    expect(states[5].slots).toEqual([0, 1, 2, 3, 6, 5, null, null]);
    expect(states[4].event).toEqual({
      op: { op: 'close', fd: 4 }, ret: 0, call: 'close(4)', actor: 'process',
      narration: 'close(4) = 0: fd 4 is free again, and next_fd drops to 4.',
      source: { file: 'fs/file.c', fn: '__put_unused_fd', version: '6.12' },
    });
    expect(states[5].event!.narration).toBe('open("/dev/null", O_RDONLY) = 4: a new open file; 4 is the lowest free fd.');
  });

  it('golden: dup shares the open file; dup2 onto an open fd replaces it; F_DUPFD leaves next_fd alone', () => {
    const states = run([{ op: 'open' }, { op: 'dup', fd: 3 }, { op: 'open' }, { op: 'dup2', fd: 5, newfd: 3 }, { op: 'dupfd', fd: 0, min: 10 }], 16);
    const last = states[5];
    expect(states.slice(1).map((s) => s.event!.ret)).toEqual([3, 4, 5, 3, 10]);
    expect(last.slots.slice(0, 11)).toEqual([0, 1, 2, 4, 3, 4, null, null, null, null, 0]);
    expect(last.nextFd).toBe(6);
    expect(states[4].event!.narration).toBe("dup2(5, 3) = 3: fd 3 now refers to fd 5's open file; what it held before was closed silently.");
  });

  it('golden: errors with their errno names and sources', () => {
    const states = run([{ op: 'close', fd: 7 }, { op: 'dup2', fd: 0, newfd: 4 }, { op: 'dupfd', fd: 9, min: 99 }, { op: 'dupfd', fd: 0, min: 4 }, { op: 'open' }, { op: 'open' }], 4);
    expect(states.slice(1).map((s) => s.event!.ret)).toEqual([-9, -9, -9, -22, 3, -24]);
    expect(states.slice(1).map((s) => errnoName(s.event!.ret) ?? 'ok')).toEqual(['EBADF', 'EBADF', 'EBADF', 'EINVAL', 'ok', 'EMFILE']);
    expect(states[6].event!.narration).toBe('open("/dev/null", O_RDONLY) = -1, errno EMFILE: every fd from 0 to 3 is taken (RLIMIT_NOFILE is 4).');
    expect(states[6].event!.source).toEqual({ file: 'fs/file.c', fn: 'alloc_fd', version: '6.12' });
  });

  it('never changes the state it was given', () => {
    const s0 = initialState({ limit: 8 });
    const copy = JSON.parse(JSON.stringify(s0));
    step(s0, { op: 'close', fd: 1 });
    step(s0, { op: 'dup2', fd: 0, newfd: 5 });
    expect(s0).toEqual(copy);
  });

  it('always hands out the lowest free fd, whatever next_fd says (invariant over enabled choices)', () => {
    let s = initialState({ limit: 8 });
    for (let i = 0; i < 200; i++) {
      const choices = fdModel.enabled(s);
      const c = choices[(i * 7 + 3) % choices.length];
      const lowest = s.slots.findIndex((f) => f === null);
      s = step(s, c);
      if (c.op === 'open' || c.op === 'dup') expect(s.event!.ret).toBe(lowest >= 0 ? lowest : -24);
      expect(openFds(s).every((fd) => fd < 8)).toBe(true);
    }
  });

  it('refuses bad parameters and non-ops with clear errors', () => {
    expect(() => initialState({ limit: 2 })).toThrow(RangeError);
    expect(() => initialState({ limit: 1.5 })).toThrow(/limit must be an integer/);
    expect(() => step(initialState({ limit: 8 }), { op: 'read' } as unknown as FdOp)).toThrow(TypeError);
  });

  it('runOps gives the exercise\'s example answers', () => {
    expect(runOps([{ op: 'open' }, { op: 'open' }, { op: 'open' }, { op: 'close', fd: 4 }, { op: 'open' }])).toEqual([3, 4, 5, 0, 4]);
    expect(runOps([{ op: 'dupfd', fd: 0, min: 10 }, { op: 'dup2', fd: 0, newfd: 10 }, { op: 'open' }], 16)).toEqual([10, 10, 3]);
  });
});
