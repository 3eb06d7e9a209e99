/**
 * How the tests and the benchmark launch Debian's Chromium (`/usr/bin/chromium`, or
 * `CHROMIUM_PATH`), headless, through Playwright.
 *
 * One switch matters for the suite's time. Since about version 150, Chromium preloads the
 * address bar's popup, a WebUI page (`chrome://omnibox-popup.top-chrome/`, and its AI-mode
 * variant) in a renderer of its own, in every new window. Headless, every browser context is a
 * new window, so every test paid for two pages it never shows: about 1.1 s of CPU per context
 * on the 2-core machine this was measured on (Chromium 156; one browser opening /about/ in six
 * new contexts used 12.1 s of CPU, including its children, with the popups and 5.5 s
 * without). The features `WebUIOmniboxPopup` and `WebUIOmniboxAimPopup` turn the preload off.
 *
 * Chromium keeps only the last `--disable-features` switch on its command line, and Playwright
 * passes its own list first (`chromiumSwitches.ts` in playwright-core), so the list below
 * repeats Playwright's features before adding these two. `tests/unit/chromium-args.test.ts`
 * checks it against the installed Playwright, so an upgrade that adds a feature fails there.
 */

/** The Chromium binary: Debian's package, or `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The features Playwright 1.65 disables (playwright-core `chromiumSwitches.ts`, `disabledFeatures`). */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
] as const;

/** What a headless test never uses: the address bar's popup pages, preloaded per window. */
export const UNUSED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'] as const;

/**
 * The extra switches for `chromium.launch({ args })`: no sandbox (the machine runs as root), no
 * GPU, no background traffic (the site must make no request to another origin, and the tests
 * would see it), and the disabled features above.
 */
export function chromiumArgs(): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...UNUSED_FEATURES].join(',')}`,
  ];
}
