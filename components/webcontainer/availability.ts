/**
 * Whether a real Node.js terminal (StackBlitz's WebContainer) can run on this page, found by
 * feature detection only (never by the user-agent string):
 *  1. the page is cross-origin isolated (`crossOriginIsolated`, which also means
 *     `SharedArrayBuffer` exists): the server must send COOP/COEP (scripts/headers.mjs), and
 *     the page must be the top-level page (in the workshop room's frame it is not isolated);
 *  2. StackBlitz's service answers a reachability probe within `PROBE_TIMEOUT_MS`;
 *  3. `WebContainer.boot()` settles within `BOOT_TIMEOUT_MS` (offline it never settles at all,
 *     so the timeout is the only way out).
 * Every "no" comes with one sentence for the page saying why. Nothing here touches the DOM.
 */

/** The one origin the WebContainer path talks to (its hidden iframe is `/headless` there). */
export const SERVICE_ORIGIN = 'https://stackblitz.com';
/** Milliseconds the reachability probe may take before the service counts as unreachable. */
export const PROBE_TIMEOUT_MS = 5_000;
/** Milliseconds `boot()` may take (the issue allows at most 20 s). */
export const BOOT_TIMEOUT_MS = 20_000;

/** Why the terminal cannot run. */
export type UnavailableReason = 'not-isolated' | 'framed' | 'offline' | 'unreachable' | 'boot-timeout' | 'boot-failed';

/** The answer of a check: usable, or not with a reason and one sentence for the page. */
export type Availability = { ok: true } | { ok: false; reason: UnavailableReason; message: string };

const TAIL = 'everything else on this page works as before.';

/** One sentence for each reason (`detail` is appended to a failed boot's message). */
export function unavailableMessage(reason: UnavailableReason, detail = ''): string {
  switch (reason) {
    case 'framed':
      return `The Node.js terminal needs this page opened on its own, not inside another page's frame; ${TAIL}`;
    case 'not-isolated':
      return `The Node.js terminal is unavailable because this page is not cross-origin isolated (its server did not send the COOP/COEP headers, or this browser does not support them); ${TAIL}`;
    case 'offline':
      return `The Node.js terminal is unavailable because this browser is offline; ${TAIL}`;
    case 'unreachable':
      return `The Node.js terminal is unavailable because StackBlitz's WebContainer service (stackblitz.com) cannot be reached from here; ${TAIL}`;
    case 'boot-timeout':
      return `The Node.js terminal is unavailable because StackBlitz's WebContainer did not start within ${BOOT_TIMEOUT_MS / 1000} s; ${TAIL}`;
    case 'boot-failed':
      return `The Node.js terminal is unavailable because StackBlitz's WebContainer failed to start${detail ? ` (${detail})` : ''}; ${TAIL}`;
  }
}

const no = (reason: UnavailableReason, detail?: string): Availability => ({ ok: false, reason, message: unavailableMessage(reason, detail) });

/** What the page-side checks read (a test passes plain values). */
export interface PageEnv {
  /** `globalThis.crossOriginIsolated`. */
  crossOriginIsolated: boolean;
  /** True when the page is inside a frame (`window.top !== window`). */
  framed: boolean;
  /** `navigator.onLine` (false means certainly offline; true proves nothing). */
  onLine: boolean;
}

/** The current page's `PageEnv`. */
export function pageEnv(): PageEnv {
  let framed = false;
  try {
    framed = window.top !== window;
  } catch {
    framed = true;
  }
  return { crossOriginIsolated: globalThis.crossOriginIsolated === true, framed, onLine: navigator.onLine !== false };
}

/** Check 1 (and the cheap part of 2): null when the page can try, else why not. */
export function checkPage(env: PageEnv): Availability | null {
  if (!env.crossOriginIsolated) return no(env.framed ? 'framed' : 'not-isolated');
  if (!env.onLine) return no('offline');
  return null;
}

/** A `fetch` as the probe uses it. */
export type FetchLike = (url: string, init: { mode: 'no-cors'; cache: 'no-store'; credentials: 'omit'; signal: AbortSignal }) => Promise<unknown>;

/**
 * Check 2: asks `url` (an opaque, credential-less request) and waits at most `timeoutMs`.
 * Resolves null when an answer came (any answer: an opaque response proves the host is
 * reachable), else the reason; never rejects, and never waits longer than `timeoutMs`.
 */
export async function probe(fetchFn: FetchLike, url = `${SERVICE_ORIGIN}/headless`, timeoutMs = PROBE_TIMEOUT_MS): Promise<Availability | null> {
  const ctl = new AbortController();
  let timedOut = false;
  const answer = fetchFn(url, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: ctl.signal }).then(
    () => null,
    () => no('unreachable'),
  );
  const timeout = deadline(timeoutMs, () => {
    timedOut = true;
    ctl.abort();
  });
  const r = await Promise.race([answer, timeout.promise.then(() => no('unreachable'))]);
  timeout.clear();
  return timedOut ? no('unreachable') : r;
}

/** A timer as a promise, with a way to stop it: the one deadline primitive of this folder. */
export function deadline(ms: number, onExpire?: () => void): { promise: Promise<void>; clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onExpire?.();
      resolve();
    }, ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * Settles with `p`'s value, or rejects with `BootTimeout` after `ms` milliseconds (the
 * WebContainer's `boot()` never settles offline). `p`'s own rejection passes through.
 */
export async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  const t = deadline(ms);
  try {
    return await Promise.race([p, t.promise.then(() => Promise.reject(new BootTimeout(ms)))]);
  } finally {
    t.clear();
  }
}

/** `withDeadline` ran out of time. */
export class BootTimeout extends Error {
  constructor(readonly ms: number) {
    super(`did not settle within ${ms} ms`);
    this.name = 'BootTimeout';
  }
}
