/**
 * The tests' Chromium switches (scripts/chromium-args.ts) repeat Playwright's own
 * `--disable-features` list, since Chromium keeps only the last such switch: check that list
 * against the installed Playwright, so an upgrade that changes it fails here, by name.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, it } from 'vitest';
import { chromiumArgs, PLAYWRIGHT_DISABLED_FEATURES, UNUSED_FEATURES } from '../../scripts/chromium-args';

/** The `disabledFeatures` array of playwright-core's chromiumSwitches.ts, read from its bundle. */
function playwrightDisabledFeatures(): string[] {
  const require = createRequire(import.meta.url);
  const lib = path.dirname(require.resolve('playwright-core/package.json'));
  const bundle = readFileSync(path.join(lib, 'lib/coreBundle.js'), 'utf8');
  const m = /disabledFeatures = \[([\s\S]*?)\]\.filter\(Boolean\)/.exec(bundle);
  if (!m) throw new Error('playwright-core/lib/coreBundle.js no longer holds `disabledFeatures = [...]`: compare scripts/chromium-args.ts with its chromiumSwitches by hand');
  return [...m[1].replace(/\/\/.*$/gm, '').matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

it('repeats every feature Playwright disables, then adds the omnibox popups', () => {
  const theirs = playwrightDisabledFeatures();
  expect(theirs.length).toBeGreaterThan(5);
  expect([...PLAYWRIGHT_DISABLED_FEATURES].sort()).toEqual([...theirs].sort());
  const switches = chromiumArgs().filter((a) => a.startsWith('--disable-features='));
  expect(switches).toHaveLength(1);
  expect(new Set(switches[0].slice('--disable-features='.length).split(','))).toEqual(new Set([...theirs, ...UNUSED_FEATURES]));
});
