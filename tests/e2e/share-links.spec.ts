/**
 * Share links opened on the wrong page, or changed by hand (issue 11, item 8): a link to
 * another lesson's player says which lesson it belongs to and links there; a link naming a
 * preset with other settings is refused instead of opening a run its description contradicts.
 */
import { expect, test } from '@playwright/test';
import { encodeMmShare, MM_PRESETS } from '../../sims/mm/index.ts';
import { encodeShare, fromBase64Url, toBase64Url, TTY_PRESETS } from '../../sims/tty/index.ts';

const TTY = '/lessons/tty-write-atomicity/';
const MM = '/lessons/pinning-user-pages/';

test('a memory link on the tty lesson names its lesson and links there, where it opens', async ({ page }) => {
  const text = encodeMmShare({ preset: 'dma-without-pin', schedule: MM_PRESETS['dma-without-pin'].schedule!, step: 8 });
  await page.goto(`${TTY}#sim=${text}`);
  const alert = page.getByTestId('share-error');
  await expect(alert).toContainText('for the simulation “dma-without-pin” in the lesson “Pinning user pages');
  await expect(alert).toContainText('Nothing on this page was changed.');
  await expect(page.locator('tty-sim[data-loaded]')).toHaveCount(0);
  await alert.getByTestId('share-elsewhere').click();
  await expect(page).toHaveURL(new RegExp(`${MM}#sim=${text.replace(/\./g, '\\.')}$`));
  const sim = page.locator('mm-sim[data-preset="dma-without-pin"]');
  await expect(sim).toHaveAttribute('data-step', '8');
  await expect(page.getByTestId('share-error')).toHaveCount(0);
});

test('a tty link on the memory lesson points to the tty lesson', async ({ page }) => {
  const preset = TTY_PRESETS['kernel-blocking'];
  const text = encodeShare({ model: 'tty', preset: 'kernel-blocking', params: preset.params, schedule: preset.schedule!, step: 3 });
  await page.goto(`${MM}#sim=${text}`);
  const alert = page.getByTestId('share-error');
  await expect(alert).toContainText('in the lesson “Many writers, one serial port');
  await expect(alert.getByTestId('share-elsewhere')).toHaveAttribute('href', `${TTY}#sim=${text}`);
  await expect(page.locator('mm-sim[data-loaded]')).toHaveCount(0);
});

test('a link whose settings were changed by one character is refused, not opened in another preset', async ({ page }) => {
  const preset = TTY_PRESETS['kernel-blocking'];
  const text = encodeShare({ model: 'tty', preset: 'kernel-blocking', params: preset.params, schedule: preset.schedule!, step: 3 });
  const parts = text.split('.');
  const bytes = fromBase64Url(parts[3])!;
  bytes[1] = 8 * 4; // writer A writes 8 bytes instead of 12: still a valid configuration
  parts[3] = toBase64Url(bytes);
  await page.goto(`${TTY}#sim=${parts.join('.')}`);
  await expect(page.getByTestId('share-error')).toContainText('its settings are not that simulation’s (writer A writes 8 bytes, in the preset 12)');
  await expect(page.locator('tty-sim[data-loaded]')).toHaveCount(0);
  // The unchanged link opens in its preset's player.
  await page.goto(`${TTY}#sim=${text}`);
  await expect(page.locator('tty-sim[data-preset="kernel-blocking"]')).toHaveAttribute('data-step', '3');
  await expect(page.getByTestId('share-error')).toHaveCount(0);
});
