/**
 * The theme toggle: follows the system theme until the learner picks one, then keeps that
 * choice in localStorage (`dpl:theme`). Dispatches `dpl:theme` on the document after a change
 * so canvases (the terminal) can re-read the colours.
 */
export function initThemeToggle(): void {
  const btn = document.getElementById('theme-toggle');
  if (!btn) return;
  const media = matchMedia('(prefers-color-scheme: dark)');
  const current = (): 'light' | 'dark' => {
    const t = document.documentElement.dataset.theme;
    if (t === 'light' || t === 'dark') return t;
    return media.matches ? 'dark' : 'light';
  };
  const label = () => {
    const next = current() === 'dark' ? 'light' : 'dark';
    btn.setAttribute('aria-label', `Switch to ${next} theme`);
    btn.setAttribute('title', `Switch to ${next} theme`);
  };
  btn.addEventListener('click', () => {
    const next = current() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem('dpl:theme', next);
    } catch {
      /* the choice lasts for this page only */
    }
    label();
    document.dispatchEvent(new CustomEvent('dpl:theme', { detail: next }));
  });
  media.addEventListener('change', () => {
    label();
    document.dispatchEvent(new CustomEvent('dpl:theme', { detail: current() }));
  });
  label();
}
