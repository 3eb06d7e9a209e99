/**
 * Serves the static build in dist/ with the headers production needs (scripts/headers.mjs).
 *   npm run serve            # http://localhost:4321
 *   PORT=8080 npm run serve
 * Works offline; binds to 0.0.0.0 when HOST=0.0.0.0 so a workshop room can reach a laptop.
 */
import http from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { headersFor } from './headers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.DIST_DIR ? path.resolve(process.env.DIST_DIR) : path.join(root, 'dist');

/** Starts the server; resolves to the http.Server once it listens. */
export function serve({ port = Number(process.env.PORT ?? 4321), host = process.env.HOST ?? '127.0.0.1', quiet = false } = {}) {
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error('dist/ has no build: run `npm run build` first (or `npm start`, which builds and serves).');
  }
  const assets = sirv(dist, {
    etag: true,
    extensions: ['html'],
    gzip: true,
    brotli: true,
    setHeaders(res, pathname) {
      for (const [k, v] of Object.entries(headersFor(pathname))) res.setHeader(k, v);
    },
  });
  const server = http.createServer((req, res) => {
    assets(req, res, () => {
      res.statusCode = 404;
      for (const [k, v] of Object.entries(headersFor('/404'))) res.setHeader(k, v);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found. <a href="/">Data Path Lab home</a></p>');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      if (!quiet) console.log(`Data Path Lab is served at http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/  (Ctrl+C to stop)`);
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
