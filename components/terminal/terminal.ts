/**
 * A small terminal interface over xterm.js, loaded late.
 *
 * `@xterm/xterm` breaks when imported during prerender and weighs ~83 KB gzip, so it is
 * imported dynamically, on the client, the first time a terminal is needed. Callers talk to
 * `TerminalLike`, never to xterm, so tests and fallbacks can stand in for it.
 */

/** What the rest of the site needs from a terminal. */
export interface TerminalLike {
  /** Writes text; `\n` becomes a new line; ANSI SGR colour codes are honoured. */
  write(text: string): void;
  /** Clears the screen and scrollback. */
  clear(): void;
  /** Re-fits the terminal to its container (after a resize or when it becomes visible). */
  fit(): void;
  /** Frees the terminal. */
  dispose(): void;
}

/** A terminal made by `createTerminal`: also tells its size (columns and rows after the last fit). */
export interface SizedTerminal extends TerminalLike {
  readonly cols: number;
  readonly rows: number;
}

export interface TerminalOptions {
  /** Accessible name of the terminal, e.g. "Far end of the serial line". */
  label: string;
  /** Visible rows (default 10). */
  rows?: number;
  /**
   * Makes the terminal interactive: keystrokes (as the bytes a shell expects) go here; Tab
   * goes to the shell, Esc then Tab (or Shift+Tab) moves focus out. Without it the terminal
   * is read-only.
   */
  onData?: (data: string) => void;
  /** Told the new size after each fit (for an interactive shell). */
  onResize?: (dim: { cols: number; rows: number }) => void;
}

let cssInjected = false;

/** Reads a CSS custom property of the document root, for the terminal theme. */
function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * Creates an xterm terminal inside `container` (which should be empty).
 * Resolves once xterm has loaded; rejects with the import error if xterm cannot load
 * (callers show their plain-text fallback then).
 */
export async function createTerminal(container: HTMLElement, opts: TerminalOptions): Promise<SizedTerminal> {
  const [{ Terminal }, { FitAddon }, cssUrl] = await Promise.all([
    import('@xterm/xterm'),
    import('@xterm/addon-fit'),
    import('@xterm/xterm/css/xterm.css?url'),
  ]);
  if (!cssInjected) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = cssUrl.default;
    document.head.append(link);
    cssInjected = true;
  }
  const term = new Terminal({
    rows: opts.rows ?? 10,
    convertEol: true,
    disableStdin: !opts.onData,
    cursorBlink: !!opts.onData,
    scrollback: 2000,
    fontFamily: cssVar('--font-mono', 'monospace'),
    fontSize: 13,
    screenReaderMode: false,
    theme: terminalTheme(),
  });
  const fitAddon = new FitAddon();
  term.loadAddon(fitAddon);
  term.open(container);
  container.setAttribute('role', 'group');
  container.setAttribute('aria-label', opts.label);
  const textarea = container.querySelector('textarea');
  if (textarea) textarea.setAttribute('aria-label', opts.onData ? opts.label : `${opts.label} (read only)`);
  if (opts.onData) {
    term.onData(opts.onData);
    // An interactive terminal takes Tab for the shell; Esc then Tab leaves it (as in the editor).
    let escaped = false;
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown') return true;
      if (e.key === 'Tab' && escaped) {
        escaped = false;
        return false;
      }
      escaped = e.key === 'Escape';
      return true;
    });
  }
  if (opts.onResize) term.onResize(opts.onResize);
  try {
    fitAddon.fit();
  } catch {
    /* not visible yet: fit() is called again by the owner */
  }
  const onTheme = () => {
    term.options.theme = terminalTheme();
  };
  document.addEventListener('dpl:theme', onTheme);
  return {
    write: (text) => term.write(text),
    // Written into the same queue as the text, so it clears before what follows
    // (reset() acts at once, ahead of writes still queued).
    clear: () => term.write('\x1b[H\x1b[2J\x1b[3J'),
    fit: () => {
      try {
        fitAddon.fit();
      } catch {
        /* container hidden */
      }
    },
    dispose: () => {
      document.removeEventListener('dpl:theme', onTheme);
      term.dispose();
    },
    get cols() {
      return term.cols;
    },
    get rows() {
      return term.rows;
    },
  };
}

/** The terminal colours for the current theme (read from the site's CSS variables). */
function terminalTheme() {
  return {
    background: cssVar('--term-bg', '#10141a'),
    foreground: cssVar('--term-fg', '#e6e9ef'),
    cursor: cssVar('--term-fg', '#e6e9ef'),
    selectionBackground: cssVar('--term-sel', '#3a4555'),
  };
}

/** ANSI SGR helpers for writing coloured text to a terminal. */
export const ansi = {
  reset: '\x1b[0m',
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  green: (s: string) => `\x1b[32m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  blue: (s: string) => `\x1b[34m${s}\x1b[39m`,
  magenta: (s: string) => `\x1b[35m${s}\x1b[39m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
  /** White text on a coloured background: used to mark bytes by writer. */
  bgWriter: (i: number, s: string) => `\x1b[${[44, 45, 42, 43][i % 4]}m\x1b[97m${s}\x1b[39m\x1b[49m`,
  fgWriter: (i: number, s: string) => `\x1b[${[94, 95, 92, 93][i % 4]}m${s}\x1b[39m`,
};
