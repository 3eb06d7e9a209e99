/**
 * Share links of the data-acquisition players (issue 12, step 6; issue 14): "Copy link to
 * this step" in a capstone player, opened in a new page, shows the same player (same id) at
 * the same step; a run whose parameters the learner changed carries them (a `daq.2` link)
 * and reopens with them; a link to a preset this site does not have, or with parameters the
 * model rejects, gets the error alert and changes nothing.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { pushVarint, toBase64Url } from '../../sims/core/share.ts';
import { uncover } from './helpers';

const CAPSTONE = '/lessons/capstone-daq-driver/';

/** The player of `preset` on `page`, ready (its script has run), and its id. */
async function player(page: Page, preset: string): Promise<{ sim: Locator; id: string }> {
  const sim = page.locator(`daq-sim[data-preset="${preset}"]`);
  await sim.scrollIntoViewIfNeeded();
  await uncover(sim);
  await expect(sim).toHaveAttribute('data-ready', 'true');
  return { sim, id: (await sim.getAttribute('id'))! };
}

/** Steps `sim` forward `k` times from where it is, waiting for each step. */
async function stepTo(sim: Locator, k: number): Promise<void> {
  const from = Number(await sim.getAttribute('data-step'));
  for (let i = from + 1; i <= k; i++) {
    await sim.getByRole('button', { name: 'Step forward' }).click();
    await expect(sim).toHaveAttribute('data-step', String(i));
  }
}

/** "Copy link to this step", and the link it shows. */
async function copyLink(sim: Locator): Promise<string> {
  await sim.getByRole('button', { name: 'Copy link to this step' }).click();
  const input = sim.locator('[data-part="linkinput"]');
  await expect(input).toHaveValue(/#sim=daq\./);
  return input.inputValue();
}

test('a preset player’s link reopens the same player at the same step', async ({ page, context }) => {
  await page.goto(CAPSTONE);
  const { sim, id } = await player(page, 'design-c');
  await stepTo(sim, 5);
  const delivered = await sim.getAttribute('data-delivered');
  const link = await copyLink(sim);
  expect(link).toMatch(/#sim=daq\.1\.design-c\.[A-Za-z0-9_-]{5}\.5$/);

  const other = await context.newPage();
  await other.goto(link);
  const opened = other.locator(`daq-sim#${id}`);
  expect(id).toMatch(/^daq-design-c/);
  await expect(opened).toHaveAttribute('data-loaded', 'true');
  await expect(opened).toHaveAttribute('data-step', '5');
  await expect(opened).toHaveAttribute('data-delivered', delivered!);
  await expect(opened).toHaveAttribute('data-params', 'preset');
  await expect(other.getByTestId('share-error')).toHaveCount(0);
  // The other players of the page were left alone.
  await expect(other.locator('daq-sim[data-loaded]')).toHaveCount(1);
});

test('a run with changed parameters carries them in its link, and reopens with them', async ({ page, context }) => {
  await page.goto(CAPSTONE);
  const { sim, id } = await player(page, 'design-b');
  await sim.getByText('Change the parameters and the cost table').click();
  await sim.getByLabel('Reads in flight').fill('2');
  await sim.getByLabel('read() size (KiB)').fill('2048');
  await sim.getByRole('button', { name: 'Run with these' }).click();
  await expect(sim).toHaveAttribute('data-params', 'changed');
  await expect(sim).toHaveAttribute('data-step', '0');
  await stepTo(sim, 4);
  const delivered = await sim.getAttribute('data-delivered');
  const link = await copyLink(sim);
  expect(link).toMatch(/#sim=daq\.2\.design-b\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{4}\.4$/);

  const other = await context.newPage();
  await other.goto(link);
  const opened = other.locator(`daq-sim#${id}`);
  await expect(opened).toHaveAttribute('data-step', '4');
  await expect(opened).toHaveAttribute('data-params', 'changed');
  await expect(opened).toHaveAttribute('data-delivered', delivered!);
  await expect(opened.getByLabel('Reads in flight')).toHaveValue('2');
  await expect(opened.getByLabel('read() size (KiB)')).toHaveValue('2048');
  await expect(opened.locator('[data-part="formula"]')).toContainText('2 MiB');
  await expect(other.getByTestId('share-error')).toHaveCount(0);

  // "Back to the preset": the preset's run again, and its link is a preset link.
  await opened.getByText('Change the parameters and the cost table').click();
  await opened.getByRole('button', { name: 'Back to the preset' }).click();
  await expect(opened).toHaveAttribute('data-params', 'preset');
  await expect(opened.getByLabel('Reads in flight')).toHaveValue('1');
  expect(await copyLink(opened)).toMatch(/#sim=daq\.1\.design-b\.\.0$/);
});

test('a link to a preset this site does not have, or with parameters the model rejects, shows the error and changes nothing', async ({ page }) => {
  await page.goto(`${CAPSTONE}#sim=daq.1.design-zzz.AAA.2`);
  const alert = page.getByTestId('share-error');
  await expect(alert).toContainText('“design-zzz”, which this site does not have');
  await expect(alert).toContainText('Nothing on this page was changed.');
  await expect(page.locator('daq-sim[data-loaded]')).toHaveCount(0);

  // reads_in_flight (key 5 of the format) = 3: the model allows 1 or 2.
  const change = [5];
  pushVarint(change, 3000);
  await page.goto(`${CAPSTONE}#sim=daq.2.design-b.${toBase64Url(change)}..0`);
  await page.reload();
  await expect(page.getByTestId('share-error')).toContainText('reads_in_flight');
  await expect(page.locator('daq-sim[data-loaded]')).toHaveCount(0);
  // The player the link named still runs its preset once a reader reaches it.
  const designB = page.locator('daq-sim[data-preset="design-b"]');
  await uncover(designB);
  await designB.scrollIntoViewIfNeeded();
  await expect(designB).toHaveAttribute('data-params', 'preset');
});
