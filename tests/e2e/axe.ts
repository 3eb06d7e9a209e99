/**
 * axe-core in the page, reporting violations only.
 *
 * `@axe-core/playwright`'s default path (`runPartial` + `finishRun` in a new tab) serializes a
 * CSS selector, an XPath, an ancestry path and the HTML of every node of every result,
 * passes included: on a lesson page (about 6,000 elements) that was most of a 20-40 s scan.
 * Here axe runs in the page itself with `resultTypes: ['violations']`, so only violating nodes
 * are described; which rules run, and on which nodes, is exactly what axe would do.
 * Same-origin iframes (the presenter's lesson frame) are scanned through axe's own frame
 * messaging, as `axe.run` does by default.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

// The axe-core that @axe-core/playwright depends on (the devDependency that pins its version).
const fromPlaywrightAxe = createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright'));
const axeSource = readFileSync(fromPlaywrightAxe.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeScan {
  /** CSS selectors of the parts to scan (default: the whole document). */
  include?: string[];
  /** Selectors to leave out. */
  exclude?: string[];
  /** Only these rule ids (default: every rule axe enables by default). */
  rules?: string[];
  /** Leave these rule ids out. */
  disable?: string[];
}

/**
 * Runs axe on `page` (and its same-origin frames) and returns one line per violation:
 * `rule-id: target | target | target` (at most three targets), sorted by rule id.
 * Throws when axe itself fails (for example an `include` selector that matches nothing).
 */
export async function axeViolations(page: Page, scan: AxeScan = {}): Promise<string[]> {
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    await frame.evaluate(`if (!window.axe) { ${axeSource}\n }`);
  }
  return page.evaluate(async (s) => {
    const axe = (window as unknown as { axe: any }).axe;
    const context: Record<string, string[]> = {};
    if (s.include) context.include = s.include;
    if (s.exclude) context.exclude = s.exclude;
    const options: Record<string, unknown> = { resultTypes: ['violations'] };
    if (s.rules) options.runOnly = { type: 'rule', values: s.rules };
    if (s.disable) options.rules = Object.fromEntries(s.disable.map((id) => [id, { enabled: false }]));
    const r = await axe.run(s.include || s.exclude ? context : document, options);
    return (r.violations as { id: string; nodes: { target: unknown[] }[] }[])
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.flat().join(' ')).join(' | ')}`)
      .sort();
  }, scan);
}
