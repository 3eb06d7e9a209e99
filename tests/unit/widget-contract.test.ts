// @vitest-environment jsdom
/**
 * The widget contract, over every widget definition (`components/widgets/<name>/definition.ts`)
 * and the sixth-widget fixture (`tests/unit/fixtures/counter-widget/`), for every preset:
 *
 * - the server's whole render is what the element renders for step 0: every part's markup is
 *   the part's HTML for the first state, and every fact is on the host;
 * - the light render (what a lesson serves) has the heading, the description, the header
 *   parts, the facts, the first narration and each drawing's size, and the element builds the
 *   rest from it: the same parts in the same order, holding the first state, the same sizes;
 * - every part name the element reads (the shell's, the share box's, the definition's, each
 *   figure's SVG, `extraParts`) exists in the markup, once; ids are unique;
 * - every scene keeps its size for the whole run, has unique keys (each starting with its
 *   shape's kind), finite numbers, and its rectangles inside its width and height;
 * - every enabled choice at every step is styled (a colour for its button);
 * - a share link of every step reopens the same preset at the same step;
 * - the widget's tag is in `WIDGET_TAGS` with its model's id (links name the lesson that has it).
 *
 * Definitions are found by globbing, so a new widget folder is checked without editing this file.
 */
import { describe, expect, it } from 'vitest';
import type { AnyWidget, WidgetCtx } from '../../components/player/definition.ts';
import { shareSpecOf, widgetCtx } from '../../components/player/definition.ts';
import { PlayerCore } from '../../components/player/player-core.ts';
import { SHARE_PARTS, SHELL_PARTS } from '../../components/player/shell.ts';
import { parseBoxes } from '../../components/player/widget-body.ts';
import { defineWidget } from '../../components/player/widget-element.ts';
import { widgetHtml } from '../../components/player/widget-html.ts';
import { WIDGET_TAGS } from '../../components/widgets/tags.ts';
import { decodePresetShare, encodePresetShare } from '../../sims/core/share.ts';

const modules = import.meta.glob<Record<string, unknown>>(['../../components/widgets/*/definition.ts', './fixtures/*/definition.ts'], { eager: true });

/** Every exported value that is a widget definition. */
const widgets: AnyWidget[] = Object.values(modules).flatMap((m) =>
  Object.values(m).filter((v): v is AnyWidget => typeof v === 'object' && v !== null && 'tag' in v && 'model' in v && 'figures' in v && 'parts' in v),
);

/** At most this many states per preset are checked exhaustively (long runs are sampled evenly). */
const MAX_CHECKED = 400;

function timeline(def: AnyWidget, key: string): PlayerCore<unknown, unknown, unknown> {
  const spec = def.presets[key];
  return new PlayerCore({ model: def.model, params: spec.params, seed: 1, schedule: spec.schedule });
}

/** A preset's timeline and the context of its step 0 (uid `w-<key>`). */
function firstCtx(def: AnyWidget, key: string) {
  const player = timeline(def, key);
  const frame = def.frame ? def.frame(player.states) : undefined;
  return { player, ctx: widgetCtx(key, def.presets[key].params, player.states, 0, frame, `w-${key}`) };
}

/**
 * The checks of a whole player (`box` holds its host): every part the element reads exists
 * once, each part holds the first state, the facts are on the host, ids are unique and every
 * `aria-labelledby` names one. `by` is who made the markup: the server leaves a lazy part
 * empty; the element, once started, has filled those it re-renders on a step.
 */
