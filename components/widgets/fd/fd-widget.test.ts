// @vitest-environment jsdom
/**
 * The fd-table widget: the server markup (widgetHtml) upgraded by <dpl-fd-table>, driven
 * through its buttons as a reader would, with the table, the log and the live region checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initialState } from '../../../sims/fd/index.ts';
import { widgetHtml, rowsHtml } from './fd-view.ts';
import { defineFdTable, parseFd } from './fd-element.ts';
import { mountHost, q, statusText } from '../../../tests/unit/helpers/dom.ts';

beforeAll(() => defineFdTable());

const mount = (limit = 12): HTMLElement => mountHost('dpl-fd-table', { limit }, widgetHtml(initialState({ limit }), 'w'));
const click = (el: Element, call: string) => q(el, `button[data-call="${call}"]`).click();
const set = (el: Element, name: string, v: string) => { q<HTMLInputElement>(el, `input[name="${name}"]`).value = v; };
const row = (el: Element, fd: number) => q(el, `tr[data-fd="${fd}"] td`).textContent;
const log = (el: Element) => [...el.querySelectorAll('.steplog__log li')].map((li) => li.textContent);

describe('fd-table widget', () => {
  it('server markup: one row per fd, 0-2 on the terminal, buttons disabled until upgraded', () => {
    const html = widgetHtml(initialState({ limit: 5 }), 'w');
    const box = document.createElement('div');
    box.innerHTML = html;
    expect(box.querySelectorAll('tbody tr').length).toBe(5);
    expect(box.querySelector('tr[data-fd="1"] td')!.textContent).toBe('the terminal (stdout)');
    expect(box.querySelector('tr[data-fd="3"] td')!.textContent).toBe('free');
    expect([...box.querySelectorAll('button')].every((b) => b.disabled)).toBe(true);
    expect(box.querySelector('[role="status"]')!.getAttribute('aria-live')).toBe('polite');
  });

  it('upgrading enables the buttons (Step back stays off until a call was made)', () => {
    const el = mount();
    expect((q(el, 'button[data-call="open"]') as HTMLButtonElement).disabled).toBe(false);
    expect((q(el, 'button[data-call="back"]') as HTMLButtonElement).disabled).toBe(true);
  });

  it('open, open, close(3), open: the freed 3 comes back; log and live region say so', () => {
    const el = mount();
    click(el, 'open');
    click(el, 'open');
    set(el, 'fd', '3');
    click(el, 'close');
    expect(row(el, 3)).toBe('free');
    click(el, 'open');
    expect(row(el, 3)).toBe('/dev/null #3');
    expect(row(el, 4)).toBe('/dev/null #2');
    expect(log(el)).toEqual(['open("/dev/null", O_RDONLY) → 3', 'open("/dev/null", O_RDONLY) → 4', 'close(3) → 0', 'open("/dev/null", O_RDONLY) → 3']);
    expect(statusText(el)).toBe('open("/dev/null", O_RDONLY) = 3: a new open file; 3 is the lowest free fd.');
    expect(q(el, 'tr[data-fd="3"]').classList.contains('fdw__row--changed')).toBe(true);
  });

  it('dup2 and F_DUPFD use the second field; errors show errno names', () => {
    const el = mount();
    set(el, 'fd', '0');
    set(el, 'arg', '7');
    click(el, 'dup2');
    expect(row(el, 7)).toBe('the terminal');
    set(el, 'fd', '9');
    set(el, 'arg', '2');
    click(el, 'dupfd');
    expect(log(el).at(-1)).toBe('fcntl(9, F_DUPFD, 2) → -1, errno EBADF');
    expect(q(el, '.steplog__log li:last-child').className).toBe('steplog__err');
    set(el, 'fd', '1');
    set(el, 'arg', '12');
    click(el, 'dupfd');
    expect(statusText(el)).toBe('fcntl(1, F_DUPFD, 12) = -1, errno EINVAL: min 12 is outside 0..11 (RLIMIT_NOFILE 12).');
  });

  it('a field that is not an integer is refused with a message and changes nothing', () => {
    const el = mount();
    const before = q(el, 'tbody').innerHTML;
    set(el, 'fd', 'three');
    click(el, 'close');
    expect(statusText(el)).toBe('Type an fd number (an integer) in the fd field first.');
    expect(q(el, 'tbody').innerHTML).toBe(before);
    expect(log(el)).toEqual([]);
    expect(parseFd(' -1 ')).toBe(-1);
    expect(parseFd('1.5')).toBe(null);
  });

  it('Step back undoes the last call; Reset starts a fresh process', () => {
    const el = mount();
    click(el, 'open');
    click(el, 'open');
    click(el, 'back');
    expect(row(el, 4)).toBe('free');
    expect(log(el).length).toBe(1);
    expect(statusText(el)).toBe('Back to after open("/dev/null", O_RDONLY).');
    click(el, 'reset');
    expect(q(el, 'tbody').innerHTML).toBe(rowsHtml(initialState({ limit: 12 })));
    expect(log(el)).toEqual([]);
  });

  it('shows EMFILE when the table is full', () => {
    const el = mount(4);
    click(el, 'open');
    click(el, 'open');
    expect(log(el).at(-1)).toBe('open("/dev/null", O_RDONLY) → -1, errno EMFILE');
    expect(q(el, '.fdw__summary').textContent).toBe('4 of 4 fds open; next_fd = 4');
  });
});
