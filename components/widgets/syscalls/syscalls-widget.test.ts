// @vitest-environment jsdom
/**
 * The ioctl-versus-sysfs widget: the server markup (widgetHtml) upgraded by
 * <dpl-syscall-count>, driven through its form as a reader would; the tables and the live
 * region are checked against the model's counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { counts, plan, summary } from '../../../sims/syscalls/index.ts';
import { widgetHtml, parseN, countsInner } from './syscalls-view.ts';
import { defineSyscallCount } from './syscalls-element.ts';
import { chooseRadio, mountHost, q, statusText } from '../../../tests/unit/helpers/dom.ts';

beforeAll(() => defineSyscallCount());

const mount = (n = 1000, way: 'sysfs-reopen' | 'ioctl' = 'sysfs-reopen'): HTMLElement => mountHost('dpl-syscall-count', { n, way }, widgetHtml(n, way, 'w'));
const cell = (el: Element, way: string, metric: string) => q(el, `td[data-way="${way}"][data-metric="${metric}"]`).textContent;
const calls = (el: Element) => [...el.querySelectorAll('.scw__seq tbody tr')].map((r) => `${r.querySelector('.scw__times')!.textContent} ${r.querySelector('code')!.textContent}`);
function setN(el: Element, v: string) {
  const input = q<HTMLInputElement>(el, 'input[name="n"]');
  input.value = v;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

describe('syscall-count widget', () => {
  it('server markup: the sequence of the chosen way, every way counted, controls disabled until upgraded', () => {
    const box = document.createElement('div');
    box.innerHTML = widgetHtml(1000, 'sysfs-reopen', 'w');
    expect([...box.querySelectorAll('.scw__seq tbody tr')].map((r) => r.querySelector('.scw__times')!.textContent)).toEqual(['× 1,000', '× 1,000', '× 1,000']);
    expect(box.querySelector('td[data-way="sysfs-reopen"][data-metric="syscalls"]')!.textContent).toBe('3,000');
    expect(box.querySelector('td[data-way="ioctl-batch"][data-metric="syscalls"]')!.textContent).toBe('3');
    expect(box.querySelector('[role="status"]')!.textContent).toBe(summary(plan({ way: 'sysfs-reopen', n: 1000 })));
    expect([...box.querySelectorAll('input')].every((i) => i.disabled)).toBe(true);
    expect(box.querySelectorAll('thead th.scw__sel').length).toBe(1);
  });

  it('upgrading enables the form', () => {
    const el = mount();
    expect([...el.querySelectorAll('input')].every((i) => !(i as HTMLInputElement).disabled)).toBe(true);
  });

  it('choosing the kept-open sysfs file shows one open, N pwrites, one close, and announces the totals', () => {
    const el = mount(1000);
    chooseRadio(el, 'sysfs-open');
    expect(calls(el)).toEqual(['once fd = open("/sys/devices/platform/demo/level", O_WRONLY)', '× 1,000 pwrite(fd, "128\\n", 4, 0)', 'once close(fd)']);
    expect(statusText(el)).toBe('sysfs: kept open, pwrite at offset 0, 1,000 values: 1,002 system calls, 2,004 crossings, 4,033 bytes copied in, 1,000 text parses, 1 path lookup.');
    expect(q(el, 'td[data-way="sysfs-open"][data-metric="parses"]').classList.contains('scw__sel')).toBe(true);
  });

  it('changing N recounts every way from the model', () => {
    const el = mount(1000);
    setN(el, '50');
    for (const way of ['sysfs-reopen', 'sysfs-open', 'ioctl', 'ioctl-batch'] as const) {
      const c = counts(plan({ way, n: 50 }));
      expect(cell(el, way, 'syscalls')).toBe(c.syscalls.toLocaleString('en-US'));
      expect(cell(el, way, 'bytesIn')).toBe(c.bytesIn.toLocaleString('en-US'));
      expect(cell(el, way, 'lookups')).toBe(String(c.lookups));
    }
    expect(cell(el, 'sysfs-reopen', 'lookups')).toBe('50');
    expect(q(el, '.scw__counts thead th').textContent).toBe('for 50 values');
  });

  it('an N that is not a whole number in range is refused; the tables keep the last good run', () => {
    const el = mount(1000);
    const before = q(el, '.scw__counts').innerHTML;
    setN(el, '0');
    expect(statusText(el)).toBe('N must be a whole number from 1 to 100,000. The tables still show N = 1,000.');
    setN(el, 'lots');
    expect(q(el, '.scw__counts').innerHTML).toBe(before);
    expect(el.dataset.invalid).toBe('1');
    setN(el, '2');
    expect(el.dataset.invalid).toBeUndefined();
    expect(parseN('1,000')).toEqual({ n: 1000 });
    expect(parseN('100001')).toHaveProperty('error');
    expect(parseN('2.5')).toHaveProperty('error');
  });

  it('the counts table marks exactly the chosen column', () => {
    const box = document.createElement('table');
    box.innerHTML = countsInner(3, 'ioctl');
    expect([...box.querySelectorAll('.scw__sel')].every((c) => c.tagName === 'TH' || c.getAttribute('data-way') === 'ioctl')).toBe(true);
    expect(box.querySelector('thead th.scw__sel')!.textContent).toBe('ioctl (chosen)');
  });
});
