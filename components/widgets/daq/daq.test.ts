import { describe, it, expect } from 'vitest';
import { daqModel, initialState, enabled, step, runToHorizon } from '../../../sims/daq/index.ts';
import { ringModel, correctHandler } from '../../../sims/daq/index.ts';
import { DAQ_PRESETS, FIELDS, fieldValue, paramsFromForm, presetOf, ringSetup, RING_DEFAULT, RING_VARIANTS } from './definition.ts';
import { bytes, counters, dur, mbps, narrationOf } from './format.ts';
import { countersHtml, formulaHtml, ringTableHtml, tablesHtml } from './html.ts';
import { buffersScene, DAQ_MIN_FONT, DAQ_PHONE_MIN_W, DAQ_SCENE_W, ringSvg, ringWidth, timelineScene, timeWindow } from './layout.ts';
import { sceneToSvg, type Scene } from '../../scene/scene.ts';
import { widgetHtml } from '../../player/widget-html.ts';
import { daqWidget } from './definition.ts';

const timelineSvg = (s: Parameters<typeof timelineScene>[0]) => sceneToSvg(timelineScene(s));
const buffersSvg = (s: Parameters<typeof buffersScene>[0]) => sceneToSvg(buffersScene(s));
import { breakdownRows, costRows, figure } from './summary.ts';

describe('daq widget: formatting', () => {
  it('formats units', () => {
    expect(mbps(350e6)).toBe('350.0 MB/s');
    expect(mbps(2e6)).toBe('2.00 MB/s');
    expect(bytes(65536)).toBe('64 KiB');
    expect(bytes(1 << 20)).toBe('1 MiB');
    expect(dur(540)).toBe('540 ns');
    expect(dur(2_000_000)).toBe('2.00 ms');
  });

  it('shows the overrun counter only for the ring design, and flags lost bytes', () => {
    const c = runToHorizon(DAQ_PRESETS['design-c-overrun'].params);
    expect(counters(c).find((x) => x.key === 'overruns')?.bad).toBe(true);
    expect(counters(initialState(DAQ_PRESETS['design-b'].params)).some((x) => x.key === 'overruns')).toBe(false);
    const a = runToHorizon(DAQ_PRESETS['design-a'].params);
    expect(counters(a).find((x) => x.key === 'lost')?.bad).toBe(true);
  });

  it('narrates the initial state of each design', () => {
    for (const p of Object.values(DAQ_PRESETS)) expect(narrationOf(initialState(p.params)).length).toBeGreaterThan(20);
  });
});

describe('daq widget: the parameter form', () => {
  const base = DAQ_PRESETS['design-b'].params;
  it('shows each field in its unit and reads it back unchanged', () => {
    const values = Object.fromEntries(FIELDS.filter((f) => f.designs.includes('B')).map((f) => [f.name, String(fieldValue(base, f))]));
    expect(values.rate).toBe('350');
    expect(values.read).toBe('1024');
    expect(paramsFromForm(base, values)).toEqual(base);
  });
  it('refuses a value that is not a number, naming the field', () => {
    expect(paramsFromForm(base, { rate: 'fast' })).toMatch(/Device rate/);
    expect(paramsFromForm(base, { rate: '' })).toMatch(/not a number/);
  });
  it('refuses parameters the model rejects, with the model\'s reason', () => {
    expect(paramsFromForm(base, { read: '3' })).toMatch(/read_bytes/);
    expect(paramsFromForm(base, { inflight: '3' })).toMatch(/reads_in_flight/);
  });
  it('applies good values in model units', () => {
    const p = paramsFromForm(base, { read: '4096', consumer: '500' });
    expect(typeof p).toBe('object');
    if (typeof p === 'object') {
      expect(p.read_bytes).toBe(4 << 20);
      expect(p.costs.consumer_Bps).toBe(500e6);
      expect(base.read_bytes).toBe(1 << 20);
    }
  });
  it('an unknown preset fails with the known ones', () => {
    expect(() => presetOf('design-z')).toThrow(/design-a/);
  });
});

