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
 * The pages that offer "Open a Node.js terminal" (StackBlitz's WebContainer, which needs a
 * cross-origin isolated page): the Lab and the lessons (every lesson has an exercise). Only
 * these get COOP/COEP, and a CSP that also lets the page probe and frame stackblitz.com;
 * nothing there contacts it before the learner presses the button (components/webcontainer/).
 * As `_headers` patterns: `/lab/*`, `/lessons/*`.
 */
export const ISOLATED_PATTERNS = ['/lab/*', '/lessons/*'];

/** True for a path under an isolated page (`/lab`, `/lab/`, `/lessons/x/index.html`, …). */
export function isIsolated(pathname) {
  return /^\/(lab|lessons)(\/|$)/.test(pathname);
}

/** The service the WebContainer talks to (its hidden iframe is https://stackblitz.com/headless). */
export const WEBCONTAINER_ORIGIN = 'https://stackblitz.com';

/** The CSP of an isolated page: the site's, plus the WebContainer origin for connect and frame. */
export const ISOLATED_CSP = SITE_CSP.replace("connect-src 'self'", `connect-src 'self' ${WEBCONTAINER_ORIGIN}`) + `; frame-src 'self' ${WEBCONTAINER_ORIGIN}`;

/**
 * Cross-origin isolation. COEP `credentialless` rather than `require-corp`: the reachability
 * probe is an opaque (no-cors) request to stackblitz.com, which `require-corp` would block
 * for lack of a CORP header; `credentialless` sends it without cookies instead. Every
 * subresource of these pages is same-origin, so neither value blocks anything of ours.
 */
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' };

/**
 * Worker scripts carry COEP too: an isolated page may only start a dedicated worker whose
 * script response is itself cross-origin isolated (else Chromium blocks it with
 * ERR_BLOCKED_BY_RESPONSE). Harmless on every other page: a worker may be stricter than
 * its owner. The site's workers are all in /_astro/workers/; Pagefind brings its own.
 */
export function isWorkerScript(pathname) {
  return pathname.startsWith('/_astro/workers/') || pathname === '/pagefind/pagefind-worker.js';
}

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
    'Content-Security-Policy': pathname.startsWith('/_astro/workers/') ? WORKER_CSP : isIsolated(pathname) ? ISOLATED_CSP : SITE_CSP,
  };
  if (isIsolated(pathname)) Object.assign(h, ISOLATION_HEADERS);
  if (isWorkerScript(pathname)) h['Cross-Origin-Embedder-Policy'] = ISOLATION_HEADERS['Cross-Origin-Embedder-Policy'];
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
    `  Cross-Origin-Embedder-Policy: ${ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']}`,
    '/pagefind/pagefind-worker.js',
    `  Cross-Origin-Embedder-Policy: ${ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']}`,
    ...ISOLATED_PATTERNS.flatMap((p) => [
      p,
      '  ! Content-Security-Policy',
      `  Content-Security-Policy: ${ISOLATED_CSP}`,
      ...Object.entries(ISOLATION_HEADERS).map(([k, v]) => `  ${k}: ${v}`),
    ]),
    '',
  ].join('\n');
}
