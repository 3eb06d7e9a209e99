/**
 * The tty lesson's "Prove it" panel and share links, in real Chromium:
 * a proof with counts, a counterexample that opens in the player at the violating step,
 * cancel during a long run (the page stays responsive), share links that restore the exact
 * step, malformed links that change nothing, and axe on the panel with its answers shown.
 */
import { expect, test, type Page } from '@playwright/test';
import { encodeShare, replay, ttyModel, TTY_PRESETS } from '../../sims/tty/index.ts';
import { axeViolations } from './axe';
import { uncover } from './helpers';

const LESSON = '/lessons/tty-write-atomicity/';

async function openPanel(page: Page) {
  await page.goto(LESSON);
  const panel = page.locator('prove-it');
  await expect(panel).toHaveAttribute('data-ready', 'true');
  await panel.scrollIntoViewIfNeeded();
  return panel;
}

/** The value shown for a statistic in the answer (a <dt>/<dd> pair). */
const stat = (page: Page, label: string) => page.locator('prove-it .pi-stats div').filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');

test('the current kernel with blocking writers: proved, with counts', async ({ page }) => {
  const panel = await openPanel(page);
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-verdict', 'proved');
  const result = panel.getByTestId('explorer-result');
  await expect(result.getByRole('heading')).toHaveText('Proved: no schedule breaks it');
  await expect(result).toContainText('In every schedule of this configuration, each write() reached the far end whole and unbroken');
  await expect(stat(page, 'States')).toHaveText('147');
  await expect(stat(page, 'Transitions')).toHaveText('194');
  await expect(stat(page, 'Complete schedules covered')).toHaveText('312');
  await expect(stat(page, 'Preemption bound')).toHaveText('unbounded');
  await expect(stat(page, 'Reduction')).toHaveText('sleep sets');
  // The answer is announced, and focus moved to it from the (now hidden) Cancel button.
  await expect(panel.getByRole('status').first()).toContainText('Proved');
  await expect(result.getByRole('heading')).toBeFocused();
});

test('O_NONBLOCK: a counterexample that opens in the player at the violating step', async ({ page }) => {
  const panel = await openPanel(page);
  await panel.getByRole('button', { name: 'O_NONBLOCK', exact: true }).click();
  await expect(panel.getByRole('checkbox', { name: 'O_NONBLOCK' }).nth(1)).toBeChecked();
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-verdict', 'counterexample');
  const result = panel.getByTestId('explorer-result');
  await expect(result).toContainText("B's write() failed with -EAGAIN");
  await expect(stat(page, 'Schedule length')).toHaveText('8 steps');
  await expect(stat(page, 'Violation at step')).toHaveText('3');

  const player = panel.locator('tty-sim');
  await expect(player).toBeHidden();
  await result.getByRole('button', { name: 'Open in the player' }).click();
  await expect(player).toBeVisible();
  await expect(player).toHaveAttribute('data-step', '3');
  await expect(player).toHaveAttribute('data-steps', '9');
  await expect(player.getByRole('heading', { name: 'Counterexample: 8 steps' })).toBeVisible();
  await expect(player.locator('[data-part="narration"]')).toHaveText(/^Writer B calls write\(2\) for 8 bytes with O_NONBLOCK; .*EAGAIN/);
  await expect(player.locator('[data-part="verdict"]')).toContainText('write() = -1 EAGAIN');
  // Step through it with narration.
  await player.getByRole('button', { name: 'Step back' }).click();
  await expect(player).toHaveAttribute('data-step', '2');
  await expect(player.locator('[data-part="narration"]')).not.toContainText('EAGAIN');
});

test('lock skipped: the counterexample shows exactly where the bytes interleave', async ({ page }) => {
  const panel = await openPanel(page);
  await panel.getByRole('button', { name: 'Lock skipped' }).click();
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-verdict', 'counterexample');
  await expect(panel.getByTestId('explorer-result')).toContainText("B's bytes land inside A's write: output byte 4 is B's byte 0");
  await panel.getByRole('button', { name: 'Open in the player' }).click();
  const player = panel.locator('tty-sim');
  await expect(player).toHaveAttribute('data-step', '6');
  await expect(player).toHaveAttribute('data-verdict', 'interleaved');
  await expect(player.locator('[data-part="verdict"]')).toContainText("Interleaved: B's bytes land inside A's write at byte 4");
});

