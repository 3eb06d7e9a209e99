/**
 * The HTTP headers the static build needs, in one place: used by scripts/serve.mjs and
 * written to dist/_headers (Netlify / Cloudflare Pages format) by scripts/postbuild.mjs.
 */

/** Pages and assets: everything from this origin only. */
export const SITE_CSP = [
  "default-src 'self'",
  // wasm-unsafe-eval: the search index (Pagefind) runs as WebAssembly; no JS eval on pages.
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * Worker scripts (/_astro/workers/*): no network at all. `unsafe-eval` lets the grader
 * evaluate the learner's compiled code; `script-src 'self'` lets a worker load its chunks.
 */
export const WORKER_CSP = ["default-src 'none'", "script-src 'self' 'unsafe-eval'", "connect-src 'none'"].join('; ');

/** Headers for a request path. */
export function headersFor(pathname) {
  const h = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': pathname.startsWith('/_astro/workers/') ? WORKER_CSP : SITE_CSP,
  };
  if (pathname.startsWith('/_astro/')) h['Cache-Control'] = 'public, max-age=31536000, immutable';
  // The service worker and the search entry points must be revalidated so a new build is seen.
  if (pathname === '/sw.js' || pathname.startsWith('/pagefind/pagefind')) h['Cache-Control'] = 'no-cache';
  return h;
}

/** The same rules as a `_headers` file. */
export function headersFile() {
  return [
    '/*',
    `  Content-Security-Policy: ${SITE_CSP}`,
    '  X-Content-Type-Options: nosniff',
    '  Referrer-Policy: no-referrer',
    '/_astro/*',
    '  Cache-Control: public, max-age=31536000, immutable',
    '/sw.js',
    '  Cache-Control: no-cache',
    '/_astro/workers/*',
    '  ! Content-Security-Policy',
    `  Content-Security-Policy: ${WORKER_CSP}`,
    '',
  ].join('\n');
}
