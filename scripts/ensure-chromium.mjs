/**
 * Makes sure Debian's Chromium is there for the end-to-end tests (Playwright's own browser
 * download is not reachable here). Installs it with apt when missing and we are root (or
 * have sudo); otherwise explains what to do. CHROMIUM_PATH overrides the location.
 */
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const bin = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(bin)) {
  const root = process.getuid?.() === 0;
  const sudo = root ? '' : 'sudo ';
  console.log(`Chromium not found at ${bin}: installing Debian's chromium package…`);
  try {
    execSync(`${sudo}apt-get update -qq && ${sudo}apt-get install -y -qq chromium`, { stdio: 'inherit' });
  } catch {
    console.error(`Could not install Chromium. Install it yourself (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.`);
    process.exit(1);
  }
}
