// Follow-along mode (issue 18): a presenter and a learner in two browser contexts, against the
// local server (scripts/serve.mjs, which hosts the rooms).
import { expect, test, type FrameLocator, type Page } from '@playwright/test';
import { recordLayoutShifts } from './helpers';

const LESSON = '/lessons/tty-write-atomicity/';

/**
 * Id of the first tty player outside a Predict question (those are covered until answered).
 * Far players are light renders until a reader comes near (`data-ready` only then), so this
 * finds the players by their ids.
 */
async function freePlayerId(frame: FrameLocator): Promise<string> {
  const id = await frame.locator('tty-sim[id]').first().evaluate((first) => {
    const all = Array.from(first.ownerDocument.querySelectorAll<HTMLElement>('tty-sim[id]'));
    return all.find((p) => !p.closest('dpl-predict'))?.id ?? '';
  });
  expect(id).not.toBe('');
  return id;
}

async function stepForward(page: Page, frame: FrameLocator, id: string, times: number) {
  const player = frame.locator(`#${id}`);
  await player.scrollIntoViewIfNeeded();
  for (let i = 0; i < times; i++) {
    const before = Number(await player.getAttribute('data-step'));
    await player.locator('[data-part="forward"]').click();
    await expect(player).toHaveAttribute('data-step', String(before + 1));
  }
  // Wait until the presenter page has published this step.
  await expect(page.locator('[data-room-present]')).toHaveAttribute('data-step', (await player.getAttribute('data-step'))!);
}

