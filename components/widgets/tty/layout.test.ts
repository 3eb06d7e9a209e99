import { describe, expect, it } from 'vitest';
import { replay, ttyModel, TTY_PRESETS, type TtyParams, type TtyState } from '../../../sims/tty/index.ts';
import { SCENE_W, sceneToSvg, type Scene, type Shape } from '../../scene/scene.ts';
import { BUFFER_MIN_FONT, BUFFER_PHONE_MIN_W, bufferScene, pipeScene, ringScene, textWidth } from './layout.ts';

/** `states` continued to the end of the run, taking the `k`-th enabled choice at step `k` (mod). */
function toEnd(states: TtyState[], maxSteps = 5000): TtyState[] {
  for (let k = 0; k < maxSteps; k++) {
    const cur = states[states.length - 1];
    const choices = ttyModel.enabled(cur);
    if (choices.length === 0) break;
    states.push(ttyModel.step(cur, choices[k % choices.length]));
  }
  return states;
}

/** Every state of a preset's run (its schedule, then on to the end). */
function presetStates(key: string): TtyState[] {
  const p = TTY_PRESETS[key];
  return toEnd(replay(ttyModel, p.params, 1, p.schedule ?? []));
}

/** The horizontal extent a shape's geometry reaches (text: its anchor point). */
function xs(s: Shape): number[] {
  if (s.kind === 'rect') return [s.x, s.x + s.w];
  if (s.kind === 'text') {
    // Monospace at 0.6 em a character (13 units for the ring's centre title, else 12).
    const w = textWidth(s.text, s.cls.includes('rv-center-title') ? 13 : BUFFER_MIN_FONT);
    return s.anchor === 'middle' ? [s.x - w / 2, s.x + w / 2] : s.anchor === 'end' ? [s.x - w, s.x] : [s.x, s.x + w];
  }
  return Array.from(s.d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)|A[\d.]+,[\d.]+ \d \d \d (-?[\d.]+),(-?[\d.]+)/g)).map((m) => Number(m[1] ?? m[3]));
}
function ys(s: Shape): number[] {
  if (s.kind === 'rect') return [s.y, s.y + s.h];
  if (s.kind === 'text') return [s.y];
  return Array.from(s.d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)|A[\d.]+,[\d.]+ \d \d \d (-?[\d.]+),(-?[\d.]+)/g)).map((m) => Number(m[2] ?? m[4]));
}

/** Checks one run's scenes: one size for the whole run, unique keys, everything inside. */
function checkRun(states: readonly TtyState[], label: string): Scene[] {
  const scenes = states.map(bufferScene);
  const { width, height } = scenes[0];
  expect(width, label).toBe(SCENE_W);
  scenes.forEach((sc, i) => {
    const at = `${label}, step ${i}`;
    expect([sc.width, sc.height], at).toEqual([width, height]);
    const keys = sc.shapes.map((s) => s.key);
    expect(new Set(keys).size, at).toBe(keys.length);
    for (const s of sc.shapes) {
      expect(s.key.startsWith(`${s.kind}:`), `${at}: ${s.key}`).toBe(true);
      for (const x of xs(s)) {
        expect(x, `${at}: ${s.key}`).toBeGreaterThanOrEqual(0);
        expect(x, `${at}: ${s.key}`).toBeLessThanOrEqual(width);
      }
      for (const y of ys(s)) {
        expect(y, `${at}: ${s.key}`).toBeGreaterThanOrEqual(0);
        expect(y, `${at}: ${s.key}`).toBeLessThanOrEqual(height);
      }
    }
    expect(sc.desc.length, at).toBeGreaterThan(20);
  });
  return scenes;
}

describe('the tty buffer scene', () => {
  for (const key of Object.keys(TTY_PRESETS)) {
    it(`keeps one size, unique keys and every shape inside, at every step of preset ${key}`, () => {
      const states = presetStates(key);
      expect(states.length).toBeGreaterThan(3);
      checkRun(states, key);
    });
  }

  const base: TtyParams = TTY_PRESETS['kernel-blocking'].params;
  for (const xmitSize of [4, 8, 16, 64, 4096]) {
    it(`draws a ring of ${xmitSize} slots inside the scene through a whole run`, () => {
      const params = { ...base, xmitSize };
      const states = toEnd([ttyModel.initialState(params, 1)]);
      const scenes = checkRun(states, `xmit ${xmitSize}`);
      const slots = scenes[0].shapes.filter((s) => s.key.startsWith('path:slot-'));
      expect(slots).toHaveLength(Math.min(xmitSize, 64));
    });
  }

  for (const [pipeBuf, pipeSlots] of [[4, 2], [4, 4], [8, 16], [4096, 2]]) {
    it(`draws ${pipeSlots} pipe pages of ${pipeBuf} bytes inside the scene through a whole run`, () => {
      const params: TtyParams = { ...TTY_PRESETS['pipe-large'].params, pipeBuf, pipeSlots };
      const states = toEnd([ttyModel.initialState(params, 1)]);
      const scenes = checkRun(states, `pipe ${pipeBuf}x${pipeSlots}`);
      expect(scenes[0].shapes.filter((s) => s.key.startsWith('rect:page-'))).toHaveLength(pipeSlots);
    });
  }

  it('shows the ring’s bytes, head and tail, and says so in words', () => {
    const states = presetStates('kernel-blocking');
    const s = states.find((st) => st.xmit.head !== st.xmit.tail)!;
    const sc = ringScene(s);
    const filled = sc.shapes.filter((sh) => sh.cls.includes('rv-full'));
    const queued = (s.xmit.head - s.xmit.tail + s.params.xmitSize) % s.params.xmitSize;
    expect(filled.length).toBeGreaterThanOrEqual(queued);
    expect(sc.shapes.find((sh) => sh.key === 'text:center-count')).toMatchObject({ text: `${queued}/${s.params.xmitSize - 1}` });
    expect(sc.shapes.map((sh) => sh.key)).toEqual(expect.arrayContaining(['path:head-line', 'path:head-arrow', 'text:head-label', 'path:tail-line', 'text:tail-label']));
    expect(sc.desc).toContain(`holds ${queued} bytes`);
    expect(sc.desc).toContain(`tail ${s.xmit.tail} to head ${s.xmit.head}`);
    expect(sc.shapes.find((sh) => sh.key === 'text:stat')).toMatchObject({ text: `${queued} of ${s.params.xmitSize - 1} bytes · head ${s.xmit.head} · tail ${s.xmit.tail}` });
  });

  it('shows the pipe’s pages with the bytes the reader consumed greyed', () => {
    const states = presetStates('pipe-large');
    const s = states.find((st) => st.pipe.bufs.some((b) => b.offset > 0))!;
    expect(s).toBeDefined();
    const sc = pipeScene(s);
    expect(sc.shapes.some((sh) => sh.cls.includes('rv-read'))).toBe(true);
    expect(sc.desc).toMatch(/^The pipe uses \d of 2 page buffers and holds \d+ bytes/);
  });

  it('server-renders as SVG with the keys the browser joins on', () => {
    const sc = bufferScene(presetStates('kernel-blocking')[5]);
    const svg = sceneToSvg(sc);
    for (const s of sc.shapes) expect(svg).toContain(`data-key="${s.key}"`);
  });

  it('keeps its smallest text at 11 px on a phone', () => {
    expect((BUFFER_PHONE_MIN_W * BUFFER_MIN_FONT) / SCENE_W).toBeGreaterThanOrEqual(11);
  });
});