describe('daq widget: drawings and tables', () => {
  it('draws every lane and the bars kept in the state, inside the window', () => {
    let s = initialState(DAQ_PRESETS['design-b'].params);
    for (let i = 0; i < 10; i++) s = step(s, enabled(s)[0]);
    const svg = timelineSvg(s);
    for (const lane of ['device', 'DMA engine', 'interrupt', 'kernel thread', 'process']) expect(svg).toContain(`>${lane}<`);
    expect((svg.match(/class="daq-bar /g) ?? []).length).toBe(s.bars.length);
    const { t0, t1 } = timeWindow(s);
    expect(t0).toBeLessThanOrEqual(t1);
    expect(svg).not.toContain('NaN');
  });
  it('draws the ring with each owner', () => {
    const s = runToHorizon(DAQ_PRESETS['design-c-overrun'].params);
    const svg = buffersSvg(s);
    for (const o of s.slots) expect(svg).toContain(`daq-own-${o}`);
    expect(tablesHtml(s)).toContain(`produced = ${s.produced}`);
  });
  it('the formula and counters render for every preset without NaN', () => {
    for (const p of Object.values(DAQ_PRESETS)) {
      const s = initialState(p.params);
      expect(formulaHtml(s)).toMatch(/MB\/s/);
      expect(countersHtml(s)).not.toContain('NaN');
    }
  });
  it('the ring player renders each slot and the counters', () => {
    const { params, handler } = ringSetup(RING_DEFAULT);
    const m = ringModel(handler);
    const s = m.initialState(params, 1);
    expect(ringSvg(s)).toContain('buffer 1');
    expect(ringWidth(4)).toBeGreaterThan(ringWidth(2));
    expect(ringTableHtml(s)).toContain(String(2 ** 32 - 2));
    expect(handler).toBe(correctHandler);
    expect(RING_VARIANTS.map((v) => v.value)).toContain('refill-full');
  });
});

describe('daq widget: scenes and the server render', () => {
  /** Every state of a preset's run (the player's default: the first enabled choice). */
  function run(key: string, max = 400) {
    let s = initialState(DAQ_PRESETS[key].params);
    const out = [s];
    for (let i = 0; i < max && enabled(s).length > 0; i++) out.push((s = step(s, enabled(s)[0])));
    return out;
  }
  const check = (sc: Scene) => {
    const keys = sc.shapes.map((x) => x.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(JSON.stringify(sc.shapes)).not.toMatch(/NaN|null/);
    return `${sc.width}x${sc.height}`;
  };
  it('each scene keeps one size for a whole run, with unique keys and no NaN, for every preset', () => {
    for (const key of Object.keys(DAQ_PRESETS)) {
      const states = run(key);
      expect(new Set(states.map((s) => check(timelineScene(s)))).size).toBe(1);
      expect(new Set(states.map((s) => check(buffersScene(s)))).size).toBe(1);
    }
  });
  it('bars inside the drawing: every rectangle lies within the scene', () => {
    for (const key of Object.keys(DAQ_PRESETS)) {
      for (const s of run(key, 200)) {
        for (const sc of [timelineScene(s), buffersScene(s)]) {
          for (const r of sc.shapes) if (r.kind === 'rect') expect(r.x >= 0 && r.x + r.w <= sc.width + 0.05 && r.y + r.h <= sc.height).toBe(true);
        }
      }
    }
  });
  it('phones draw the scenes wide enough for 11 px text', () => {
    expect((DAQ_PHONE_MIN_W * DAQ_MIN_FONT) / DAQ_SCENE_W).toBeGreaterThanOrEqual(11);
    expect(daqWidget.figures.every((f) => f.phoneMinWidth === DAQ_PHONE_MIN_W)).toBe(true);
  });
  it('the server renders every preset with both tabs, the counters, the form and a share button', async () => {
    for (const key of Object.keys(DAQ_PRESETS)) {
      const html = await widgetHtml(daqWidget, { preset: key, uid: `t-${key}` });
      expect(html).toContain('data-model="daq"');
      expect(html).toContain(`data-design="${DAQ_PRESETS[key].params.design}"`);
      expect(html).toContain('role="tab"');
      expect(html).toContain('data-part="svg-timeline"');
      expect(html).toContain('data-part="svg-buffers"');
      expect(html).toContain('data-counter="lost"');
      expect(html).toContain('<form data-part="params"');
      expect(html).toContain('data-part="params-msg"');
      expect(html).toContain('Copy link to this step');
      expect(html).toContain('class="daq-tables"');
      // The table view is filled by the element (a lazy part): the server draws the scenes.
      expect(html).not.toContain('daq-table"');
      expect(html).not.toContain('NaN');
    }
    await expect(widgetHtml(daqWidget, { preset: 'design-z', uid: 'x' })).rejects.toThrow(/design-a/);
  });
});

describe('daq widget: computed figures for the lesson', () => {
  it('prints the model\'s figures, never NaN', () => {
    expect(figure('design-a', 'collected')).toMatch(/^[12]\.\d\d MB\/s$/);
    expect(figure('design-b-two-reads', 'lost-pct')).toBe('0.0%');
    expect(() => figure('nope', 'delivered')).toThrow(/known/);
    expect(breakdownRows('design-a')[0].term).toBe('mmio_read');
    expect(costRows().every((r) => r.note.length > 10)).toBe(true);
  });
  it('the player model id is daq', () => {
    expect(daqModel.id).toBe('daq');
  });
});