test('a new answer clears the old counterexample from the player', async ({ page }) => {
  const panel = await openPanel(page);
  await panel.getByRole('button', { name: 'Lock skipped' }).click();
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-verdict', 'counterexample');
  await panel.getByRole('button', { name: 'Open in the player' }).click();
  const player = panel.locator('tty-sim');
  await expect(player).toBeVisible();
  await expect(player.getByRole('heading', { name: /^Counterexample: \d+ steps$/ })).toBeVisible();

  await panel.getByRole('button', { name: 'Blocking writers' }).click();
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-verdict', 'proved');
  await expect(panel.getByTestId('explorer-result').getByRole('heading')).toHaveText('Proved: no schedule breaks it');
  await expect(player).toBeHidden();
  // No heading left on show says "Counterexample" (getByRole skips hidden elements).
  await expect(panel.getByRole('heading', { name: /Counterexample/ })).toHaveCount(0);

  // A run the learner opened by hand is theirs: a new answer leaves it open.
  await panel.getByRole('button', { name: 'Try it by hand first' }).click();
  await expect(player).toBeVisible();
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-state', 'idle');
  await expect(panel).toHaveAttribute('data-verdict', 'proved');
  await expect(player.getByRole('heading', { name: 'Your configuration, by hand' })).toBeVisible();
});

test('a pipe write of 16 bytes (issue 11): the writer is never stuck, and the end says what is true', async ({ page }) => {
  // One blocking 16-byte write into two 4-byte pipe pages; A, A, A, the reader 4 times, A.
  await page.goto(`${LESSON}#sim=tty.1.AkAEAwQCAoCIDg.aaarrrra.8`);
  const player = page.locator('prove-it tty-sim');
  await expect(player).toHaveAttribute('data-step', '8');
  await expect(player.locator('[data-part="params"]')).toContainText('16 bytes');
  const choices = player.getByTestId('scheduler-choices');
  await expect(choices).not.toContainText('Nothing can run');
  await choices.getByRole('button', { name: 'run writer A' }).click();
  await expect(player).toHaveAttribute('data-step', '9');
  await expect(player.locator('[data-part="narration"]')).toContainText('write(2) returns 16');
  for (let step = 10; step <= 13; step++) {
    await choices.getByRole('button', { name: 'reader reads' }).click();
    await expect(player).toHaveAttribute('data-step', String(step));
  }
  await expect(choices.locator('[data-part="choicebuttons"]')).toHaveText('Nothing can run: every writer has returned and the reader has read every byte.');

  // The panel, asked about the same system, proves it: now truly.
  const panel = page.locator('prove-it');
  await expect(panel.locator('input[name="size0"]')).toHaveValue('16');
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-verdict', 'proved');
  await expect(panel.getByTestId('explorer-result')).toContainText('No schedule gets stuck either');
});

