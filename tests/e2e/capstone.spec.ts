/**
 * A learner's path through the capstone lesson, in real Chromium: home -> the capstone ->
 * answer a Predict before the run it asks about -> step design A and see data lost -> change
 * the parameters (a bad value is refused with a message and the run is kept; a good one
 * reruns) -> the ring's Prove it: the protocol is proved, a broken variant gives a
 * counterexample that opens in the player -> the daq-ring exercise fails, then passes ->
 * nothing left the origin.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { runExercise, setPlainCode, watchRequests } from './helpers';

const solution = readFileSync('content/exercises/daq-ring/solution.ts', 'utf8');

test('a learner works through the capstone lesson', async ({ page, baseURL }) => {
  const requests = watchRequests(page, baseURL!);
  await page.goto('/');
  await page.getByRole('link', { name: /Capstone/ }).first().click();
  await expect(page).toHaveURL(/\/lessons\/capstone-daq-driver\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('data-acquisition driver');

  // Predict comes before the run it asks about.
  const predict = page.locator('dpl-predict').first();
  const simA = page.locator('daq-sim[data-preset="design-a"]');
  const predictBox = await predict.boundingBox();
  const simBox = await simA.boundingBox();
  expect(predictBox!.y).toBeLessThan(simBox!.y);
  await predict.getByRole('radio', { name: /About 2 MB\/s/ }).check();
  await predict.getByRole('button', { name: 'Check' }).click();
  await expect(predict).toContainText('4 bytes every 2 µs');

  // Design A: step until the FIFO has overflowed; the counters say bytes were lost.
  await simA.scrollIntoViewIfNeeded();
  await expect(simA).toHaveAttribute('data-ready', 'true');
  for (let i = 0; i < 4; i++) await simA.getByRole('button', { name: 'Step forward' }).click();
  await expect(simA).toHaveAttribute('data-step', '4');
  await expect.poll(async () => Number(await simA.getAttribute('data-lost'))).toBeGreaterThan(0);
  await expect(simA.locator('[data-counter="lost"]')).toContainText('% of produced');
  await simA.getByRole('button', { name: 'Table view' }).click();
  await expect(simA.locator('.daq-tables table').first()).toBeVisible();
  await expect(simA.locator('.daq-tables')).toContainText('readl');

  // Design B: a bad parameter is refused and the run is kept; a good one reruns.
  const simB = page.locator('daq-sim[data-preset="design-b"]');
  await simB.scrollIntoViewIfNeeded();
  await simB.getByRole('button', { name: 'Step forward' }).click();
  await expect(simB).toHaveAttribute('data-step', '1');
  await simB.getByText('Change the parameters and the cost table').click();
  await simB.getByLabel('read() size (KiB)').fill('3');
  await simB.getByRole('button', { name: 'Run with these' }).click();
  await expect(simB.locator('[data-part="params-msg"]')).toContainText('read_bytes');
  await expect(simB).toHaveAttribute('data-step', '1');
  await simB.getByLabel('read() size (KiB)').fill('4096');
  await simB.getByLabel('Reads in flight').fill('2');
  await simB.getByRole('button', { name: 'Run with these' }).click();
  await expect(simB).toHaveAttribute('data-step', '0');
  await expect(simB.locator('[data-part="formula"]')).toContainText('4 MiB');

  // Prove it: the protocol holds; a broken variant gives a counterexample in the player.
  const ring = page.locator('daq-ring-sim');
  await ring.scrollIntoViewIfNeeded();
  await expect(ring).toHaveAttribute('data-ready', 'true');
  await ring.getByRole('button', { name: 'Check every interleaving' }).click();
  await expect(ring).toHaveAttribute('data-verdict', 'proved');
  await expect(ring.locator('[data-part="verdict"]')).toContainText('Proved');
  await ring.getByLabel(/Let the device refill a full ring/).check();
  await ring.getByRole('button', { name: 'Check every interleaving' }).click();
  await expect(ring).toHaveAttribute('data-verdict', 'counterexample');
  await expect(ring.locator('[data-part="verdict"]')).toContainText('started writing buffer');
  await expect(ring.locator('[data-part="narration"]')).toContainText('Broken');
  await ring.getByRole('button', { name: 'Step back' }).click();
  await expect(ring.locator('[data-part="narration"]')).not.toContainText('Broken');

  // The ring exercise: the starter fails, the solution passes.
  const id = 'daq-ring';
  let ex = await runExercise(page, id);
  await expect(ex).toHaveAttribute('data-state', 'failed');
  await setPlainCode(page, id, solution);
  ex = await runExercise(page, id);
  await expect(ex).toHaveAttribute('data-state', 'passed');

  // The handler exercise imports @sims/daq in the grading worker and is graded by the explorer.
  ex = await runExercise(page, 'daq-irq');
  await expect(ex).toHaveAttribute('data-state', 'failed');
  await expect(ex.locator('li.ex-test[data-state="fail"]').first()).toContainText('schedule');
  await setPlainCode(page, 'daq-irq', readFileSync('content/exercises/daq-irq/solution.ts', 'utf8'));
  ex = await runExercise(page, 'daq-irq');
  await expect(ex).toHaveAttribute('data-state', 'passed');

  expect(requests.foreign()).toEqual([]);
});
