/**
 * Makes sure a C compiler is there for tests/unit/kernel-checks.test.ts, which compiles every
 * program in kernel-checks/ with `cc -Wall -Werror -O2`. When `cc` is not on the PATH, installs
 * Debian's gcc and libc6-dev with apt (as root, or through sudo), the way ensure-chromium.mjs
 * installs Chromium; otherwise explains what to do.
 */
import { execSync } from 'node:child_process';

function has(cmd) {
  try {
    execSync(`command -v ${cmd}`, { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
}

if (!has('cc')) {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  console.log('No C compiler (cc) found: installing Debian\'s gcc and libc6-dev…');
  try {
    execSync(`${sudo}apt-get update -qq && ${sudo}apt-get install -y -qq gcc libc6-dev`, { stdio: 'inherit' });
  } catch {
    console.error('Could not install a C compiler. Install one yourself (apt-get install gcc libc6-dev) so that `cc` is on the PATH.');
    process.exit(1);
  }
}
