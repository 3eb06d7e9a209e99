/**
 * A learner's path through the side-questions lesson, in real Chromium: drive the fd table
 * (open, close in the middle, open again, dup2 onto an open fd, an error) with the keyboard
 * and the mouse, answer a predict question, step the first-touch memory player, download a
 * C program (the same bytes as kernel-checks/), and solve the fd-table exercise; nothing
 * leaves the origin.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe';
import { runExercise, setExerciseCode, watchRequests } from './helpers';

test('side questions: the fd table, a predict, first-touch faults, a download', async ({ page, baseURL }) => {
  const requests = watchRequests(page, baseURL!);
  await page.goto('/');
  await page.getByRole('link', { name: /Side questions/i }).first().click();
  await expect(page).toHaveURL(/\/lessons\/side-questions\/$/);
  await expect(page.getByRole('heading', { level: 2, name: /Are file descriptors always increasing/ })).toBeVisible();

  // The fd table: open three, close the middle one, open again: the freed fd comes back.
  const fd = page.locator('dpl-fd-table');
  await fd.scrollIntoViewIfNeeded();
  const open = fd.getByRole('button', { name: 'open()' });
  await expect(open).toBeEnabled();
  const status = fd.getByRole('status');
  await open.click();
  await open.click();
  await open.click();
  await expect(status).toContainText('= 5');
  await fd.getByLabel('fd', { exact: true }).fill('4');
  await fd.getByRole('button', { name: 'close(fd)' }).click();
  await expect(status).toHaveText('close(4) = 0: fd 4 is free again, and next_fd drops to 4.');
  // Keyboard: focus open() and press Enter.
  await open.focus();
  await page.keyboard.press('Enter');
  await expect(status).toHaveText('open("/dev/null", O_RDONLY) = 4: a new open file; 4 is the lowest free fd.');
  await expect(fd.locator('tr[data-fd="4"] td').first()).toHaveText('/dev/null #4');
  // dup2 onto an open fd replaces it; F_DUPFD with a min past the limit is EINVAL.
  await fd.getByLabel('fd', { exact: true }).fill('0');
  await fd.getByLabel('newfd / min').fill('3');
  await fd.getByRole('button', { name: 'dup2(fd, newfd)' }).click();
  await expect(fd.locator('tr[data-fd="3"] td').first()).toHaveText('the terminal');
  await fd.getByLabel('newfd / min').fill('12');
  await fd.getByRole('button', { name: 'fcntl(fd, F_DUPFD, min)' }).click();
  await expect(status).toContainText('errno EINVAL');
  await expect(fd.getByRole('list', { name: 'Calls made so far' }).getByRole('listitem')).toHaveCount(7);
  await fd.getByRole('button', { name: 'Step back' }).click();
  await expect(fd.getByRole('list', { name: 'Calls made so far' }).getByRole('listitem')).toHaveCount(6);
  // After use (highlighted row, log with an error entry), in both themes: still axe-clean.
  await fd.getByRole('button', { name: 'fcntl(fd, F_DUPFD, min)' }).click();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect((await axeViolations(page, { include: ['dpl-fd-table'] })).map((v) => `${scheme} ${v}`)).toEqual([]);
  }

  // A predict question before the memory player: one fault per page.
  const predict = page.locator('dpl-predict').filter({ hasText: 'fresh 4 MiB anonymous buffer' });
  await predict.getByText('About 1,024: one per page').click();
  await predict.getByRole('button', { name: 'Check' }).click();
  await expect(predict.locator('.predict__verdict')).toBeVisible();
  await expect(predict.locator('.predict__verdict')).toHaveText('Right.');

  // The first-touch player: the first write faults in do_anonymous_page.
  const mm = page.locator('mm-sim[data-preset="first-touch"]');
  await mm.scrollIntoViewIfNeeded();
  await expect(mm).toHaveAttribute('data-ready', 'true');
  await mm.getByRole('button', { name: 'Step forward' }).click();
  await expect(mm).toHaveAttribute('data-step', '1');
  await expect(mm.locator('[data-part="narration"]')).toContainText('do_anonymous_page');

  // Try it on your own Linux: the download is the program in kernel-checks/, byte for byte.
  const link = page.getByRole('link', { name: 'Download lowest-fd.c' });
  await expect(link).toHaveAttribute('download', '');
  const res = await page.request.get(new URL((await link.getAttribute('href'))!, baseURL).href);
  expect(res.status()).toBe(200);
  expect(await res.text()).toBe(readFileSync('kernel-checks/lowest-fd.c', 'utf8'));
  const src = page.locator('details.tryit__src').first();
  await src.locator('summary').click();
  await expect(src.locator('pre')).toContainText('RESULT lowest-fd');

  expect(requests.foreign()).toEqual([]);
});

test('side questions: the fd-table exercise passes with the reference solution in the browser grader', async ({ page, baseURL }) => {
  const requests = watchRequests(page, baseURL!);
  await page.goto('/lessons/side-questions/');
  await setExerciseCode(page, 'fd-table', readFileSync('content/exercises/fd-table/solution.ts', 'utf8'));
  const ex = await runExercise(page, 'fd-table');
  await expect(ex).toHaveAttribute('data-state', 'passed');
  await expect(ex.locator('[data-role="summary"]')).toContainText(/All \d+ tests passed/);

  expect(requests.foreign()).toEqual([]);
});
