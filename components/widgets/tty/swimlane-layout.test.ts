import { describe, expect, it } from 'vitest';
import { replay, ttyModel, type TtyChoice, type TtyParams } from '../../../sims/tty/index.ts';
import { swimlaneLayout } from './swimlane-layout.ts';
import { smallTtyParams } from '../../../tests/unit/helpers/widget-test.ts';

const base: TtyParams = smallTtyParams([6, 4], { chunkSize: 8 }, [false, true]);

const run = (w: number): TtyChoice => ({ kind: 'run', writer: w });
const uart: TtyChoice = { kind: 'uart' };

describe('swimlaneLayout', () => {
  it('is empty for no states, and has one lane per writer plus the UART', () => {
    expect(swimlaneLayout([])).toEqual({ columns: 0, lanes: [] });
    const states = replay(ttyModel, base, 1, []);
    const layout = swimlaneLayout(states);
    expect(layout.columns).toBe(1);
    expect(layout.lanes.map((l) => l.key)).toEqual(['w0', 'w1', 'drain']);
    expect(layout.lanes.map((l) => l.label)).toEqual(['writer A', 'writer B', 'UART']);
    expect(layout.lanes.every((l) => l.segments.length === 0 && l.markers.length === 0)).toBe(true);
  });

  it('merges columns where a writer holds the lock, and marks lock-waits and returns', () => {
    // A takes the lock; B blocks on it; A copies (ring holds 7 of 8 slots: 6 bytes fit).
    const schedule: TtyChoice[] = [run(0), run(1), run(0)];
    const states = replay(ttyModel, base, 1, schedule);
    const layout = swimlaneLayout(states);
    const a = layout.lanes[0];
    const b = layout.lanes[1];
    // Sanity on the model's phases this test relies on.
    expect(states[1].lockOwner).toBe(0);
    expect(states[2].writers[1].phase).toBe('lock-wait');
    // A: holding from column 1 while not done.
    expect(a.segments[0]).toMatchObject({ kind: 'holds', from: 1, holdsLock: true });
    const aDone = states.findIndex((s) => s.writers[0].phase === 'done');
    if (aDone >= 0) {
      expect(a.segments[a.segments.length - 1].to).toBe(aDone);
      expect(a.markers).toContainEqual(expect.objectContaining({ kind: 'return', step: aDone, label: 'write() = 6', result: 'full' }));
    } else {
      expect(a.segments[a.segments.length - 1].to).toBe(states.length);
    }
    // B: asleep for the lock from column 2.
    expect(b.segments[0]).toMatchObject({ kind: 'lock-wait', from: 2, holdsLock: false });
    // A copied bytes in the step into column 3.
    const copied = a.transfers.reduce((n, t) => n + t.total, 0);
    expect(copied).toBe(states[3].writers[0].written);
  });

  it('records what the UART sent, by writer, in the drain lane', () => {
    const schedule: TtyChoice[] = [run(0), run(0)];
    const states = replay(ttyModel, base, 1, schedule);
    let s = states[states.length - 1];
    const all = states.slice();
    while (ttyModel.enabled(s).some((c) => c.kind === 'uart')) {
      s = ttyModel.step(s, uart);
      all.push(s);
    }
    const drain = swimlaneLayout(all).lanes[2];
    expect(drain.writer).toBeNull();
    const sent = drain.transfers.reduce((n, t) => n + t.total, 0);
    expect(sent).toBe(s.received.length);
    expect(drain.transfers[0].step).toBe(3);
    expect(drain.transfers[0].parts).toEqual([{ writer: 0, count: Math.min(4, s.received.length) }]);
  });

  it('marks a signal in the lane of the writer it was sent to', () => {
    const schedule: TtyChoice[] = [run(0), run(1), { kind: 'signal', writer: 1 }];
    const states = replay(ttyModel, base, 1, schedule);
    const b = swimlaneLayout(states).lanes[1];
    expect(b.markers).toContainEqual({ kind: 'signal', step: 3, label: 'signal' });
  });

  it('labels the far end "reader" for a pipe', () => {
    const states = replay(ttyModel, { ...base, variant: 'pipe' }, 1, []);
    expect(swimlaneLayout(states).lanes[2].label).toBe('reader');
  });
});
