/**
 * Data Path Lab, offline copy: serves the built site next to this file with no dependencies
 * (Node >= 18 and its standard library only) and the same headers as the site's own server
 * (./headers.mjs). `npm run pack` puts this file in the archive as serve.mjs.
 *
 *   node serve.mjs                        # http://localhost:4321
 *   PORT=8080 HOST=0.0.0.0 node serve.mjs # reachable by a workshop room on the LAN
 *
 * Serves GET and HEAD only; paths map to files under ./site (`/a/` -> a/index.html, `/a` ->
 * a.html or a/index.html); precompressed .br / .gz copies are sent to browsers that accept them;
 * a path that leaves ./site or names no file gets 404; a server error is answered with 500
 * and logged, never fatal.
 */
import http from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { headersFor } from './headers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const site = path.resolve(process.env.DIST_DIR ?? path.join(here, 'site'));

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8', '.cases': 'text/plain; charset=utf-8', '.c': 'text/plain; charset=utf-8', '.h': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.png': 'image/png', '.ico': 'image/x-icon',
  '.wasm': 'application/wasm', '.map': 'application/json; charset=utf-8', '.webmanifest': 'application/manifest+json',
};

/** The file a URL path names, or null (outside the site, missing, or malformed). */
export function resolveFile(urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const abs = path.resolve(site, `.${path.posix.normalize(`/${rel}`)}`);
  if (abs !== site && !abs.startsWith(site + path.sep)) return null;
  const candidates = rel.endsWith('/') ? [path.join(abs, 'index.html')] : [abs, `${abs}.html`, path.join(abs, 'index.html')];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      /* try the next one */
    }
  }
  return null;
}

function notFound(res) {
  res.statusCode = 404;
  for (const [k, v] of Object.entries(headersFor('/404'))) res.setHeader(k, v);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end('<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found. <a href="/">Data Path Lab home</a></p>');
}

function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end('Only GET and HEAD are served.\n');
  }
  const pathname = (req.url ?? '/').split('?')[0];
  const file = resolveFile(pathname);
  if (!file) return notFound(res);
  const ext = path.extname(file);
  let body = file;
  const accept = String(req.headers['accept-encoding'] ?? '');
  for (const [enc, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
    if (accept.includes(enc) && existsSync(file + suffix)) {
      body = file + suffix;
      res.setHeader('Content-Encoding', enc);
      break;
    }
  }
  const st = statSync(body);
  const urlPath = '/' + path.relative(site, file).split(path.sep).join('/');
  for (const [k, v] of Object.entries(headersFor(urlPath))) res.setHeader(k, v);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
  res.setHeader('Content-Length', st.size);
  res.setHeader('Last-Modified', st.mtime.toUTCString());
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-cache');
  if (req.method === 'HEAD') return res.end();
  createReadStream(body)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** Starts the server; resolves to the http.Server once it listens. */
export function serve({ port = Number(process.env.PORT ?? 4321), host = process.env.HOST ?? '127.0.0.1', quiet = false } = {}) {
  if (!existsSync(path.join(site, 'index.html'))) throw new Error(`${site} has no index.html: is this the unpacked archive?`);
  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      console.error(e);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Server error.\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      if (!quiet) console.log(`Data Path Lab is served at http://${host === "0.0.0.0" ? "localhost" : host}:${server.address().port}/  (Ctrl+C to stop)`);
      resolve(server);
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  serve().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