function checkPlayer(def: AnyWidget, key: string, box: ParentNode, by: 'server' | 'element'): void {
  const host = box.querySelector(def.tag)!;
  expect(host, 'the host element').not.toBeNull();
  expect(host.id).toBe(`w-${key}`);
  expect(host.getAttribute('data-model')).toBe(def.model.id);
  expect(host.getAttribute('data-preset')).toBe(key);
  const names = [
    ...SHELL_PARTS,
    ...(def.share === false ? [] : SHARE_PARTS),
    ...def.parts.map((p) => p.name),
    ...def.figures.map((f) => `svg-${f.name}`),
    ...(def.extraParts ?? []),
  ];
  for (const n of names) expect(host.querySelectorAll(`[data-part="${n}"]`).length, `data-part="${n}"`).toBe(1);
  const { player, ctx } = firstCtx(def, key);
  for (const p of def.parts) {
    const empty = p.lazy && (by === 'server' || p.update === 'run');
    const el = host.querySelector(`[data-part="${p.name}"]`)!.cloneNode(true) as Element;
    // A started element has enabled the controls that need it (`data-needs-js`).
    if (by === 'element') el.querySelectorAll('[data-needs-js]').forEach((c) => c.setAttribute('disabled', ''));
    expect(el.innerHTML, `part ${p.name}`).toBe(empty ? '' : normal(p.html(ctx)));
  }
  for (const [k, v] of Object.entries(def.facts?.(ctx) ?? {})) expect(host.getAttribute(`data-${k}`), `data-${k}`).toBe(v);
  expect(host.querySelector('[data-part="narration"]')!.textContent).toBe(def.narration(player.states[0]));
  const ids = Array.from(box.querySelectorAll('[id]')).map((e) => e.id);
  expect(ids.length - new Set(ids).size, 'duplicate ids').toBe(0);
  for (const ref of Array.from(box.querySelectorAll('[aria-labelledby]')).flatMap((e) => e.getAttribute('aria-labelledby')!.split(' '))) {
    expect(ids, `aria-labelledby → #${ref}`).toContain(ref);
  }
}

/** Markup as the browser reads it back (attribute quoting, entities), for comparing HTML strings. */
function normal(html: string): string {
  const t = document.createElement('template');
  t.innerHTML = html;
  return t.innerHTML;
}

it('finds the widgets (the five lesson players, the capstone and the fixture)', () => {
  const tags = widgets.map((w) => w.tag);
  expect(tags).toContain('sg-sim');
  expect(tags).toContain('counter-sim');
  expect(new Set(tags).size).toBe(tags.length);
});

