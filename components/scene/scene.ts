/**
 * The scene engine, generic over widgets: a `Scene` is what a diagram draws for one state, a
 * flat list of keyed rectangles, paths and texts in SVG user units, computed with no DOM by a
 * widget's layout (`components/widgets/<name>/layout.ts`). The same scene is drawn twice: on the server
 * as a string (`sceneToSvg`, so a widget shows its initial state before any JavaScript) and
 * in the browser by `drawScene` (`./draw.ts`), which joins shapes by `key` and tweens them.
 * A scene's size depends only on the run, never on the step, so stepping never moves the page.
 *
 * Layers: see docs/ARCHITECTURE.md (sims -> player/scene -> widgets -> lessons).
 */

export interface ShapeBase {
  /** Stable identity across steps (the d3 join key); starts with the shape's kind. */
  key: string;
  /** CSS classes (the widget's stylesheet colours them from the site's variables). */
  cls: string;
  /** A colour for `var(--c)` in the stylesheet (an sg entry's colour), if any. */
  color?: string;
  /** The sg entry this shape belongs to, if any (for linking with the scatterlist table). */
  entry?: number;
}
export interface RectShape extends ShapeBase {
  kind: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  rx?: number;
}
export interface PathShape extends ShapeBase {
  kind: 'path';
  d: string;
}
export interface TextShape extends ShapeBase {
  kind: 'text';
  x: number;
  y: number;
  text: string;
  anchor?: 'start' | 'middle' | 'end';
}
/** One drawable thing of a scene. */
export type Shape = RectShape | PathShape | TextShape;

/** What a diagram draws for one state: its size (SVG user units), shapes in paint order, and
 *  the sentence for its `<desc>`. */
export interface Scene {
  width: number;
  height: number;
  shapes: Shape[];
  desc: string;
}

/** Width of every scene, in SVG user units (drawn at about 1:1 in a two-column grid on a
 *  wide screen, and scaled to the column on a phone; each widget gives its drawings a
 *  min-width on phones so their smallest text stays at 11 px). */
export const SCENE_W = 360;

/**
 * The width in CSS px a scene needs on a phone so that its smallest text (`minFont` SVG user
 * units) is drawn at 11 px or more: `ceil(sceneW * 11 / minFont)` (a figure's `phoneMinWidth`;
 * narrower phones scroll the figure inside its box). `sceneW` defaults to `SCENE_W`.
 */
export function phoneMinWidth(minFont: number, sceneW: number = SCENE_W): number {
  return Math.ceil((sceneW * 11) / minFont);
}
// Server rendering

function escXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The attributes every shape carries, in the order the d3 view sets them. */
function commonAttrs(s: Shape): string {
  let a = ` data-key="${escXml(s.key)}" class="${escXml(s.cls)}"`;
  if (s.color) a += ` style="--c:${escXml(s.color)}"`;
  if (s.entry !== undefined) a += ` data-entry="${s.entry}"`;
  return a;
}

/** A scene's shapes as SVG markup (no `<svg>` wrapper): what the server puts inside the
 *  diagram's `<g data-scene>` so the initial state shows before any JavaScript runs. */
export function sceneToSvg(scene: Scene): string {
  return scene.shapes
    .map((s) => {
      switch (s.kind) {
        case 'rect':
          return `<rect${commonAttrs(s)} x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}"${s.rx ? ` rx="${s.rx}"` : ''}></rect>`;
        case 'path':
          return `<path${commonAttrs(s)} d="${escXml(s.d)}"></path>`;
        case 'text':
          return `<text${commonAttrs(s)} x="${s.x}" y="${s.y}"${s.anchor && s.anchor !== 'start' ? ` text-anchor="${s.anchor}"` : ''}>${escXml(s.text)}</text>`;
      }
    })
    .join('');
}
