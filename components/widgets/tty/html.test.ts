import { describe, expect, it } from 'vitest';
import { replay, runToEnd, ttyModel, type TtyChoice, type TtyParams } from '../../../sims/tty/index.ts';
import { esc } from '../../player/shell-html.ts';
import { receivedSpansHtml, tablesHtml, verdictHtml } from './html.ts';
import { narrationOf, receivedLetters, runsText } from './format.ts';
import { verdictOf } from './verdict.ts';
import { smallTtyParams } from '../../../tests/unit/helpers/widget-test.ts';

const params: TtyParams = smallTtyParams([6, 3], { variant: 'no-lock', xmitSize: 16 });
const run = (w: number): TtyChoice => ({ kind: 'run', writer: w });

describe('tty text views', () => {
  it('escapes HTML', () => {
    expect(esc(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });

  it('narrates the initial state and has no source for it', () => {
    const s0 = ttyModel.initialState(params, 1);
    expect(narrationOf(s0)).toMatch(/writers A and B are each about to call write\(2\)/);
    expect(s0.event).toBeNull();
    expect(verdictOf(s0, false)).toEqual({ status: 'running', message: 'No interleaving so far' });
  });

  it('reports where another writer\'s bytes land inside a write', () => {
    // Without atomic_write_lock: A copies its first 4-byte chunk, then B copies all 3 bytes.
    const states = replay(ttyModel, params, 1, [run(0), run(0), run(1), run(1), run(0)]);
    const s = states[states.length - 1];
    const v = verdictOf(s, false);
    expect(v.status).toBe('interleaved');
    expect(v.message).toBe("Interleaved: B's bytes land inside A's write at byte 4");
    expect(verdictHtml(s, v)).toContain('data-status="interleaved"');
  });

  it('shows each write(2) result at the end, and the received bytes in tables', () => {
    const kernel = { ...params, variant: 'kernel' as const };
    const { states } = runToEnd(ttyModel, kernel, 1);
    const s = states[states.length - 1];
    const v = verdictOf(s, true);
    expect(v.status).toBe('atomic');
    const html = verdictHtml(s, v);
    expect(html).toContain('write() = 6');
    expect(html).toContain('write() = 3');
    expect(receivedLetters(s.received)).toBe('AAAAAABBB');
    expect(runsText(s.received)).toBe('A×6, B×3');
    const tables = tablesHtml(s);
    expect(tables).toContain('A×6, B×3');
    expect(tables).toContain('<caption>Writers</caption>');
    expect(receivedSpansHtml([])).toContain('nothing received yet');
  });

  it('highlights partial and failed writes', () => {
    const nb: TtyParams = {
      ...params,
      variant: 'kernel',
      writers: [
        { size: 20, nonblock: true, signal: false },
        { size: 3, nonblock: true, signal: false },
      ],
      xmitSize: 8,
    };
    // A takes the lock and fills the ring (7 bytes), B finds the lock held, A returns partial.
    let s = ttyModel.initialState(nb, 1);
    for (const c of [run(0), run(1)]) s = ttyModel.step(s, c);
    while (s.writers[0].phase !== 'done') s = ttyModel.step(s, run(0));
    const html = verdictHtml(s, verdictOf(s, false));
    expect(html).toContain('write() = -1 EAGAIN');
    expect(html).toMatch(/data-kind="partial"[\s\S]*write\(\) = 7/);
  });
});