for (const def of widgets) {
  describe(`<${def.tag}>`, () => {
    if (def.tag !== 'counter-sim') {
      it('is in WIDGET_TAGS under its component name, with its model’s id', () => {
        expect((WIDGET_TAGS as Record<string, string>)[def.component]).toBe(def.model.id);
      });
    }

    for (const key of Object.keys(def.presets)) {
      describe(`preset ${key}`, () => {
        it('whole server markup: every part exists once, holds the first state, facts on the host, unique ids', async () => {
          const html = await widgetHtml(def, { preset: key, uid: `w-${key}` });
          const box = document.createElement('div');
          box.innerHTML = html;
          checkPlayer(def, key, box, 'server');
        });

        it('light server markup: heading, description, header parts, facts and the first narration; each drawing’s size', async () => {
          const html = await widgetHtml(def, { preset: key, uid: `w-${key}`, light: true });
          const box = document.createElement('div');
          box.innerHTML = html;
          const host = box.querySelector<HTMLElement>(def.tag)!;
          expect(host.id).toBe(`w-${key}`);
          expect(host.dataset.build).toBe('pending');
          expect(host.getAttribute('data-model')).toBe(def.model.id);
          expect(host.getAttribute('data-preset')).toBe(key);
          const spec = def.presets[key];
          expect(host.querySelector('[data-part="title"]')!.textContent).toBe(spec.title);
          expect(host.querySelector('[data-part="desc"]')!.textContent).toBe(spec.description);
          const { player, ctx } = firstCtx(def, key);
          for (const p of def.parts.filter((x) => x.place === 'header')) expect(host.querySelector(`[data-part="${p.name}"]`)!.innerHTML, `part ${p.name}`).toBe(p.lazy ? '' : normal(p.html(ctx)));
          for (const [k, v] of Object.entries(def.facts?.(ctx) ?? {})) expect(host.getAttribute(`data-${k}`), `data-${k}`).toBe(v);
          expect(host.querySelector('.sim-pending .sim-narration')!.textContent).toBe(def.narration(player.states[0]));
          // What the element builds is not on the page yet (the lesson HTML budget).
          for (const n of ['stage', 'bar', 'choices', 'trace']) expect(host.querySelector(`[data-part="${n}"]`), n).toBeNull();
          const mod = def.scenes ? await def.scenes() : null;
          const boxes = parseBoxes(host.dataset.boxes ?? '');
          for (const f of def.figures.filter((x) => !x.custom)) {
            const scene = mod!.scenes[f.name](ctx, mod!.frame?.(player.states));
            expect(boxes[f.name], `data-boxes ${f.name}`).toEqual({ width: scene.width, height: scene.height });
          }
        });

        it('the element builds the rest from the light markup: every part once, the first state, the drawings’ sizes of the whole render', async () => {
          defineWidget(def);
          document.body.innerHTML = await widgetHtml(def, { preset: key, uid: `w-${key}`, light: true });
          // jsdom has no IntersectionObserver: the element builds as soon as its building code has
          // loaded, as when a share link needs it.
          const host = document.body.querySelector<HTMLElement & { whenStarted(): Promise<boolean> }>(def.tag)!;
          expect(await host.whenStarted()).toBe(true);
          expect(host.dataset.build, 'built').toBeUndefined();
          expect(host.dataset.ready).toBe('true');
          checkPlayer(def, key, document.body, 'element');
          const whole = document.createElement('div');
          whole.innerHTML = await widgetHtml(def, { preset: key, uid: `w-${key}`, draw: false });
          for (const f of def.figures) {
            const sel = `[data-part="svg-${f.name}"]`;
            expect(host.querySelector(sel)!.getAttribute('viewBox'), `viewBox of ${f.name}`).toBe(whole.querySelector(sel)!.getAttribute('viewBox'));
          }
          // The same controls, in the same order, as the whole render.
          const parts = (root: ParentNode) => Array.from(root.querySelectorAll('[data-part]'), (e) => e.getAttribute('data-part')).join(' ');
          expect(parts(host)).toBe(parts(whole.querySelector(def.tag)!));
          document.body.replaceChildren();
        });

        it('scenes: one size for the whole run, unique keys, inside the width; every enabled choice styled', async () => {
          const player = timeline(def, key);
          // Play on past the preset's schedule with the player's own scheduler, as a learner pressing Step forward would.
          while (player.canForward() && player.length < 60) player.forward();
          const states = player.states;
          const frame = def.frame ? def.frame(states) : undefined;
          const mod = def.scenes ? await def.scenes() : null;
          const sceneFrame = mod?.frame?.(states);
          const every = Math.max(1, Math.ceil(states.length / MAX_CHECKED));
          const sizes = new Map<string, string>();
          for (let i = 0; i < states.length; i += every) {
            const ctx: WidgetCtx<unknown, unknown, unknown> = widgetCtx(key, def.presets[key].params, states, i, frame, 'w');
            for (const f of def.figures) {
              if (f.custom || !mod) continue;
              const scene = mod.scenes[f.name](ctx, sceneFrame);
              const size = `${scene.width}x${scene.height}`;
              if (!sizes.has(f.name)) sizes.set(f.name, size);
              expect(size, `${f.name} at step ${i}`).toBe(sizes.get(f.name));
              const keys = scene.shapes.map((s) => s.key);
              expect(keys.length - new Set(keys).size, `${f.name} duplicate keys at step ${i}`).toBe(0);
              for (const s of scene.shapes) {
                expect(s.key.startsWith(s.kind), `${f.name} ${s.key} starts with its kind`).toBe(true);
                if (s.kind === 'rect') {
                  expect(s.w >= 0 && s.h >= 0, `${f.name} ${s.key} size`).toBe(true);
                  expect(s.x, `${f.name} ${s.key} left edge`).toBeGreaterThanOrEqual(-0.5);
                  expect(s.x + s.w, `${f.name} ${s.key} right edge`).toBeLessThanOrEqual(scene.width + 0.5);
                  expect(s.y + s.h, `${f.name} ${s.key} bottom edge`).toBeLessThanOrEqual(scene.height + 0.5);
                }
                if (s.kind === 'rect' || s.kind === 'text') expect(Number.isFinite(s.x) && Number.isFinite(s.y), `${s.key} finite`).toBe(true);
                if (s.kind === 'text') expect(s.x >= -1 && s.x <= scene.width + 1, `${f.name} ${s.key} text anchor inside the width`).toBe(true);
                if (s.kind === 'path') expect(s.d, `${f.name} ${s.key} path`).not.toMatch(/NaN|undefined|Infinity/);
              }
            }
            for (const c of def.model.enabled(states[i])) {
              const style = def.choiceStyle(states[i], c);
              expect(style.color, `colour of "${def.model.describeChoice(states[i], c)}" at step ${i}`).toBeTruthy();
            }
          }
        });

        if (def.share !== false) {
          it('a share link of the last step reopens this preset there', () => {
            const player = timeline(def, key);
            const spec = shareSpecOf(def);
            for (const step of [0, player.length - 1]) {
              const text = encodePresetShare(spec, { preset: key, schedule: player.choices, step });
              const back = decodePresetShare(spec, text);
              expect(back).toMatchObject({ ok: true, preset: key, step });
              if (back.ok) expect(back.schedule.length).toBe(player.choices.length);
            }
          });
        }
      });
    }
  });
}