test('cancel during a long run: the answer says what was covered, and the page stays responsive', async ({ page }) => {
  const panel = await openPanel(page);
  await panel.getByRole('button', { name: 'A long search' }).click();
  await panel.getByRole('button', { name: 'Prove it' }).click();
  await expect(panel).toHaveAttribute('data-state', 'running');
  const progress = panel.getByTestId('explorer-progress');
  await expect(progress).toHaveText(/^[\d,]+ states · [\d,]+ transitions · depth \d+ · /);
  const first = Number((await progress.textContent())!.split(' ')[0].replace(/,/g, ''));
  expect(first).toBeGreaterThan(0);
  await expect(panel.getByRole('progressbar')).toHaveAttribute('aria-valuetext', /% of the limits used: [\d,]+ states/);

  // The main thread is free while the worker searches: another player steps at once.
  const other = page.locator('tty-sim').first();
  await uncover(other);
  await other.scrollIntoViewIfNeeded();
  await other.getByRole('button', { name: 'Step forward' }).click();
  await expect(other).toHaveAttribute('data-step', '1');
  await expect(panel).toHaveAttribute('data-state', 'running');

  await panel.scrollIntoViewIfNeeded();
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel).toHaveAttribute('data-verdict', 'incomplete');
  await expect(panel).toHaveAttribute('data-state', 'idle');
  const result = panel.getByTestId('explorer-result');
  await expect(result.getByRole('heading')).toHaveText('Not finished');
  await expect(result).toContainText('You cancelled the search.');
  await expect(result).toContainText(/It covered [\d,]+ states and [\d,]+ transitions, down to schedules \d+ steps long, and found no violation there/);
  const covered = Number((await stat(page, 'States').textContent())!.replace(/,/g, ''));
  expect(covered).toBeGreaterThanOrEqual(first);
  expect(covered).toBeLessThan(302_018); // the whole search has 302,018 states
  await expect(panel.getByRole('button', { name: 'Prove it' })).toBeEnabled();
  await expect(panel.getByRole('button', { name: 'Cancel' })).toBeHidden();
});

