/**
 * "Run it on Linux 6.12" in real Chromium: the panel downloads nothing until pressed, boots
 * the committed Linux 6.12 image in v86 in a Worker, and every check program prints a
 * RESULT ok line that agrees with the lesson. Also: Cancel, the message for a browser
 * without WebAssembly, and no request to another origin.
 *
 * Emulation on a shared machine is slow: the boot tests get a generous timeout (waiting on the
 * panel's data-state, never on a fixed delay). They run one after another so two emulators
 * never compete for the CPU.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { watchRequests } from './helpers.ts';

const TTY = '/lessons/tty-write-atomicity/';
const UIO = '/lessons/uio-user-space-dma/';
const SIDE = '/lessons/side-questions/';
const BOOT_TIMEOUT = 120_000;

/** Every program built into the image: kernel-checks/*.c tagged `// vm: yes`. */
const dir = path.resolve(import.meta.dirname, '../../kernel-checks');
const VM_CHECKS = readdirSync(dir)
  .filter((f) => f.endsWith('.c') && /^\s*\/\/\s*vm:\s*yes\s*$/m.test(readFileSync(path.join(dir, f), 'utf8')))
  .map((f) => f.slice(0, -2))
  .sort();

test.describe.configure({ mode: 'serial' });

test('nothing is fetched for the panel before Run is pressed', async ({ page, baseURL }) => {
  const req = watchRequests(page, baseURL!);
  await page.goto(TTY);
  const panel = page.locator('.rk').first();
  await expect(panel.getByRole('button', { name: 'Run it on Linux 6.12' })).toBeEnabled();
  await page.waitForLoadState('networkidle');
  expect(req.all.filter((u) => /realkernel|v86|panel-main|xterm/i.test(u))).toEqual([]);
});

test('every check program agrees with the lessons on the in-page Linux 6.12', async ({ page, baseURL }) => {
  test.setTimeout(BOOT_TIMEOUT + 30_000);
  expect(VM_CHECKS.length).toBeGreaterThanOrEqual(6);
  const req = watchRequests(page, baseURL!);
  await page.goto(TTY);
  const panel = page.locator('.rk').first();
  // Run every program of the image in this one panel (one boot instead of one per panel).
  await panel.evaluate((el, checks) => {
    (el as HTMLElement).dataset.rkChecks = checks.join(',');
  }, VM_CHECKS);
  await panel.getByRole('button', { name: 'Run it on Linux 6.12' }).click();
  await expect(panel).toHaveAttribute('data-state', /booting|running/, { timeout: 30_000 });
  // The page stays responsive while Linux boots: the emulator runs in a Worker, and the page
  // paints a frame while the panel is still booting (a boot takes many frames' worth of CPU).
  await expect.poll(() => page.workers().map((w) => w.url()).filter((u) => /realkernel/.test(u)).length).toBeGreaterThan(0);
  const whilePainting = await page.evaluate(() => new Promise<string>((r) => requestAnimationFrame(() => r((document.querySelector('.rk') as HTMLElement).dataset.state ?? ''))));
  expect(whilePainting).toMatch(/booting|running/);
  await expect(panel).toHaveAttribute('data-state', /done|failed|error/, { timeout: BOOT_TIMEOUT });
  const lines = (await panel.locator('[data-part="results"]').textContent())!.trim().split('\n');
  const byName = new Map(lines.map((l) => [l.split(' ')[1], l]));
  for (const name of VM_CHECKS) {
    expect(byName.get(name), `no RESULT line from ${name}; got:\n${lines.join('\n')}`).toMatch(new RegExp(`^RESULT ${name} ok\\b`));
  }
  await expect(panel).toHaveAttribute('data-state', 'done');
  // The model's claim and the kernel's answer, side by side.
  const claim = panel.locator('[data-claim-check="pty-blocking-writers"]');
  await expect(claim).toHaveAttribute('data-verdict', 'agrees');
  await expect(claim).toContainText('the kernel said switches in 3 trials: 1,1,1; short writes: 0');
  await expect(claim).toContainText('agrees with the lesson');
  // The boot log reached the terminal.
  await expect(panel.locator('.xterm')).toBeVisible();
  expect(req.foreign()).toEqual([]);
  const first = Number(await panel.getAttribute('data-first-result-ms'));
  const done = Number(await panel.getAttribute('data-done-ms'));
  test.info().annotations.push({ type: 'timing', description: `first RESULT ${first} ms, all done ${done} ms after the click` });
});

