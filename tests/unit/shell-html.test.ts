/** The player shell's words (components/player/shell-html.ts). */
import { describe, expect, it } from 'vitest';
import { stepLabel, traceCountText } from '../../components/player/shell-html.ts';

describe('step label and trace count agree', () => {
  it('"Step 22 of 22" sits beside "22 steps so far", not 23 (the trace lists the start as entry 0)', () => {
    for (const [index, last] of [[0, 5], [1, 5], [22, 22]] as const) {
      const label = stepLabel(index, last, index === last);
      const n = Number(/^Step (\d+)/.exec(label)![1]);
      expect(traceCountText(index)).toBe(n === 1 ? '1 step' : `${n} steps`);
    }
    expect(traceCountText(0)).toBe('0 steps');
  });
});