test('a learner follows the presenter, detaches, and catches up on rejoin', async ({ browser }) => {
  // The presenter's laptop is set to dark; projector mode still shows the lesson light.
  const pctx = await browser.newContext({ colorScheme: 'dark' });
  const lctx = await browser.newContext();
  const presenter = await pctx.newPage();
  const learner = await lctx.newPage();

  await recordLayoutShifts(presenter);
  await presenter.goto('/present/');
  const proot = presenter.locator('[data-room-present]');
  await expect(proot).toHaveAttribute('data-state', 'live');
  const code = (await presenter.getByTestId('room-code').textContent())!;
  expect(code).toMatch(/^[A-Z2-9]{6}$/);
  await expect(presenter.locator('.room-urls li').first()).toContainText(`/join/?code=${code}`);
  await presenter.getByLabel('Lesson').selectOption(LESSON);
  await expect(proot).toHaveAttribute('data-frame', LESSON);
  const pframe = presenter.frameLocator('[data-testid="present-frame"]');
  // The lesson in the frame is drawn without the site's header from its first paint (the head's
  // script marks it embedded before the body is parsed), so nothing in it moves.
  const lessonFrame = presenter.frames().find((f) => f.url().includes(LESSON))!;
  expect(await lessonFrame.evaluate(() => document.documentElement.dataset.embedded)).toBe('room');
  await expect(pframe.locator('.site-header')).toBeHidden();
  expect(await lessonFrame.evaluate(() => (window as unknown as { shifts: { value: number }[] }).shifts.reduce((a, b) => a + b.value, 0))).toBeLessThan(0.01);

  await learner.goto(`/join/?code=${code}`);
  const lroot = learner.locator('[data-room-join]');
  await expect(learner.getByLabel('Room code')).toHaveValue(code);
  await learner.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(lroot).toHaveAttribute('data-frame', LESSON);
  await expect(presenter.getByTestId('learner-count')).toHaveText('1');
  const lframe = learner.frameLocator('[data-testid="follow-frame"]');

  // The presenter steps a player: the learner's copy of that player shows the same step.
  const id = await freePlayerId(pframe);
  await stepForward(presenter, pframe, id, 2);
  await expect(lframe.locator(`#${id}`)).toHaveAttribute('data-step', '2');
  await stepForward(presenter, pframe, id, 1);
  await expect(lframe.locator(`#${id}`)).toHaveAttribute('data-step', '3');

  // The presenter moves to the next section (key S): the learner's page scrolls there.
  const sectionBefore = await proot.getAttribute('data-section');
  await presenter.getByRole('button', { name: /Next section/ }).focus();
  await presenter.keyboard.press('s');
  await expect(proot).not.toHaveAttribute('data-section', sectionBefore ?? '');
  const section = (await proot.getAttribute('data-section'))!;
  expect(section).not.toBe('');
  const headingTop = () => lframe.locator(`[id="${section}"]`).evaluate((h) => Math.round(h.getBoundingClientRect().top));
  await expect.poll(headingTop).toBeGreaterThanOrEqual(40);
  await expect.poll(headingTop).toBeLessThanOrEqual(140);

  // Detach: the learner receives the presenter's changes but its page stays put.
  await learner.getByRole('button', { name: 'Detach' }).click();
  await expect(lroot).toHaveAttribute('data-following', 'false');
  await stepForward(presenter, pframe, id, 2);
  const published = (await proot.getAttribute('data-published'))!;
  await expect(lroot).toHaveAttribute('data-latest', published);
  await expect(lframe.locator(`#${id}`)).toHaveAttribute('data-step', '3');

  // Rejoin: one click catches up with the presenter's step.
  await learner.getByRole('button', { name: 'Rejoin' }).click();
  await expect(lroot).toHaveAttribute('data-following', 'true');
  await expect(lframe.locator(`#${id}`)).toHaveAttribute('data-step', '5');

  // Keyboard control on the presenter page: N steps the player the presenter last used; F
  // turns projector mode on in the presented lesson.
  await presenter.getByRole('button', { name: /Projector mode/ }).focus();
  await presenter.keyboard.press('n');
  await expect(pframe.locator(`#${id}`)).toHaveAttribute('data-step', '6');
  await expect(lframe.locator(`#${id}`)).toHaveAttribute('data-step', '6');
  await presenter.keyboard.press('p');
  await expect(lframe.locator(`#${id}`)).toHaveAttribute('data-step', '5');
  await presenter.keyboard.press('f');
  await expect(presenter.getByRole('button', { name: /Projector mode/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(pframe.locator('html')).toHaveClass(/dpl-projector/);
  const colours = () => pframe.locator('html').evaluate((h) => [getComputedStyle(h).getPropertyValue('--accent').trim(), getComputedStyle(h.ownerDocument.body).backgroundColor]);
  expect(await colours()).toEqual(['#1f5fd1', 'rgb(255, 255, 255)']);
  // Off again: the reader's dark theme is back.
  await presenter.keyboard.press('f');
  await expect(pframe.locator('html')).not.toHaveClass(/dpl-projector/);
  expect(await colours()).toEqual(['#7aa7ff', 'rgb(15, 18, 23)']);

  await pctx.close();
  await lctx.close();
});

test('the presenter page fits a phone: no sideways scroll', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/present/');
  await expect(page.locator('[data-room-present]')).toHaveAttribute('data-state', 'live');
  await expect(page.getByLabel('Lesson')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
});

test('the join page explains a wrong room code', async ({ page }) => {
  await page.goto('/join/');
  await expect(page.getByLabel('Room code')).toBeVisible();
  // Not in a room yet: no room controls.
  await expect(page.getByRole('button', { name: 'Leave room' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Detach' })).toBeHidden();
  await page.getByLabel('Room code').fill('ZZZZZZ');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('There is no room ZZZZZZ');
  await page.getByLabel('Room code').fill('abc');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('6 letters and digits');
});

test('without the room server the pages hide the feature with one sentence', async ({ page }) => {
  await page.route('**/api/rooms/**', (route) => route.fulfill({ status: 404, contentType: 'text/html', body: 'Not found' }));
  await page.goto('/join/');
  await expect(page.getByText('Following a presenter needs the workshop server')).toBeVisible();
  await expect(page.getByLabel('Room code')).toBeHidden();
  await page.goto('/present/');
  await expect(page.getByText('Follow-along needs the workshop server')).toBeVisible();
  await expect(page.getByTestId('room-code')).toBeHidden();
});