test('the UIO lesson: maps, read() rules and the interrupt count from the emulated NE2000', async ({ page }) => {
  test.setTimeout(BOOT_TIMEOUT + 30_000);
  await page.goto(UIO);
  const panel = page.locator('.rk');
  await panel.getByRole('button', { name: 'Run it on Linux 6.12' }).click();
  await expect(panel).toHaveAttribute('data-state', /done|failed|error/, { timeout: BOOT_TIMEOUT });
  await expect(panel.locator('[data-part="results"]')).toContainText(/RESULT uio-pci-generic ok .*maps=0 .*irq_counts=1,2/);
  const rows = panel.locator('[data-claim-check]');
  await expect(rows).toHaveCount(3);
  for (const row of await rows.all()) await expect(row).toHaveAttribute('data-verdict', 'agrees');
  await expect(panel).toHaveAttribute('data-state', 'done');
  // The finished panel (terminal, verdicts, result lines) is accessible too.
  await panel.locator('[data-part="results-box"] summary').click();
  expect(await axeViolations(page, { include: ['.rk'] })).toEqual([]);
});

test('the side questions: fd and fault claims next to the kernel\'s answers', async ({ page }) => {
  test.setTimeout(3 * BOOT_TIMEOUT + 30_000);
  await page.goto(SIDE);
  const panels = page.locator('.rk');
  await expect(panels).toHaveCount(3);
  /** The claim rows each panel must show, with the kernel's answer filled in from its RESULT line. */
  const expected: Record<string, string>[] = [
    {
      'lowest-fd': 'the kernel said first 3,4,5; after close(4): 4; after closing 5 then 3: 3, then 5',
      'fd-table': 'the kernel said 6 sequences run, mismatches: 0, errors: 0',
    },
    { 'demand-zero-faults': 'the kernel said first touch: 1024 faults for 1024 pages; second touch: 0; after MAP_POPULATE: 0' },
    { 'sigbus-truncate': 'the kernel said kept page: ok; revoked page: SIGBUS (BUS_ADRERR)' },
  ];
  for (const [i, claims] of expected.entries()) {
    const panel = panels.nth(i);
    await panel.getByRole('button', { name: 'Run it on Linux 6.12' }).click();
    await expect(panel).toHaveAttribute('data-state', /done|failed|error/, { timeout: BOOT_TIMEOUT });
    for (const name of Object.keys(claims)) {
      await expect(panel.locator('[data-part="results"]')).toContainText(new RegExp(`RESULT ${name} ok `));
    }
    const rows = panel.locator('[data-claim-check]');
    await expect(rows).toHaveCount(Object.keys(claims).length);
    for (const [name, text] of Object.entries(claims)) {
      const row = panel.locator(`[data-claim-check="${name}"]`);
      await expect(row).toHaveAttribute('data-verdict', 'agrees');
      await expect(row).toContainText(text);
    }
    await expect(panel).toHaveAttribute('data-state', 'done');
  }
});

test('Cancel stops the machine and Run starts it again', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto(TTY);
  const panel = page.locator('.rk').first();
  await panel.getByRole('button', { name: 'Run it on Linux 6.12' }).click();
  await expect(panel).toHaveAttribute('data-state', /loading|booting|running/);
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel).toHaveAttribute('data-state', 'cancelled');
  await expect(panel.getByRole('status')).toHaveText(/Cancelled/);
  await expect(panel.getByRole('button', { name: 'Cancel' })).toBeHidden();
  await expect(panel.getByRole('button', { name: 'Run it again' })).toBeEnabled();
  await expect(panel.getByRole('button', { name: 'Run it again' })).toBeFocused();
});

test('a browser without WebAssembly gets a clear message, not a spinner', async ({ page }) => {
  await page.addInitScript(() => {
    // @ts-expect-error: simulating a browser with WebAssembly turned off
    delete globalThis.WebAssembly;
  });
  await page.goto(TTY);
  const panel = page.locator('.rk').first();
  await panel.getByRole('button', { name: 'Run it on Linux 6.12' }).click();
  await expect(panel).toHaveAttribute('data-state', 'unsupported');
  await expect(panel.getByRole('status')).toContainText('This browser cannot run the emulator: it needs WebAssembly');
});
