/**
 * The parser of width-dependent colours (tests/unit/helpers/width-colours.ts), which the axe
 * test uses to choose what to check for colour at 375 px.
 */
import { describe, expect, it } from 'vitest';
import { siteWidthColours, widthColours, widthColourSelectors } from './helpers/width-colours.ts';

describe('width-dependent colours', () => {
  it('finds colours set inside width media and container queries, with their selectors', () => {
    expect(widthColours('x.css', '@media (max-width: 640px) { .a { padding: 0 } .b, .c > p { color: red; } }')).toEqual([
      { file: 'x.css', condition: '@media (max-width: 640px)', selector: '.b, .c > p', declaration: 'color: red' },
    ]);
    expect(widthColours('x.css', '@container (width < 30rem) { .a { background: var(--x) } }').map((c) => c.selector)).toEqual(['.a']);
  });

  it('ignores colour-scheme queries and declarations that are not colours', () => {
    expect(widthColours('x.css', '@media (prefers-color-scheme: dark) { .a { color: red } }')).toEqual([]);
    expect(widthColours('x.css', '@media (max-width: 640px) { .a { border-color: red; line-height: 1 } }')).toEqual([]);
  });

  it('reads the site: every width-dependent colour has a selector the axe test can find', () => {
    const found = siteWidthColours();
    // MemoryPaths lays its rows out as cards on a narrow column, on a surface of their own.
    expect(found.some((c) => c.file.endsWith('MemoryPaths.astro'))).toBe(true);
    const selectors = widthColourSelectors();
    expect(selectors.length).toBeGreaterThan(0);
    for (const s of selectors) expect(s, s).not.toMatch(/[{}]|::/);
  });
});
