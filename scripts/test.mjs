/**
 * `npm test`: every test, in two lanes that run at once.
 *
 *   lane "unit": check:sims (tsc on sims/), test:unit (Vitest), then check:types (tsc on the
 *                whole project, once the build has written Astro's generated types in .astro/)
 *   lane "site": build, then test:e2e (Playwright in Chromium, against the build)
 *
 * The end-to-end tests need only the build, not the unit tests, so the machine's cores stay
 * busy: the build's single-threaded phases and the e2e tests' waits overlap the unit tests.
 * Both lanes always run to the end; the exit status is 0 only when every step of both passed.
 * The site lane streams its output; the unit lane's output is printed as one block when it
 * ends (so two reporters do not interleave line by line), and a line says when each lane ends.
 */
import { spawn } from 'node:child_process';

/** The children write to pipes: keep their colours when this process writes to a terminal. */
const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;

/**
 * Runs `npm run <script>` for each step in turn, stopping at the first failure; resolves with
 * the exit status. A step is a script name, or `{ script, after }` to wait for the promise
 * `after` first. `done[script]` is called when that script ends, passed or not.
 */
function lane(name, steps, { stream, done = {} }) {
  const scripts = steps.map((s) => (typeof s === 'string' ? s : s.script));
  const chunks = [];
  const say = (text) => (stream ? process.stdout.write(text) : chunks.push(Buffer.from(text)));
  const started = performance.now();
  const run = (script) =>
    new Promise((resolve) => {
      say(`\n[npm test] ${name} lane: npm run ${script}\n`);
      const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'], env: colour ? { ...process.env, FORCE_COLOR: '1' } : process.env });
      for (const s of [child.stdout, child.stderr]) {
        s.on('data', (c) => (stream ? process.stdout.write(c) : chunks.push(c)));
      }
      child.on('error', (e) => {
        say(`${name}: could not start npm run ${script}: ${e.message}\n`);
        resolve(1);
      });
      child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  return (async () => {
    let status = 0;
    let failed = '';
    for (const step of steps) {
      const script = typeof step === 'string' ? step : step.script;
      if (typeof step !== 'string') await step.after;
      status = await run(script);
      done[script]?.();
      if (status !== 0) {
        failed = script;
        break;
      }
    }
    if (!stream) process.stdout.write(Buffer.concat(chunks));
    const secs = ((performance.now() - started) / 1000).toFixed(0);
    process.stdout.write(`\n[npm test] ${name} lane (${scripts.join(' → ')}): ${status === 0 ? 'passed' : `FAILED in ${failed}`} after ${secs} s\n\n`);
    return status;
  })();
}

// The whole-project type check reads `.astro/` (the content collections' types), which the
// build writes: it waits for the build to end.
let built;
const buildEnded = new Promise((resolve) => (built = resolve));
const [unit, site] = await Promise.all([
  lane('unit', ['check:sims', 'test:unit', { script: 'check:types', after: buildEnded }], { stream: false }),
  lane('site', ['build', 'test:e2e'], { stream: true, done: { build: built } }),
]);
process.exitCode = unit !== 0 || site !== 0 ? 1 : 0;
