/**
 * A learner's path through the side-questions lesson, in real Chromium: drive the fd table
 * (open, close in the middle, open again, dup2 onto an open fd, an error) with the keyboard
 * and the mouse, answer a predict question, step the first-touch memory player, download a
 * C program (the same bytes as kernel-checks/), and solve the fd-table exercise; count the
 * system calls of ioctl and sysfs and revoke an mmap under both fault handlers, with the
 * keyboard; nothing leaves the origin.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { axeViolations } from './axe';
import { runExercise, setPlainCode, watchRequests } from './helpers';

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

test('side questions: the syscall counter and the revoke widget, driven with the keyboard', async ({ page, baseURL }) => {
  const requests = watchRequests(page, baseURL!);
  await page.goto('/lessons/side-questions/');

  // ioctl or sysfs: type N, press Enter, then move through the ways with the arrow keys.
  const sc = page.locator('dpl-syscall-count');
  await sc.scrollIntoViewIfNeeded();
  await expect(sc).toHaveAttribute('data-ready', '1');
  const scStatus = sc.getByRole('status');
  const n = sc.getByLabel('Values to set, N');
  await n.focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('10');
  await page.keyboard.press('Enter');
  await expect(scStatus).toHaveText('sysfs: open, write, close each time, 10 values: 30 system calls, 60 crossings, 370 bytes copied in, 10 text parses, 10 path lookups.');
  await expect(sc.locator('td[data-way="ioctl-batch"][data-metric="syscalls"]')).toHaveText('3');
  // Tab into the radio group (the checked radio takes focus), then ArrowDown selects the next way.
  await page.keyboard.press('Tab');
  await expect(sc.getByRole('radio', { name: 'sysfs: open, write, close each time' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(sc.getByRole('radio', { name: 'sysfs: kept open, pwrite at offset 0' })).toBeChecked();
  await expect(scStatus).toHaveText('sysfs: kept open, pwrite at offset 0, 10 values: 12 system calls, 24 crossings, 73 bytes copied in, 10 text parses, 1 path lookup.');
  await expect(sc.locator('.scw__seq tbody tr')).toHaveCount(3);
  await expect(sc.locator('.scw__seq tbody tr').nth(1)).toContainText('× 10');
  await expect(sc.locator('.scw__seq tbody tr').nth(1)).toContainText('pwrite(fd, "128\\n", 4, 0)');
  await page.keyboard.press('ArrowDown');
  await expect(scStatus).toContainText('ioctl: one call per value, 10 values: 12 system calls');
  await expect(sc.locator('td.scw__sel[data-metric="parses"]')).toHaveText('0');
  // A bad N is refused and the tables keep the last good run.
  await n.fill('0');
  await n.press('Enter');
  await expect(scStatus).toHaveText('N must be a whole number from 1 to 100,000. The tables still show N = 10.');
  await expect(sc.locator('td[data-way="sysfs-reopen"][data-metric="syscalls"]')).toHaveText('30');

  // Revoking an mmap: write, revoke, write again; SIGBUS kills the process.
  const rv = page.locator('dpl-revoke-mmap');
  await rv.scrollIntoViewIfNeeded();
  await expect(rv).toHaveAttribute('data-ready', '1');
  const rvStatus = rv.getByRole('status');
  const page1 = rv.getByRole('button', { name: 'Write page 1' });
  await page1.focus();
  await page.keyboard.press('Enter');
  await expect(rvStatus).toContainText('goes through the PTE straight to device page 0xfd001');
  await expect(rv.locator('tr[data-page="1"] td').last()).toHaveText('write #1');
  await rv.getByRole('button', { name: 'Revoke (driver)' }).focus();
  await page.keyboard.press('Enter');
  await expect(rvStatus).toContainText('unmap_mapping_range() clears all 4 PTEs');
  await expect(rv.locator('.rvw__pte')).toHaveText(['none', 'none', 'none', 'none']);
  await expect(rv.getByRole('button', { name: 'Revoke (driver)' })).toBeDisabled();
  await page1.focus();
  await page.keyboard.press('Enter');
  await expect(rvStatus).toContainText('returns VM_FAULT_SIGBUS');
  await expect(rvStatus).toContainText('it is killed');
  await expect(rv).toHaveAttribute('data-process', 'killed');
  await expect(page1).toBeDisabled();
  // The focused button was disabled: focus went to Step back, and Enter there undoes the write.
  await expect(rv.getByRole('button', { name: 'Step back' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(rv).toHaveAttribute('data-process', 'running');
  await expect(rv.locator('tr[data-page="1"] td').last()).toHaveText('write #1');

  // The other fault handler: a scratch page. Arrow keys in the radio group start a fresh run.
  await rv.getByRole('radio', { name: 'returns VM_FAULT_SIGBUS' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(rv.getByRole('radio', { name: 'maps a scratch page' })).toBeChecked();
  await expect(rvStatus).toHaveText('A fresh mapping; after a revoke the fault handler will map a scratch page.');
  await expect(rv.getByRole('checkbox', { name: 'the process has a SIGBUS handler' })).toBeHidden();
  for (const name of ['Write page 0', 'Revoke (driver)', 'Write page 0', 'Write page 0', 'Write page 2']) {
    await rv.getByRole('button', { name }).focus();
    await page.keyboard.press('Enter');
  }
  await expect(rv.locator('.steplog__log li')).toHaveCount(5);
  await expect(rvStatus).toContainText('vmf_insert_pfn()');
  await expect(rv.locator('.rvw__pte')).toHaveText(['scratch 0x1a2b3', 'none', 'scratch 0x1a2b3', 'none']);
  await expect(rv.locator('.rvw__scratch')).toHaveText('Scratch page: holds write #4, from page 2.');
  await expect(rv.locator('tr[data-page="0"] td').last()).toHaveText('write #1');
  await expect(rv.locator('.rvw__counters')).toHaveText('Process: running, mapping revoked. Writes 4: 1 reached the device, 3 landed in the scratch page, 0 never happened. Faults 2, SIGBUS 0.');

  // After use, in both themes and at phone width: axe-clean, and no sideways scrolling.
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const violations = await axeViolations(page, { include: ['dpl-syscall-count', 'dpl-revoke-mmap'] });
    expect(violations.map((v) => `${scheme} ${v}`)).toEqual([]);
  }
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  expect(requests.foreign()).toEqual([]);
});

test('side questions: the fd-table exercise passes with the reference solution in the browser grader', async ({ page, baseURL }) => {
  const requests = watchRequests(page, baseURL!);
  await page.goto('/lessons/side-questions/');
  await setPlainCode(page, 'fd-table', readFileSync('content/exercises/fd-table/solution.ts', 'utf8'));
  const ex = await runExercise(page, 'fd-table');
  await expect(ex).toHaveAttribute('data-state', 'passed');
  await expect(ex.locator('[data-role="summary"]')).toContainText(/All \d+ tests passed/);

  expect(requests.foreign()).toEqual([]);
});
