/**
 * After `astro build`: writes dist/_headers (Netlify / Cloudflare Pages format, see
 * scripts/headers.mjs) and precompressed .br and .gz copies of text assets, which
 * scripts/serve.mjs sends to browsers that accept them (most static hosts compress on their own).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { headersFile } from './headers.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
writeFileSync(path.join(dist, '_headers'), headersFile());

// Text, plus the in-page Linux machine's binaries that compress well (v86.wasm, the initramfs,
// SeaBIOS and the LZ4 kernel; see public/realkernel/).
const TEXT = /\.(html|js|mjs|css|json|svg|txt|map|md|config|wasm|cpio)$|^(bios\.bin|bzImage)$/;
let files = 0;
const walk = (dir) => {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) walk(p);
    else if (TEXT.test(d.name)) {
      const buf = readFileSync(p);
      if (buf.length < 1024) continue;
      writeFileSync(`${p}.gz`, gzipSync(buf, { level: 9 }));
      writeFileSync(`${p}.br`, brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      files++;
    }
  }
};
walk(dist);
console.log(`postbuild: wrote dist/_headers and compressed ${files} files`);
