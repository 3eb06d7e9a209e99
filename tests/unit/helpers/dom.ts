/**
 * DOM helpers for the jsdom tests of the hands-on widgets (fd table, revoked mmap, syscall
 * count): mount a server-rendered host, find inside it, act on its form as a reader would, read
 * its live region.
 */

/**
 * Makes `<tag data-<k>="<v>">html</tag>` the whole page body and returns the host; a defined
 * custom element upgrades as it connects.
 */
export function mountHost(tag: string, data: Readonly<Record<string, string | number>>, html: string): HTMLElement {
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${v}"`)
    .join('');
  document.body.innerHTML = `<${tag}${attrs}>${html}</${tag}>`;
  return document.querySelector<HTMLElement>(tag)!;
}

/** The first element matching `selector` inside `el`; throws, naming the selector, when none does. */
export function q<T extends Element = HTMLElement>(el: ParentNode, selector: string): T {
  const found = el.querySelector<T>(selector);
  if (!found) throw new Error(`nothing matches ${selector}`);
  return found;
}

/** Checks the radio button with `value` inside `el` and fires its bubbling `change`, as a click would. */
export function chooseRadio(el: ParentNode, value: string): void {
  const r = q<HTMLInputElement>(el, `input[type="radio"][value="${value}"]`);
  r.checked = true;
  r.dispatchEvent(new Event('change', { bubbles: true }));
}

/** The text of the widget's polite live region (`[role="status"]`). */
export function statusText(el: ParentNode): string {
  return q(el, '[role="status"]').textContent ?? '';
}
