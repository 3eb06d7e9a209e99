/**
 * Lets v86 run inside a Worker served with this site's worker Content-Security-Policy.
 *
 * v86 0.5.462 (src/main.js) chooses how its main loop yields when its module loads: under a
 * browser it starts a nested Worker from a blob: URL, which the worker policy
 * (`default-src 'none'; script-src 'self' ...`, scripts/headers.mjs) rightly forbids, so the
 * loop would never resume. It uses `scheduler.postTask` instead when that exists and the page
 * URL contains "use-scheduling-api"; the panel starts the worker with that word in the URL's
 * fragment, and this module (imported before v86) provides `postTask` on a MessageChannel,
 * which does not clamp zero delays the way nested setTimeout does.
 */
type Task = () => void;
const queue: Task[] = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  const t = queue.shift();
  if (t) t();
};

/** `scheduler.postTask(cb, { delay })`: `delay` in milliseconds; 0 or less runs as soon as possible. */
function postTask(cb: Task, opts?: { delay?: number }): void {
  const delay = opts?.delay ?? 0;
  if (delay > 0) {
    setTimeout(cb, delay);
  } else {
    queue.push(cb);
    channel.port2.postMessage(0);
  }
}

(globalThis as unknown as { scheduler: { postTask: typeof postTask } }).scheduler = { postTask };
