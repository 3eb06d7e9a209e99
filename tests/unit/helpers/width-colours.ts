/**
 * The site's width-dependent colours: rules inside an `@media` or `@container` block whose
 * condition reads a width (`min-width`, `max-width`, `width <`, …) that declare a colour,
 * background, fill, stroke, opacity, filter or blend mode, in the CSS of `components/` and
 * `src/` (`.css` files and the `<style>` blocks of `.astro` files). The axe test
 * (tests/e2e/a11y.spec.ts) runs the colour rules at 375 px on the elements these rules select,
 * and on what only the phone renders; tests/unit/css-colours.test.ts checks the parser.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One width-dependent colour declaration. */
export interface WidthColour {
  /** Repository-relative file. */
  file: string;
  /** The block's condition, e.g. `@media (max-width: 640px)`. */
  condition: string;
  /** The selector list of the rule, as written (Astro scopes it with a class, which it keeps matching). */
  selector: string;
  /** The declaration, e.g. `color: var(--muted)`. */
  declaration: string;
}

const WIDTH_BLOCK = /@(media|container)\b[^{;]*\b(min-width|max-width|width\s*[<>=])[^{;]*\{/g;
const COLOUR = /(?<![-\w])(color|background(?:-color|-image)?|fill|stroke|opacity|filter|mix-blend-mode)\s*:\s*([^;}]*)/g;

/** The end (index after the closing brace) of the block opened just before `from`. */
function blockEnd(css: string, from: number): number {
  let i = from;
  let depth = 1;
  while (depth > 0 && i < css.length) {
    if (css[i] === '{') depth++;
    else if (css[i] === '}') depth--;
    i++;
  }
  return i;
}

/** The width-dependent colour declarations of one file's CSS. */
export function widthColours(file: string, css: string): WidthColour[] {
  const out: WidthColour[] = [];
  for (const m of css.matchAll(WIDTH_BLOCK)) {
    const start = m.index + m[0].length;
    const block = css.slice(start, blockEnd(css, start) - 1);
    // Rules inside the block: `selector { declarations }` (one level; nested blocks are rare here).
    for (const r of block.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
      const selector = r[1].replace(/\/\*[\s\S]*?\*\//g, '').trim();
      for (const d of r[2].matchAll(COLOUR)) out.push({ file, condition: m[0].slice(0, -1).trim(), selector, declaration: d[0].trim() });
    }
  }
  return out;
}

const root = path.resolve(import.meta.dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(css|astro)$/.test(d.name))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)));
}

/** The CSS of a file: a `.css` file whole, an `.astro` file's `<style>` blocks. */
function cssOf(file: string): string {
  const text = readFileSync(path.join(root, file), 'utf8');
  if (file.endsWith('.css')) return text;
  return [...text.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n');
}

/** Every width-dependent colour declaration of the site (see the module comment). */
export function siteWidthColours(): WidthColour[] {
  return [...files('components'), ...files('src')].flatMap((f) => widthColours(f, cssOf(f)));
}

/** The selectors (each of a rule's list) that get width-dependent colours, without pseudo-elements. */
export function widthColourSelectors(): string[] {
  const out = new Set<string>();
  for (const c of siteWidthColours()) {
    for (const s of c.selector.split(',')) {
      const plain = s.replace(/::?(before|after|placeholder|marker|selection)\b.*$/, '').replace(/:global\(([^)]*)\)/g, '$1').trim();
      if (plain) out.add(plain);
    }
  }
  return [...out].sort();
}
