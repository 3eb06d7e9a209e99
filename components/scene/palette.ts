/**
 * The colours of a series (writers, processes, sg entries, frame owners): the site's
 * `--w0..--w3` custom properties (themes set them; dark mode lightens them), each with a
 * fallback for a page without the site's CSS. One palette for every widget's drawings and
 * scheduler buttons.
 */

/** Fallbacks of `--w0..--w3`, in order (the light theme's values). */
const SERIES_FALLBACKS = ['#2563eb', '#c026d3', '#15803d', '#b45309'] as const;

/** The CSS colour of member `i` of a series: `var(--w<i mod 4>, <fallback>)` (negative `i` wraps too). */
export function seriesColor(i: number): string {
  const k = ((i % 4) + 4) % 4;
  return `var(--w${k}, ${SERIES_FALLBACKS[k]})`;
}
