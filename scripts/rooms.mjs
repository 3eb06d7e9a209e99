/**
 * Follow-along rooms for workshops: an in-memory room service spoken over HTTP with
 * Server-Sent Events (no WebSocket server, no accounts, no other origin). Used by
 * scripts/serve.mjs; the pages are src/pages/present (presenter) and src/pages/join (learner).
 *
 * Endpoints (all JSON errors are `{ error: "<sentence>" }` with a 4xx status):
 *   GET  /api/rooms/ping               -> 200 { ok: true, urls: [learner join URLs on the LAN] }
 *   POST /api/rooms                    -> 201 { code, key }   (key: the presenter's secret)
 *   POST /api/rooms/<code>/state       body { key, state }    -> 200 { ok: true, v }
 *   POST /api/rooms/<code>/passed      body { learner, exercises: [id...] } -> 200 { ok: true }
 *   GET  /api/rooms/<code>/events[?role=presenter] -> text/event-stream:
 *        `event: state` data = the latest state (sent at once on (re)connect, then on change)
 *        `event: count` data = { learners, passed: { <exercise id>: <learners who passed> } }
 *
 * A state is `{ lesson, section, scroll, player, step, hash }` (see `validateState`). Only the
 * latest state per room is kept (no history), so memory per room is bounded by the caps below.
 */
import { randomBytes } from 'node:crypto';

/** Code alphabet: no 0/O, 1/I/L, so a code read off a projector is typed right. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;
const CODE_RE = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

/** Default limits; every one can be overridden by `createRoomService(options)`. */
export const DEFAULTS = Object.freeze({
  /** Rooms alive at once. */
  maxRooms: 50,
  /** SSE connections per room (learners + presenters). */
  maxPerRoom: 300,
  /** SSE connections from one address, all rooms together (a learner with a few tabs). */
  maxPerAddress: 12,
  /** Largest request body, bytes. */
  maxBody: 8192,
  /** Requests (POST) per address: a token bucket of `burst` refilled at `ratePerSec`. */
  burst: 60,
  ratePerSec: 30,
  /** Distinct exercise ids counted per room, and learners counted per exercise. */
  maxExercises: 200,
  /** A room with no connection and no publish for this long is closed (ms). */
  idleMs: 6 * 60 * 60 * 1000,
  /** Bytes queued for one SSE client before it is dropped as too slow (it reconnects). */
  maxQueued: 256 * 1024,
  /** Heartbeat comment interval on SSE streams (ms). */
  heartbeatMs: 25_000,
});

/** An error with an HTTP status; `handle` turns it into a JSON response. */
export class RoomError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** True when `code` has the shape of a room code (upper case letters/digits of the alphabet). */
export function isRoomCode(code) {
  return typeof code === 'string' && CODE_RE.test(code);
}

