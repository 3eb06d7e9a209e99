/**
 * Serves the static build in dist/ with the headers production needs (scripts/headers.mjs).
 *   npm run serve            # http://localhost:4321
 *   PORT=8080 npm run serve
 * Works offline; binds to 0.0.0.0 when HOST=0.0.0.0 so a workshop room can reach a laptop.
 * Also answers /api/rooms/* (follow-along rooms over Server-Sent Events, scripts/rooms.mjs);
 * ROOM_MAX_PER_ADDRESS overrides the per-address connection cap (the load test uses it).
 */
import http from 'node:http';
import os from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { headersFor } from './headers.mjs';
import { createRoomService } from './rooms.mjs';

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
  const roomOptions = { lanUrls: () => lanUrls(host, server.address()?.port ?? port) };
  if (process.env.ROOM_MAX_PER_ADDRESS) roomOptions.maxPerAddress = Number(process.env.ROOM_MAX_PER_ADDRESS);
  const rooms = createRoomService(roomOptions);
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/api/rooms')) {
      for (const [k, v] of Object.entries(headersFor('/api'))) res.setHeader(k, v);
      if (rooms.handle(req, res)) return;
    }
    assets(req, res, () => {
      res.statusCode = 404;
      for (const [k, v] of Object.entries(headersFor('/404'))) res.setHeader(k, v);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found. <a href="/">Data Path Lab home</a></p>');
    });
  });
  server.rooms = rooms;
  server.on('close', () => rooms.close());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      if (!quiet) console.log(`Data Path Lab is served at http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/  (Ctrl+C to stop)`);
      resolve(server);
    });
  });
}

/**
 * Base URLs learners can open: every non-internal IPv4 address of this machine when bound to
 * 0.0.0.0 (the workshop case), else the bound host. Strings like `http://192.168.1.20:4321`.
 */
export function lanUrls(host, port) {
  if (host !== '0.0.0.0' && host !== '::') return [`http://${host}:${port}`];
  const out = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(`http://${a.address}:${port}`);
  }
  return out.length ? out : [`http://localhost:${port}`];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  serve().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
