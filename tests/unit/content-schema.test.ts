/**
 * A bad lesson frontmatter fails the build with a message that names the file and the field.
 * Runs `astro sync` (the content-validation step of `astro build`) on a scratch project that
 * uses this repository's content config.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function syncWith(frontmatter: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'dpl-schema-'));
  mkdirSync(path.join(dir, 'src'));
  mkdirSync(path.join(dir, 'content/lessons/broken'), { recursive: true });
  mkdirSync(path.join(dir, 'content/exercises'), { recursive: true });
  mkdirSync(path.join(dir, 'scripts'));
  // astro.config.mjs imports its build-time plugin (the editor's @sims declarations).
  for (const f of ['astro.config.mjs', 'package.json', 'tsconfig.json', 'scripts/sims-dts.mjs']) cpSync(path.join(root, f), path.join(dir, f));
  cpSync(path.join(root, 'src/content.config.ts'), path.join(dir, 'src/content.config.ts'));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'content/lessons/broken/index.mdx'), `---\n${frontmatter}\n---\nBody.\n`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/astro/bin/astro.mjs'), 'sync'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const good = ['title: A lesson', 'summary: A summary that is long enough.', 'order: 3', 'kernel: "6.12"', 'status: published', 'objectives: [Do a thing]'];

it('accepts a valid lesson frontmatter', () => {
  const r = syncWith(good.join('\n'));
  expect(r.out).not.toContain('InvalidContentEntryDataError');
  expect(r.status).toBe(0);
}, 30_000);

// Astro reports every failing field of an entry at once, so one broken frontmatter carries
// all the field errors (a sync costs seconds of CPU). The objectives rule looks at the whole
// entry, which only runs once the fields parse: it gets its own.
it('rejects a wrong type, a malformed kernel version and a bad source path at once, naming the file and each field', () => {
  const broken = good
    .filter((l) => !l.startsWith('kernel') && !l.startsWith('objectives'))
    .map((l) => (l.startsWith('order') ? 'order: one' : l))
    .concat(['kernel: latest', 'sources: [{ file: tty_io, fn: tty_write }]']);
  const r = syncWith(broken.join('\n'));
  expect(r.status).not.toBe(0);
  expect(r.out).toContain('content/lessons/broken/index.mdx');
  expect(r.out).toMatch(/order.*Expected type `"number"`/);
  expect(r.out).toContain('a kernel version such as 6.12');
  expect(r.out).toContain('a kernel tree path such as drivers/tty/tty_io.c');
}, 30_000);

it('rejects a published lesson without objectives', () => {
  const r = syncWith(good.filter((l) => !l.startsWith('objectives')).join('\n'));
  expect(r.status).not.toBe(0);
  expect(r.out).toContain('a published lesson needs at least one objective');
}, 30_000);
