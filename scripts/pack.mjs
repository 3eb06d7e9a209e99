/**
 * `npm run pack`: writes one archive, data-path-lab.tar.gz (or the path in argv[2]), holding
 *   data-path-lab/site/       the built site (dist/, run `npm run build` first)
 *   data-path-lab/serve.mjs   a server with no dependencies (scripts/standalone-serve.mjs)
 *   data-path-lab/headers.mjs the same headers as `npm run serve` (scripts/headers.mjs)
 *   data-path-lab/README.txt  how to start it
 * An instructor copies it to a USB stick, unpacks it (`tar xzf data-path-lab.tar.gz`) and runs
 * `node serve.mjs` (Node >= 18) inside data-path-lab/. Uses the system `tar` (GNU or bsdtar).
 * DIST_DIR overrides the build directory. Exits 1 with a message when there is no build.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const README = `Data Path Lab: offline copy

Start:   node serve.mjs              (Node.js 18 or newer; no install step)
Open:    http://localhost:4321/
Room:    HOST=0.0.0.0 PORT=4321 node serve.mjs   then learners open http://<this laptop's address>:4321/

The site makes no request to another origin. After a learner's first visit their browser keeps
an offline copy of every lesson ("Available offline" at the bottom of each page).
`;

/** Packs `dist` into `out` (a .tar.gz path); returns the archive's size in bytes. */
export function pack({ dist = path.join(root, 'dist'), out = path.join(root, 'data-path-lab.tar.gz') } = {}) {
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error(`${dist} has no build: run \`npm run build\` first.`);
  const stage = mkdtempSync(path.join(os.tmpdir(), 'dpl-pack-'));
  try {
    const dir = path.join(stage, 'data-path-lab');
    cpSync(dist, path.join(dir, 'site'), { recursive: true });
    copyFileSync(path.join(root, 'scripts/standalone-serve.mjs'), path.join(dir, 'serve.mjs'));
    copyFileSync(path.join(root, 'scripts/headers.mjs'), path.join(dir, 'headers.mjs'));
    // serve.mjs and headers.mjs are ES modules whatever the directory they land in.
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    writeFileSync(path.join(dir, 'README.txt'), README);
    rmSync(out, { force: true });
    execFileSync('tar', ['-czf', path.resolve(out), '-C', stage, 'data-path-lab'], { stdio: 'inherit' });
    return statSync(out).size;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const out = path.resolve(process.argv[2] ?? path.join(root, 'data-path-lab.tar.gz'));
    const dist = process.env.DIST_DIR ? path.resolve(process.env.DIST_DIR) : undefined;
    const size = pack({ dist, out });
    console.log(`pack: wrote ${path.relative(process.cwd(), out) || out} (${(size / 1048576).toFixed(1)} MB); unpack it and run \`node serve.mjs\``);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
