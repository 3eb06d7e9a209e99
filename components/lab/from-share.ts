/**
 * "Open in the Lab": turns a player's share text (`#sim=...`, sims/core/share.ts) into the
 * cells that recreate that run, at that step, so the learner can change a parameter and watch
 * the run and its dependents update. Loaded only when the Lab is opened with `?sim=`.
 */
import { decodeMmShare } from '../../sims/mm/index.ts';
import { decodeShare } from '../../sims/tty/index.ts';

/** The cells for a share text, or why it cannot be opened. */
export function cellsFromShare(text: string): { ok: true; title: string; cells: string[] } | { ok: false; error: string } {
  if (text.startsWith('mm.')) return mmCells(text);
  const r = decodeShare(text);
  if (!r.ok) return { ok: false, error: `This player link cannot be opened in the Lab: ${r.error}` };
  {
    return {
      ok: true,
      title: 'A tty run from a player',
      cells: [
        `import { ttyModel } from '@sims/tty';\n// The player's run: change a parameter, then press Shift+Enter.\nconst params = ${JSON.stringify(r.params, null, 2)};\nconst schedule = ${JSON.stringify(r.schedule)};\nconst step = ${r.step};\nconst model = ttyModel;`,
        `// The run up to the step the player showed.\nconst run = { model, params, schedule: schedule.slice(0, step) };`,
        `import { replay, receivedText } from '@sims/tty';\n// What the reader received at that step.\nconst received = receivedText(replay(model, params, 1, schedule.slice(0, step)).at(-1)!);`,
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
      `import { mmModel, MM_PRESETS } from '@sims/mm';\n// The player's run: the preset "${r.preset}" and its schedule up to step ${r.step}.\nconst preset = ${JSON.stringify(r.preset)};\nconst params = MM_PRESETS[preset].params;\nconst schedule = ${JSON.stringify(r.schedule)}.slice(0, ${r.step});\nconst model = mmModel;`,
      `const run = { model, params, schedule, preset };`,
    ],
  };
}