test('a copied link restores the exact step in the same player', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.goto(LESSON);
  const sim = page.locator('tty-sim[data-preset="kernel-blocking"]');
  await uncover(sim);
  await sim.scrollIntoViewIfNeeded();
  for (let i = 0; i < 5; i++) await sim.getByRole('button', { name: 'Step forward' }).click();
  await expect(sim).toHaveAttribute('data-step', '5');
  const narration = await sim.locator('[data-part="narration"]').textContent();
  await sim.getByRole('button', { name: 'Copy link to this step' }).click();
  const input = sim.getByRole('textbox', { name: /Link to step 5/ });
  await expect(input).toHaveValue(/\/lessons\/tty-write-atomicity\/#sim=tty\.2\.kernel-blocking\.[A-Za-z0-9_-]+\.[a-dA-Dur]+\.5$/);
  await expect(sim.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  const url = await input.inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  const other = await context.newPage();
  await other.goto(url);
  const restored = other.locator('tty-sim[data-preset="kernel-blocking"]');
  await expect(restored).toHaveAttribute('data-step', '5');
  await expect(restored).toHaveAttribute('data-loaded', 'true');
  await expect(restored.locator('[data-part="narration"]')).toHaveText(narration!);
  await expect(restored).toBeInViewport();
  await expect(other.getByRole('alert')).toHaveCount(0);
  // Only that player changed.
  await expect(other.locator('tty-sim[data-loaded]')).toHaveCount(1);
});

test('"open this, we are at step 17": a link made elsewhere restores the step and its narration', async ({ page }) => {
  const preset = TTY_PRESETS['kernel-blocking'];
  const schedule = preset.schedule!;
  const text = encodeShare({ model: 'tty', params: preset.params, schedule, step: 17 });
  const expected = replay(ttyModel, preset.params, 1, schedule)[17].event!.narration;
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${LESSON}#sim=${text}`);
  const sim = page.locator('tty-sim[data-preset="kernel-blocking"]');
  await expect(sim).toHaveAttribute('data-step', '17');
  await expect(sim.locator('[data-part="narration"]')).toHaveText(expected);
  await expect(sim.locator('[data-part="stepno"]')).toHaveText(`Step 17 of ${schedule.length}`);
  await expect(sim).toBeInViewport();
  // The player sits in a Predict's slot; a link to it uncovers it (the learner asked for this run).
  await expect(page.locator('dpl-predict[data-preset="kernel-blocking"]')).toHaveAttribute('data-run', 'open');

  // A configuration no lesson player shows opens in the Prove-it panel's player.
  const params = { ...preset.params, chunkSize: 4, xmitSize: 8 };
  const custom = encodeShare({ model: 'tty', params, schedule: [{ kind: 'run', writer: 1 }, { kind: 'run', writer: 0 }], step: 2 });
  await page.goto(`${LESSON}#sim=${custom}`);
  const panelPlayer = page.locator('prove-it tty-sim');
  await expect(panelPlayer).toBeVisible();
  await expect(panelPlayer).toHaveAttribute('data-step', '2');
  await expect(panelPlayer.getByRole('heading', { name: 'Shared run' })).toBeVisible();
  await expect(panelPlayer.locator('[data-part="narration"]')).toContainText('Writer A calls write(2) for 12 bytes');
  // The panel's form now shows that configuration, so "Prove it" asks about the same system.
  await expect(page.locator('prove-it input[name="size0"]')).toHaveValue('12');
  await expect(page.locator('prove-it input[name="size1"]')).toHaveValue('10');
});

test('try it by hand first: the same choices, no schedule, the learner plays the scheduler', async ({ page }) => {
  const panel = await openPanel(page);
  await panel.getByRole('button', { name: 'A signal' }).click();
  await panel.getByRole('button', { name: 'Try it by hand first' }).click();
  const player = panel.locator('tty-sim');
  await expect(player).toBeVisible();
  await expect(player).toHaveAttribute('data-step', '0');
  await expect(player).toHaveAttribute('data-steps', '1');
  await expect(player.locator('[data-part="params"]')).toContainText('8 bytes, may be signalled');
  const choices = player.getByTestId('scheduler-choices');
  await expect(choices.getByRole('button', { name: 'run writer A' })).toBeFocused();
  await choices.getByRole('button', { name: 'run writer A' }).click();
  await choices.getByRole('button', { name: 'signal writer A' }).click();
  await expect(player).toHaveAttribute('data-step', '2');
  await expect(player.locator('[data-part="narration"]')).toContainText('A signal arrives for writer A');
});

test('malformed, outdated and non-replaying links: a clear message and an untouched page', async ({ page }) => {
  const cases: [string, RegExp][] = [
    ['tty.1.garbage', /damaged/],
    ['tty.0.BCAgBAMEAgKAiA4.aab.3', /older version \(0\)/],
    ['tty.1.BCAgBAMEAgKAiA4.aabb.4', /does not replay: at step 4, running writer B is not possible/],
    ['dma.1.AAAA..0', /This link is for a “dma” simulation, which is not on this page/],
    ['tty.1.BAAgBAMEAgKAiA4..0', /settings are not valid: tty params: writers\[0\]\.size must be an integer from 1/],
  ];
  for (const [text, message] of cases) {
    await page.goto(`${LESSON}#sim=${text}`);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('This simulation link could not be opened.');
    await expect(alert).toContainText(message);
    await expect(alert).toContainText('Nothing on this page was changed.');
    const steps = await page.locator('tty-sim').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-step')}${e.hasAttribute('data-loaded') ? ' loaded' : ''}`));
    expect(steps.every((s) => s === '0')).toBe(true);
    await expect(page.locator('prove-it [data-part="player"]')).toBeHidden();
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
  }
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no violations in the panel with an answer, the player and a share alert (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${LESSON}#sim=tty.1.broken`);
    await expect(page.getByRole('alert')).toBeVisible();
    const panel = page.locator('prove-it');
    await panel.scrollIntoViewIfNeeded();
    await panel.getByRole('button', { name: 'A signal' }).click();
    await panel.locator('details.pi-more summary').click();
    await panel.getByRole('button', { name: 'Prove it' }).click();
    await expect(panel).toHaveAttribute('data-verdict', 'counterexample');
    await panel.getByRole('button', { name: 'Open in the player' }).click();
    await expect(panel.locator('tty-sim')).toHaveAttribute('data-diagrams', 'loaded');
    await panel.locator('tty-sim').getByRole('button', { name: 'Copy link to this step' }).click();
    await expect(panel.locator('tty-sim [data-part="linkbox"]')).toBeVisible();
    expect(await axeViolations(page, { include: ['prove-it', '.dpl-share-alert'] })).toEqual([]);
  });
}
