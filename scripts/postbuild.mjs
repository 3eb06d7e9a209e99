/**
 * After `astro build`:
 *  1. writes dist/_headers (Netlify / Cloudflare Pages format, see scripts/headers.mjs);
 *  2. builds the Pagefind search index into dist/pagefind/ (lesson articles carry
 *     data-pagefind-body; every other page is left out), see components/search/;
 *  3. generates the service worker dist/sw.js with Workbox: it precaches every page, script,
 *     style, font, worker, exercise file and the search index, with the runtime inlined (no
 *     request to another origin), see components/offline/register.ts;
 *  4. writes precompressed .br and .gz copies of text assets, which scripts/serve.mjs sends
 *     to browsers that accept them (most static hosts compress on their own). Brotli's best
 *     quality (11) is used for files under 1 MiB (pages, the first scripts and styles);
 *     the few larger files, all loaded on demand (TypeScript's worker, Monaco, v86, the
 *     kernel), get quality 9: about 5-10 % larger and 20-40 times faster to make (ts.worker,
 *     6.9 MB: 1.04 MB in 10.3 s at 11, 1.15 MB in 0.5 s at 9). Files are compressed on
 *     zlib's thread pool, several at once.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants } from 'node:zlib';
import * as pagefind from 'pagefind';
import { generateSW } from 'workbox-build';
import { headersFile } from './headers.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
writeFileSync(path.join(dist, '_headers'), headersFile());

/** Builds dist/pagefind/ from the built HTML; throws when Pagefind reports errors or finds no page. */
async function buildSearchIndex() {
  const { index, errors } = await pagefind.createIndex({});
  if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
  const added = await index.addDirectory({ path: dist });
  if (added.errors.length) throw new Error(`pagefind: ${added.errors.join('; ')}`);
  if (added.page_count === 0) throw new Error('pagefind: no page has data-pagefind-body');
  const written = await index.writeFiles({ outputPath: path.join(dist, 'pagefind') });
  if (written.errors.length) throw new Error(`pagefind: ${written.errors.join('; ')}`);
  await pagefind.close();
  // Pagefind's ready-made UIs are not used (components/search/ has its own dialog).
  for (const f of readdirSync(path.join(dist, 'pagefind'))) {
    if (/^pagefind-(.*-)?ui\.(js|css)$|^pagefind-highlight\.js$/.test(f)) rmSync(path.join(dist, 'pagefind', f));
  }
  return added.page_count;
}

/** The files the service worker precaches (globs relative to dist/). */
export const PRECACHE_GLOBS = ['**/*.{html,js,mjs,css,woff2,woff,svg,png,json,wasm,txt,c,h,cases,pf_meta,pf_index,pf_fragment,pagefind}', 'realkernel/{bzImage,initramfs.cpio,bios.bin}'];

/** Writes dist/sw.js; returns Workbox's count and total size (bytes) of precached files. */
async function buildServiceWorker() {
  const { count, size, warnings } = await generateSW({
    globDirectory: dist,
    globPatterns: PRECACHE_GLOBS,
    globIgnores: ['sw.js', '**/*.map', '_headers'],
    swDest: path.join(dist, 'sw.js'),
    inlineWorkboxRuntime: true,
    mode: 'production',
    sourcemap: false,
    // A new build waits until the learner accepts the update prompt (it posts SKIP_WAITING).
    skipWaiting: false,
    clientsClaim: true,
    cleanupOutdatedCaches: true,
    maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
    // Hashed file names need no revision query string.
    dontCacheBustURLsMatching: /^(_astro\/|pagefind\/(fragment|index)\/)/,
    directoryIndex: 'index.html',
    // Every precached file is static, so no query parameter changes it: pagefind.js asks for
    // pagefind-entry.json?ts=<now>, the Lab opens as /lab/?nb=… or /lab/?sim=…, /join/?code=….
    ignoreURLParametersMatching: [/.*/],
  });
  for (const w of warnings) console.warn(`workbox: ${w}`);
  return { count, size };
}

// Text, plus the in-page Linux machine's binaries that compress well (v86.wasm, the initramfs,
// SeaBIOS and the LZ4 kernel; see public/realkernel/).
const TEXT = /\.(html|js|mjs|css|json|svg|txt|map|md|config|wasm|cpio)$|^(bios\.bin|bzImage)$/;
/** Files at or above this size get Brotli quality 9 instead of 11 (see the module comment). */
const BIG = 1 << 20;
const brotli = promisify(brotliCompress);
const gz = promisify(gzip);
const toCompress = [];
const walk = (dir) => {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) walk(p);
    else if (TEXT.test(d.name)) toCompress.push(p);
  }
};

/** Writes `<file>.gz` and `<file>.br` for every text file of at least 1 KiB; returns how many. */
async function compressAll() {
  walk(dist);
  let files = 0;
  let next = 0;
  const worker = async () => {
    while (next < toCompress.length) {
      const p = toCompress[next++];
      const buf = readFileSync(p);
      if (buf.length < 1024) continue;
      const quality = buf.length >= BIG ? 9 : constants.BROTLI_MAX_QUALITY;
      const [g, b] = await Promise.all([
        gz(buf, { level: 9 }),
        brotli(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }),
      ]);
      writeFileSync(`${p}.gz`, g);
      writeFileSync(`${p}.br`, b);
      files++;
    }
  };
  // zlib's work runs on libuv's thread pool (4 threads by default); a few files at a time keep it busy.
  await Promise.all(Array.from({ length: 4 }, worker));
  return files;
}

const pages = await buildSearchIndex();
const sw = await buildServiceWorker();
const files = await compressAll();
console.log(
  `postbuild: wrote dist/_headers, indexed ${pages} pages for search, precached ${sw.count} files ` +
    `(${(sw.size / 1048576).toFixed(1)} MB) in dist/sw.js, compressed ${files} files`,
);