/** A new random room code (6 characters of `ALPHABET`). */
export function newCode() {
  const bytes = randomBytes(CODE_LENGTH);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

const PATH_RE = /^\/[A-Za-z0-9\-_./]{0,200}$/;
const ID_RE = /^[A-Za-z][A-Za-z0-9\-_:.]{0,99}$/;
const HASH_RE = /^#sim=[A-Za-z0-9\-_.~!*'()%,;:@=+/]{1,4000}$/;

/**
 * Checks a presenter state and returns a clean copy with only known fields.
 * Shape: `{ lesson: '/lessons/x/' (site path), section: heading id | null,
 * scroll: 0..1 (fraction of the section scrolled past) , player: element id | null,
 * step: integer 0..100000 | null, hash: '#sim=…' share text | null }`.
 * Throws RoomError(400) naming the first bad field.
 */
export function validateState(s) {
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new RoomError(400, 'The state must be a JSON object.');
  const out = { lesson: null, section: null, scroll: 0, player: null, step: null, hash: null };
  if (typeof s.lesson !== 'string' || !PATH_RE.test(s.lesson) || s.lesson.includes('..')) throw new RoomError(400, 'state.lesson must be a site path such as /lessons/tty-atomicity/.');
  out.lesson = s.lesson;
  if (s.section != null) {
    if (typeof s.section !== 'string' || !ID_RE.test(s.section)) throw new RoomError(400, 'state.section must be a heading id (letters, digits, - _ : .; at most 100).');
    out.section = s.section;
  }
  if (s.scroll != null) {
    if (typeof s.scroll !== 'number' || !Number.isFinite(s.scroll) || s.scroll < 0 || s.scroll > 1) throw new RoomError(400, 'state.scroll must be a number from 0 to 1.');
    out.scroll = Math.round(s.scroll * 1000) / 1000;
  }
  if (s.player != null) {
    if (typeof s.player !== 'string' || !ID_RE.test(s.player)) throw new RoomError(400, 'state.player must be an element id.');
    out.player = s.player;
  }
  if (s.step != null) {
    if (!Number.isInteger(s.step) || s.step < 0 || s.step > 100000) throw new RoomError(400, 'state.step must be an integer from 0 to 100000.');
    out.step = s.step;
  }
  if (s.hash != null) {
    if (typeof s.hash !== 'string' || !HASH_RE.test(s.hash)) throw new RoomError(400, 'state.hash must be a share link hash (#sim=…).');
    out.hash = s.hash;
  }
  return out;
}

/** The SSE frame for one event. */
function frame(event, data) {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Creates a room service. `options` overrides `DEFAULTS`; `options.lanUrls()` returns the
 * join URLs to show (serve.mjs passes the LAN addresses when HOST=0.0.0.0).
 * Returns `{ handle(req, res): boolean, stats(), rooms, close() }`: `handle` answers
 * requests under /api/rooms and returns false for any other path.
 */
export function createRoomService(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const lanUrls = options.lanUrls ?? (() => []);
  /** @type {Map<string, {code:string,key:string,state:object|null,v:number,clients:Set<any>,learners:number,passed:Map<string,Set<string>>,touched:number,countTimer:any}>} */
  const rooms = new Map();
  /** address -> open SSE connections */
  const perAddress = new Map();
  /** address -> { tokens, at } */
  const buckets = new Map();
  let dropped = 0;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [code, r] of rooms) if (r.clients.size === 0 && now - r.touched > o.idleMs) rooms.delete(code);
    for (const [a, b] of buckets) if (now - b.at > 60_000) buckets.delete(a);
  }, 60_000);
  sweep.unref?.();

  const heartbeat = setInterval(() => {
    for (const r of rooms.values()) for (const c of r.clients) send(r, c, ': ping\n\n');
  }, o.heartbeatMs);
  heartbeat.unref?.();

  function send(room, client, text) {
    const res = client.res;
    if (res.writableLength > o.maxQueued) {
      // Too slow: drop it rather than queue without bound; EventSource reconnects.
      dropped++;
      res.destroy();
      return;
    }
    res.write(text);
  }

  function broadcast(room, text) {
    for (const c of room.clients) send(room, c, text);
  }

  function countOf(room) {
    const passed = {};
    for (const [id, set] of room.passed) passed[id] = set.size;
    return { learners: room.learners, passed };
  }

  /** Coalesces count updates (a class joining at once sends one event, not hundreds). */
  function scheduleCount(room) {
    if (room.countTimer) return;
    room.countTimer = setTimeout(() => {
      room.countTimer = null;
      if (rooms.get(room.code) === room) broadcast(room, frame('count', countOf(room)));
    }, 200);
    room.countTimer.unref?.();
  }

  function addressOf(req) {
    return req.socket.remoteAddress ?? 'unknown';
  }

  function takeToken(addr) {
    const now = Date.now();
    let b = buckets.get(addr);
    if (!b) {
      b = { tokens: o.burst, at: now };
      buckets.set(addr, b);
    }
    b.tokens = Math.min(o.burst, b.tokens + ((now - b.at) / 1000) * o.ratePerSec);
    b.at = now;
    if (b.tokens < 1) throw new RoomError(429, 'Too many requests from this address: slow down and try again in a second.');
    b.tokens -= 1;
  }

  function roomOf(code) {
    if (!isRoomCode(code)) throw new RoomError(400, `“${String(code).slice(0, 20)}” is not a room code: a code is ${CODE_LENGTH} letters and digits, as shown on the presenter's screen.`);
    const r = rooms.get(code);
    if (!r) throw new RoomError(404, `There is no room ${code}: check the code on the presenter's screen (a room ends when the presenter's server restarts).`);
    return r;
  }

  function readJson(req) {
    return new Promise((resolve, reject) => {
      const type = String(req.headers['content-type'] ?? '');
      if (!type.startsWith('application/json')) {
        reject(new RoomError(415, 'Send the body as application/json.'));
        req.resume();
        return;
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > o.maxBody) {
        reject(new RoomError(413, `The body is larger than ${o.maxBody} bytes.`));
        req.resume();
        return;
      }
      const chunks = [];
      let size = 0;
      let failed = false;
      req.on('data', (c) => {
        if (failed) return;
        size += c.length;
        if (size > o.maxBody) {
          failed = true;
          reject(new RoomError(413, `The body is larger than ${o.maxBody} bytes.`));
          return;
        }
        chunks.push(c);
      });
      req.on('error', () => {
        failed = true;
        reject(new RoomError(400, 'The request body could not be read.'));
      });
      req.on('end', () => {
        if (failed) return;
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new RoomError(400, 'The body is not valid JSON.'));
        }
      });
    });
  }

  function json(res, status, body) {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  }

  function createRoom() {
    if (rooms.size >= o.maxRooms) throw new RoomError(429, `This server already has ${o.maxRooms} rooms open; close one (restart the server) or reuse a room.`);
    let code;
    do code = newCode();
    while (rooms.has(code));
    const room = { code, key: randomBytes(16).toString('hex'), state: null, v: 0, clients: new Set(), learners: 0, passed: new Map(), touched: Date.now(), countTimer: null };
    rooms.set(code, room);
    return room;
  }

  function publish(room, body) {
    if (!body || typeof body !== 'object' || body.key !== room.key) throw new RoomError(403, 'Only the presenter who created this room can change what it shows.');
    room.state = validateState(body.state);
    room.v++;
    room.touched = Date.now();
    broadcast(room, frame('state', { ...room.state, v: room.v }));
    return room.v;
  }

  const LEARNER_RE = /^[A-Za-z0-9_-]{8,64}$/;
  const EX_RE = /^[A-Za-z0-9][A-Za-z0-9\-_.]{0,99}$/;

  function passed(room, body) {
    if (!body || typeof body !== 'object' || typeof body.learner !== 'string' || !LEARNER_RE.test(body.learner)) throw new RoomError(400, 'learner must be an anonymous token of 8 to 64 letters or digits.');
    if (!Array.isArray(body.exercises) || body.exercises.length > o.maxExercises || !body.exercises.every((e) => typeof e === 'string' && EX_RE.test(e))) throw new RoomError(400, `exercises must be a list of at most ${o.maxExercises} exercise ids.`);
    const wanted = new Set(body.exercises);
    for (const [id, set] of room.passed) {
      if (!wanted.has(id)) {
        set.delete(body.learner);
        if (set.size === 0) room.passed.delete(id);
      }
    }
    for (const id of wanted) {
      let set = room.passed.get(id);
      if (!set) {
        if (room.passed.size >= o.maxExercises) throw new RoomError(429, 'This room counts no more distinct exercises.');
        set = new Set();
        room.passed.set(id, set);
      }
      if (set.size >= o.maxPerRoom && !set.has(body.learner)) continue;
      set.add(body.learner);
    }
    scheduleCount(room);
  }

  function subscribe(req, res, room, presenter) {
    const addr = addressOf(req);
    const n = perAddress.get(addr) ?? 0;
    if (room.clients.size >= o.maxPerRoom) throw new RoomError(429, `Room ${room.code} is full (${o.maxPerRoom} connections).`);
    if (n >= o.maxPerAddress) throw new RoomError(429, `Too many open room connections from this address (${o.maxPerAddress}); close some tabs.`);
    perAddress.set(addr, n + 1);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders?.();
    req.socket.setNoDelay?.(true);
    const client = { res, presenter };
    room.clients.add(client);
    if (!presenter) room.learners++;
    room.touched = Date.now();
    res.write('retry: 1500\n\n');
    if (room.state) res.write(frame('state', { ...room.state, v: room.v }));
    res.write(frame('count', countOf(room)));
    scheduleCount(room);
    let gone = false;
    const leave = () => {
      if (gone) return;
      gone = true;
      room.clients.delete(client);
      if (!presenter) room.learners--;
      room.touched = Date.now();
      const left = (perAddress.get(addr) ?? 1) - 1;
      if (left <= 0) perAddress.delete(addr);
      else perAddress.set(addr, left);
      scheduleCount(room);
    };
    req.on('close', leave);
    res.on('close', leave);
    res.on('error', leave);
  }

  async function route(req, res, url) {
    const parts = url.pathname.split('/').filter(Boolean); // ['api','rooms',...]
    const method = req.method ?? 'GET';
    if (parts.length === 3 && parts[2] === 'ping') {
      if (method !== 'GET') throw new RoomError(405, 'Use GET.');
      return json(res, 200, { ok: true, urls: lanUrls() });
    }
    if (parts.length === 2) {
      if (method !== 'POST') throw new RoomError(405, 'Use POST to create a room.');
      takeToken(addressOf(req));
      const room = createRoom();
      return json(res, 201, { code: room.code, key: room.key });
    }
    if (parts.length === 4) {
      const room = roomOf(parts[2]);
      const what = parts[3];
      if (what === 'events') {
        if (method !== 'GET') throw new RoomError(405, 'Use GET for the event stream.');
        return subscribe(req, res, room, url.searchParams.get('role') === 'presenter');
      }
      if (what === 'state' || what === 'passed') {
        if (method !== 'POST') throw new RoomError(405, 'Use POST.');
        takeToken(addressOf(req));
        const body = await readJson(req);
        if (what === 'state') return json(res, 200, { ok: true, v: publish(room, body) });
        passed(room, body);
        return json(res, 200, { ok: true });
      }
    }
    throw new RoomError(404, 'Unknown room endpoint: see scripts/rooms.mjs for the list.');
  }

  return {
    rooms,
    /** Answers `req` if it is under /api/rooms (returns true), else returns false. */
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/api/rooms' && !url.pathname.startsWith('/api/rooms/')) return false;
      route(req, res, url).catch((e) => {
        if (e instanceof RoomError) json(res, e.status, { error: e.message });
        else {
          console.error('rooms:', e);
          json(res, 500, { error: 'The room service failed on this request; the server keeps running.' });
        }
      });
      return true;
    },
    /** Figures for tests and the load script: rooms, connections, dropped slow clients. */
    stats() {
      let clients = 0;
      for (const r of rooms.values()) clients += r.clients.size;
      return { rooms: rooms.size, clients, addresses: perAddress.size, dropped };
    },
    /** Ends every stream and stops the timers. */
    close() {
      clearInterval(sweep);
      clearInterval(heartbeat);
      for (const r of rooms.values()) {
        if (r.countTimer) clearTimeout(r.countTimer);
        for (const c of r.clients) c.res.end();
      }
      rooms.clear();
    },
  };
}
