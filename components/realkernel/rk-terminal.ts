/**
 * The panel's xterm terminal. Same look and behaviour as components/terminal/terminal.ts
 * (read-only, site theme colours, follows the theme toggle), but with xterm and its CSS
 * imported statically: panel-main.ts is built as one self-contained module, loaded only when
 * the reader presses Run, and a split chunk or a separate CSS file would not be shipped with it.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import xtermCss from '@xterm/xterm/css/xterm.css?inline';
import type { TerminalLike } from '../terminal/terminal.ts';

let cssInjected = false;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function theme() {
  return {
    background: cssVar('--term-bg', '#10141a'),
    foreground: cssVar('--term-fg', '#e6e9ef'),
    cursor: cssVar('--term-fg', '#e6e9ef'),
    selectionBackground: cssVar('--term-sel', '#3a4555'),
  };
}

/** Creates a read-only xterm terminal in `container` (empty), labelled `label` for assistive tech. */
export function createRkTerminal(container: HTMLElement, label: string, rows = 14): TerminalLike {
  if (!cssInjected && !document.querySelector('link[href*="xterm"]')) {
    const style = document.createElement('style');
    style.textContent = xtermCss;
    document.head.append(style);
  }
  cssInjected = true;
  const term = new Terminal({
    rows,
    convertEol: true,
    disableStdin: true,
    cursorBlink: false,
    scrollback: 5000,
    fontFamily: cssVar('--font-mono', 'monospace'),
    fontSize: 13,
    theme: theme(),
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(container);
  container.setAttribute('role', 'group');
  container.setAttribute('aria-label', label);
  container.querySelector('textarea')?.setAttribute('aria-label', `${label} (read only)`);
  const refit = () => {
    try {
      fit.fit();
    } catch {
      /* hidden */
    }
  };
  refit();
  const onTheme = () => {
    term.options.theme = theme();
  };
  document.addEventListener('dpl:theme', onTheme);
  const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(refit) : null;
  ro?.observe(container);
  return {
    write: (text) => term.write(text),
    clear: () => term.write('\x1b[H\x1b[2J\x1b[3J'),
    fit: refit,
    dispose: () => {
      ro?.disconnect();
      document.removeEventListener('dpl:theme', onTheme);
      term.dispose();
    },
  };
}

/** The few ANSI colours the panel uses. */
export const ansi = {
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
};
