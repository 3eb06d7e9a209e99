import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH, chromiumArgs } from './scripts/chromium-args';

/**
 * End-to-end tests in Debian's Chromium against the built site (run `npm run build` first;
 * `npm test` does). No retries: a flaky test is a bug.
 */
const PORT = Number(process.env.E2E_PORT ?? 4391);

export default defineConfig({
  testDir: 'tests/e2e',
  retries: 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    // The offline service worker (components/offline/) would precache the whole site in every
    // test and hide requests from page.route; only the specs that test it allow it.
    serviceWorkers: 'block',
    // Readers who ask for less motion get every step's end state at once; most tests take
    // that path (a step is then one frame, not a tween to wait out). The specs that exercise
    // the tweens ask for motion (mm-sim, share-sg).
    reducedMotion: 'reduce',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      // Includes turning off the address bar popups Chromium preloads in every context (see there).
      args: chromiumArgs(),
    },
  },
  webServer: {
    command: `node scripts/serve.mjs`,
    env: { PORT: String(PORT) },
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
