// @vitest-environment jsdom
/**
 * The revoke-an-mmap widget: the server markup (widgetHtml) upgraded by <dpl-revoke-mmap>,
 * driven through its buttons and form as a reader would; the page table, the scratch page,
 * the counters, the log and the live region are checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initialState } from '../../../sims/revoke/index.ts';
import { widgetHtml, rowsHtml } from './revoke-view.ts';
import { defineRevokeMmap } from './revoke-element.ts';
import { chooseRadio, mountHost, q, statusText } from '../../../tests/unit/helpers/dom.ts';

beforeAll(() => defineRevokeMmap());

const mount = (pages = 4): HTMLElement => mountHost('dpl-revoke-mmap', { pages, policy: 'sigbus' }, widgetHtml(initialState({ pages, policy: 'sigbus' }), 'w'));
const btn = (el: Element, act: string, page?: number) => q<HTMLButtonElement>(el, page === undefined ? `button[data-act="${act}"]` : `button[data-act="${act}"][data-page="${page}"]`);
const write = (el: Element, page: number) => btn(el, 'write', page).click();
const pte = (el: Element, page: number) => q(el, `tr[data-page="${page}"] .rvw__pte`).textContent;
const log = (el: Element) => [...el.querySelectorAll('.steplog__log li')].map((li) => li.textContent);

describe('revoke-mmap widget', () => {
  it('server markup: every PTE to a device page, controls disabled until upgraded', () => {
    const box = document.createElement('div');
    box.innerHTML = widgetHtml(initialState({ pages: 3, policy: 'sigbus' }), 'w');
    expect([...box.querySelectorAll('.rvw__pte')].map((c) => c.textContent)).toEqual(['device 0xfd000', 'device 0xfd001', 'device 0xfd002']);
    expect([...box.querySelectorAll('button, input')].every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect(box.querySelector('[role="status"]')!.getAttribute('aria-live')).toBe('polite');
  });

  it('SIGBUS: a write reaches the device; after the revoke the next write faults and kills the process', () => {
    const el = mount();
    expect(btn(el, 'back').disabled).toBe(true);
    write(el, 1);
    expect(q(el, 'tr[data-page="1"] td:last-child').textContent).toBe('write #1');
    btn(el, 'revoke').click();
    expect([0, 1, 2, 3].map((p) => pte(el, p))).toEqual(['none', 'none', 'none', 'none']);
    expect(btn(el, 'revoke').disabled).toBe(true);
    write(el, 1);
    expect(statusText(el)).toContain('VM_FAULT_SIGBUS');
    expect(statusText(el)).toContain('killed');
    expect(log(el)).toEqual(['write #1 to page 1: reached the device', 'revoke: every PTE cleared', 'write #2 to page 1: fault, SIGBUS, process killed']);
    expect(q(el, '.rvw__counters').textContent).toBe('Process: killed by SIGBUS. Writes 2: 1 reached the device, 0 landed in the scratch page, 1 never happened. Faults 1, SIGBUS 1.');
    expect([0, 1, 2, 3].every((p) => btn(el, 'write', p).disabled)).toBe(true);
    expect(q(el, 'tr[data-page="1"] td:last-child').textContent).toBe('write #1');
    expect(el.dataset.process).toBe('killed');
  });

  it('focus moves to Step back when the focused write button is disabled by the kill', () => {
    const el = mount();
    btn(el, 'revoke').click();
    btn(el, 'write', 0).focus();
    write(el, 0);
    expect(document.activeElement).toBe(btn(el, 'back'));
  });

  it('scratch page: the late write faults once, lands in the scratch page; the device keeps its contents', () => {
    const el = mount();
    chooseRadio(el, 'scratch');
    expect(statusText(el)).toBe('A fresh mapping; after a revoke the fault handler will map a scratch page.');
    expect(q(el, '.rvw__handler').hidden).toBe(true);
    write(el, 0);
    btn(el, 'revoke').click();
    write(el, 0);
    expect(statusText(el)).toContain('vmf_insert_pfn()');
    write(el, 0);
    write(el, 2);
    expect(pte(el, 0)).toBe('scratch 0x1a2b3');
    expect(pte(el, 1)).toBe('none');
    expect(q(el, '.rvw__scratch').textContent).toBe('Scratch page: holds write #4, from page 2.');
    expect(q(el, 'tr[data-page="0"] td:last-child').textContent).toBe('write #1');
    expect(q(el, '.rvw__counters').textContent).toBe('Process: running, mapping revoked. Writes 4: 1 reached the device, 3 landed in the scratch page, 0 never happened. Faults 2, SIGBUS 0.');
  });

  it('a SIGBUS handler keeps the process running; every write to a revoked page faults again', () => {
    const el = mount();
    const box = q<HTMLInputElement>(el, 'input[name="handler"]');
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true }));
    btn(el, 'revoke').click();
    write(el, 3);
    write(el, 3);
    expect(log(el).slice(1)).toEqual(['write #1 to page 3: fault, SIGBUS, handler skipped it', 'write #2 to page 3: fault, SIGBUS, handler skipped it']);
    expect(el.dataset.process).toBe('running');
  });

  it('Step back undoes the last step; Reset starts a fresh mapping', () => {
    const el = mount();
    btn(el, 'revoke').click();
    write(el, 0);
    btn(el, 'back').click();
    expect(el.dataset.process).toBe('running');
    expect(btn(el, 'write', 0).disabled).toBe(false);
    expect(log(el)).toEqual(['revoke: every PTE cleared']);
    btn(el, 'reset').click();
    expect(q(el, 'tbody').innerHTML).toBe(rowsHtml(initialState({ pages: 4, policy: 'sigbus' })));
    expect(log(el)).toEqual([]);
  });
});
