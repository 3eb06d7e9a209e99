import { describe, expect, it } from 'vitest';
import { coherenceModel, COHERENCE_PRESETS } from '../../../sims/dma/index.ts';
import * as words from './format.ts';
import { presetRunner, last } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(coherenceModel, COHERENCE_PRESETS);

describe('coherence widget words', () => {
  it('formats ranges and bytes', () => {
    expect(words.range(0x40, 32)).toBe('0x40–0x5f');
    expect(words.range(0x40, 1)).toBe('0x40');
    expect(words.bytesShort([1, 2, 3])).toBe('01 02 03');
    expect(words.bytesShort(Array.from({ length: 32 }, (_, i) => i + 1))).toBe('01 02 03 04 … 1f 20');
    expect(words.diffIndices([1, 2, 3], [1, 9, 3, 4])).toEqual([1, 3]);
    expect(words.linesOfRange(16, 0x44, 28)).toEqual([4, 5]);
    expect(words.linesOfRange(16, 0x40, 0)).toEqual([]);
  });

  it('names every platform of the presets', () => {
    const names = Object.keys(COHERENCE_PRESETS).map((k) => words.platformInfo(COHERENCE_PRESETS[k].params).key);
    expect(new Set(names)).toEqual(new Set(['x86', 'arm64', 'arm926', 'swiotlb']));
    expect(words.platformInfo(COHERENCE_PRESETS['fails-with-swiotlb'].params).detail).toContain('0x0–0x3f');
  });

  it('has a narration for the initial state and uses the model’s after', () => {
    const states = run('rx-no-sync-arm');
    expect(words.narrationOf(states[0])).toMatch(/^Nothing has run yet\. On non-coherent arm64/);
    expect(words.narrationOf(states[2])).toBe(states[2].event!.narration);
  });

  it('sees the stale clean lines on arm64 after the device writes', () => {
    const states = run('rx-no-sync-arm');
    const s = states[6]; // the device has written both lines
    expect(words.slotInfo(s, 4).status).toBe('clean');
    expect(words.slotInfo(s, 4).differs).toHaveLength(16);
    expect(words.slotInfo(s, 0).status).toBe('invalid');
    const ch = words.changesOf(states[5], s);
    expect([...ch.ram].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => 0x50 + i));
    expect(ch.cache.size).toBe(0);
    expect(words.changesOf(null, s).ram.size).toBe(0);
  });

  it('gives the verdicts the presets end with', () => {
    const verdict = (k: string) => words.dataVerdict(last(run(k))).kind;
    expect(verdict('rx-no-sync-arm')).toBe('stale');
    expect(verdict('fails-with-swiotlb')).toBe('stale');
    expect(verdict('tx-no-clean-arm')).toBe('old-sent');
    expect(verdict('works-on-x86')).toBe('right');
    expect(verdict('rx-correct')).toBe('right');
    expect(verdict('coherent-alloc')).toBe('right');
    expect(words.dataVerdict(run('rx-no-sync-arm')[0]).kind).toBe('pending');
    expect(words.dataVerdict(last(run('tx-no-clean-arm'))).text).toMatch(/^Old bytes sent/);
    // Agrees with the model's own check.
    for (const k of Object.keys(COHERENCE_PRESETS)) {
      const v = words.dataVerdict(last(run(k))).kind;
      expect(v === 'right' || v === 'pending', k).toBe(COHERENCE_PRESETS[k].outcome.dataRight);
    }
  });

  it('finds the spans of live mappings, bounce slots included', () => {
    const states = run('fails-with-swiotlb');
    const spans = words.ownedSpans(states[3]);
    expect(spans).toEqual([
      { mapping: 0, owner: 'device', start: 0x40, len: 32, bounce: false },
      { mapping: 0, owner: 'device', start: 0x20, len: 32, bounce: true },
    ]);
    expect(words.ownedSpans(last(states))).toEqual([]);
    expect(words.mappingLabel(states[3].mappings[0])).toBe('#0 dma_map_single 0x40–0x5f DMA_FROM_DEVICE');
  });

  it('sizes the data items and mappings from the program alone', () => {
    const p = COHERENCE_PRESETS['debug-checker'].params;
    expect(words.maxMappingsOf(p.program)).toBe(last(run('debug-checker')).mappings.length);
    expect(words.dataItemsOf(COHERENCE_PRESETS['coherent-alloc'].params.program)).toEqual([
      { kind: 'send', len: 4 },
      { kind: 'write', len: 2 },
      { kind: 'read', len: 2 },
    ]);
  });
});
