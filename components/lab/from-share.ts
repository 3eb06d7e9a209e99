/**
 * "Open in the Lab": turns a player's share text (`#sim=...`, sims/core/share.ts) into the
 * cells that recreate that run, at that step, so the learner can change a parameter and watch
 * the run and its dependents update. The cells carry the link's whole schedule and the step
 * (`{ model, params, schedule, step }`), so the player in the Lab opens at that step and can
 * still step on to the end. Loaded only when the Lab is opened with `?sim=`.
 */
import { decodePresetShare, type PresetShareSpec } from '../../sims/core/share.ts';
import { decodeDaqShare } from '../../sims/daq/index.ts';
import { COHERENCE_PRESETS, coherenceModel, DMA_PRESETS, dmaModel } from '../../sims/dma/index.ts';
import { decodeMmShare } from '../../sims/mm/index.ts';
import { decodeShare } from '../../sims/tty/index.ts';
import { UIO_PRESETS, uioModel } from '../../sims/uio/index.ts';

/** The preset players' models, by link id: the module a cell imports them from and their names there. */
const PRESET_MODELS: Record<string, { module: string; model: string; presets: string; spec: PresetShareSpec<unknown, unknown, unknown> }> = {
  dma: { module: '@sims/dma', model: 'dmaModel', presets: 'DMA_PRESETS', spec: { model: dmaModel, presets: DMA_PRESETS, noun: 'scatter-gather simulation' } as never },
  'dma-coherence': { module: '@sims/dma', model: 'coherenceModel', presets: 'COHERENCE_PRESETS', spec: { model: coherenceModel, presets: COHERENCE_PRESETS, noun: 'coherence simulation' } as never },
  uio: { module: '@sims/uio', model: 'uioModel', presets: 'UIO_PRESETS', spec: { model: uioModel, presets: UIO_PRESETS, noun: 'UIO simulation' } as never },
};

/**
 * The cells of a preset player's link (`<model>.1.<preset>.<choices>.<step>`, and the daq
 * model's links, which may carry changed parameters): the model, the preset's parameters
 * (or the link's), the schedule and the step, then the run.
 */
function presetCells(text: string): { ok: true; title: string; cells: string[] } | { ok: false; error: string } | null {
  const id = text.slice(0, text.indexOf('.'));
  let m: { module: string; model: string; presets: string };
  let preset: string;
  let schedule: unknown[];
  let step: number;
  let params: unknown = null;
  if (id === 'daq') {
    const r = decodeDaqShare(text);
    if (!r.ok) return { ok: false, error: `This player link cannot be opened in the Lab: ${r.error}` };
    m = { module: '@sims/daq', model: 'daqModel', presets: 'DAQ_PRESETS' };
    ({ preset, schedule, step } = r);
    if (r.changed) params = r.params;
  } else if (Object.hasOwn(PRESET_MODELS, id)) {
    m = PRESET_MODELS[id];
    const r = decodePresetShare(PRESET_MODELS[id].spec, text);
    if (!r.ok) return { ok: false, error: `This player link cannot be opened in the Lab: ${r.error}` };
    ({ preset, schedule, step } = r);
  } else return null;
  const paramsCell = params === null ? `${m.presets}[preset].params` : JSON.stringify(params, null, 2);
  return {
    ok: true,
    title: `The run "${preset}" from a player`,
    cells: [
      `import { ${m.model}, ${m.presets} } from '${m.module}';\n// The player's run: the preset "${preset}", its schedule, and the step the player showed (${step} of ${schedule.length}). Change a parameter or the step, then press Shift+Enter.\nconst preset = ${JSON.stringify(preset)};\nconst params = ${paramsCell};\nconst schedule = ${JSON.stringify(schedule)};\nconst step = ${step};\nconst model = ${m.model};`,
      `// The run, opened at that step.\nconst run = { model, params, schedule, step, preset };`,
    ],
  };
}

/** The cells for a share text, or why it cannot be opened. */
export function cellsFromShare(text: string): { ok: true; title: string; cells: string[] } | { ok: false; error: string } {
  if (text.startsWith('mm.')) return mmCells(text);
  const preset = presetCells(text);
  if (preset) return preset;
  const r = decodeShare(text);
  if (!r.ok) return { ok: false, error: `This player link cannot be opened in the Lab: ${r.error}` };
  {
    return {
      ok: true,
      title: 'A tty run from a player',
      cells: [
        `import { ttyModel } from '@sims/tty';\n// The player's run, and the step it showed (${r.step} of ${r.schedule.length}): change a parameter or the step, then press Shift+Enter.\nconst params = ${JSON.stringify(r.params, null, 2)};\nconst schedule = ${JSON.stringify(r.schedule)};\nconst step = ${r.step};\nconst model = ttyModel;`,
        `// The run, opened at that step.\nconst run = { model, params, schedule, step };`,
        `import { replay, receivedText } from '@sims/tty';\n// What the reader received at that step, and the line time it took (microseconds; the baud rate sets it).\nconst last = replay(model, params, 1, schedule.slice(0, step)).at(-1)!;\nconst received = receivedText(last);\nconst lineTimeUs = last.time_ns / 1000;`,
      ],
    };
  }
}

/** The cells of a memory model link. */
function mmCells(text: string): { ok: true; title: string; cells: string[] } | { ok: false; error: string } {
  const r = decodeMmShare(text);
  if (!r.ok) return { ok: false, error: `This player link cannot be opened in the Lab: ${r.error}` };
  return {
    ok: true,
    title: `The memory run "${r.preset}" from a player`,
    cells: [
      `import { mmModel, MM_PRESETS } from '@sims/mm';\n// The player's run: the preset "${r.preset}", its schedule, and the step the player showed (${r.step} of ${r.schedule.length}).\nconst preset = ${JSON.stringify(r.preset)};\nconst params = MM_PRESETS[preset].params;\nconst schedule = ${JSON.stringify(r.schedule)};\nconst step = ${r.step};\nconst model = mmModel;`,
      `// The run, opened at that step.\nconst run = { model, params, schedule, step, preset };`,
    ],
  };
}
