import { describe, expect, it } from 'vitest';
import { replay } from '../core/model.ts';
import { DEVICE_PFN, SCRATCH_PFN, enabled, initialState, revokeModel, run, step, type RevokeChoice, type RevokeEvent } from './index.ts';

const w = (page: number): RevokeChoice => ({ act: 'write', page });
const revoke: RevokeChoice = { act: 'revoke' };

describe('revoke model: zap the PTEs, then the fault handler decides', () => {
  it('starts with every PTE present, to the device pages', () => {
    const s = initialState({ pages: 3, policy: 'sigbus' });
    expect(s.ptes).toEqual([{ to: 'device', pfn: DEVICE_PFN }, { to: 'device', pfn: DEVICE_PFN + 1 }, { to: 'device', pfn: DEVICE_PFN + 2 }]);
    expect(s.device).toEqual([null, null, null]);
    expect(enabled(s)).toEqual([w(0), w(1), w(2), revoke]);
  });

  it('before the revoke, writes reach device memory without a fault', () => {
    const s = run({ pages: 4, policy: 'sigbus' }, [w(1), w(1), w(3)]).at(-1)!;
    expect(s.device).toEqual([null, 2, null, 3]);
    expect([s.toDevice, s.faults, s.event!.outcome, s.event!.source]).toEqual([3, 0, 'device', null]);
  });

  it('revoke clears every PTE and keeps the device contents; no second revoke', () => {
    const s = run({ pages: 4, policy: 'scratch' }, [w(2), revoke]).at(-1)!;
    expect(s.ptes).toEqual([null, null, null, null]);
    expect(s.device).toEqual([null, null, 1, null]);
    expect(s.event!.source).toEqual({ file: 'mm/memory.c', fn: 'unmap_mapping_range', version: '6.12' });
    expect(enabled(s)).not.toContainEqual(revoke);
    expect(() => step(s, revoke)).toThrow(/not possible now/);
  });

  it('SIGBUS policy, no handler: the next write faults, never reaches the device, and the process is killed', () => {
    const states = run({ pages: 4, policy: 'sigbus' }, [w(0), revoke, w(0)]);
    const s = states.at(-1)!;
    expect(s.event!.outcome).toBe('fault-sigbus');
    expect(s.event!.source).toEqual({ file: 'arch/x86/mm/fault.c', fn: 'do_sigbus', version: '6.12' });
    expect([s.process, s.faults, s.sigbus, s.lost]).toEqual(['killed', 1, 1, 1]);
    expect(s.device).toEqual([1, null, null, null]);
    expect(s.ptes[0]).toBe(null);
    expect(enabled(s)).toEqual([]);
    expect(() => step(s, w(1))).toThrow(/not possible now/);
  });

  it('SIGBUS policy with a handler: every write to a revoked page faults again, none lands anywhere', () => {
    const s = run({ pages: 2, policy: 'sigbus', sigbusHandler: true }, [revoke, w(1), w(1), w(0)]).at(-1)!;
    expect([s.process, s.faults, s.sigbus, s.lost, s.toScratch]).toEqual(['running', 3, 3, 3, 0]);
    expect(s.ptes).toEqual([null, null]);
    expect(s.scratch).toBe(null);
    expect(s.event!.narration).toContain('faults again');
  });

  it('scratch policy: the first write to each page faults once and maps the scratch page; later writes land there silently', () => {
    const states = run({ pages: 3, policy: 'scratch' }, [w(0), revoke, w(0), w(0), w(2)]);
    const outcomes = states.slice(1).map((s) => s.event!.outcome);
    expect(outcomes).toEqual(['device', 'revoked', 'fault-scratch', 'scratch', 'fault-scratch']);
    const s = states.at(-1)!;
    expect(s.ptes).toEqual([{ to: 'scratch', pfn: SCRATCH_PFN }, null, { to: 'scratch', pfn: SCRATCH_PFN }]);
    expect([s.faults, s.sigbus, s.toScratch, s.lost, s.process]).toEqual([2, 0, 3, 0, 'running']);
    // The device still holds what was written before the revoke; the scratch page holds the last late write.
    expect(s.device).toEqual([1, null, null]);
    expect(s.scratch).toEqual({ value: 4, page: 2 });
    expect(s.event!.narration).toContain('overwrites write #3, which came from page 0');
    expect(states[3].event!.source).toEqual({ file: 'mm/memory.c', fn: 'vmf_insert_pfn', version: '6.12' });
  });

  it('is pure: stepping does not change the state it was given', () => {
    const s0 = initialState({ pages: 2, policy: 'scratch' });
    const copy = JSON.stringify(s0);
    step(step(s0, revoke), w(0));
    expect(JSON.stringify(s0)).toBe(copy);
  });

  it('runs on the shared Model interface (replay)', () => {
    const states = replay(revokeModel, { pages: 2, policy: 'scratch' }, 0, [w(1), revoke, w(1)]);
    expect(states.map((s) => (revokeModel.event(s) as RevokeEvent | null)?.outcome ?? null)).toEqual([null, 'device', 'revoked', 'fault-scratch']);
  });

  it('refuses bad parameters and impossible steps with a clear error', () => {
    expect(() => initialState({ pages: 0, policy: 'sigbus' })).toThrow(/pages must be an integer in 1\.\.8, got 0/);
    expect(() => initialState({ pages: 9, policy: 'sigbus' })).toThrow(RangeError);
    expect(() => initialState({ pages: 2, policy: 'ignore' as 'sigbus' })).toThrow(/policy must be/);
    expect(() => step(initialState({ pages: 2, policy: 'sigbus' }), w(2))).toThrow(/not possible now/);
  });
});
