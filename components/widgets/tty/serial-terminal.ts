/**
 * The far end of the serial line (or the pipe's reader) as a terminal: it shows exactly the
 * bytes received up to the current step, each writer's letters in its own colour.
 *
 * The xterm terminal (`components/terminal/terminal.ts`) is created lazily, when `start()`
 * is called (the widget became visible or was used). Until then, and for good if xterm
 * cannot load, a `<pre>` with coloured spans shows the same bytes. `data-received` on the
 * container always holds the received letters (tests read it; canvas text is not readable).
 */
import type { Cell } from '../../../sims/tty/index.ts';
import type { TerminalLike } from '../../terminal/terminal.ts';
import { receivedLetters } from './format.ts';
import { receivedSpansHtml } from './html.ts';

export class SerialTerminal {
  private term: TerminalLike | null = null;
  private starting: Promise<void> | null = null;
  /** The cells the terminal currently shows. */
  private shown: readonly Cell[] = [];
  private latest: readonly Cell[] = [];
  private resizeObserver: ResizeObserver | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly xtermHost: HTMLElement,
    private readonly fallback: HTMLElement,
    private readonly label: string,
  ) {}

  /** Loads xterm (once). Resolves when it is shown, or when the fallback stays. */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    this.container.dataset.terminal = 'loading';
    this.starting = import('../../terminal/terminal.ts')
      .then(async ({ createTerminal, ansi }) => {
        const term = await createTerminal(this.xtermHost, { label: this.label, rows: 6 });
        this.term = term;
        this.ansi = ansi;
        this.container.dataset.terminal = 'xterm';
        this.shown = [];
        this.draw(this.latest);
        term.fit();
        if (typeof ResizeObserver === 'function') {
          this.resizeObserver = new ResizeObserver(() => term.fit());
          this.resizeObserver.observe(this.xtermHost);
        }
      })
      .catch((err: unknown) => {
        this.container.dataset.terminal = 'fallback';
        this.xtermHost.hidden = true;
        this.fallback.hidden = false;
        console.warn('xterm could not load; showing the plain-text terminal instead', err);
      });
    return this.starting;
  }

  private ansi: { fgWriter(i: number, s: string): string; dim(s: string): string } | null = null;

  /** Shows `cells`: appends when they extend what is shown, otherwise clears and rewrites. */
  show(cells: readonly Cell[]): void {
    this.latest = cells;
    this.container.dataset.received = receivedLetters(cells);
    this.fallback.innerHTML = receivedSpansHtml(cells);
    this.draw(cells);
  }

  fit(): void {
    this.term?.fit();
  }

  dispose(): void {
    this.resizeObserver?.disconnect();
    this.term?.dispose();
    this.term = null;
  }

  private draw(cells: readonly Cell[]): void {
    const term = this.term;
    const ansi = this.ansi;
    if (!term || !ansi) return;
    const extendsShown =
      cells.length >= this.shown.length && this.shown.every((c, i) => cells[i].writer === c.writer && cells[i].index === c.index);
    const from = extendsShown ? this.shown.length : 0;
    // Rewrite from scratch in-band (home, erase screen, erase scrollback), so the clear is
    // ordered with writes xterm has queued but not parsed yet; `clear()` is not.
    let out = extendsShown ? '' : '\x1b[H\x1b[2J\x1b[3J';
    let run = '';
    let runWriter = -1;
    for (let i = from; i < cells.length; i++) {
      const w = cells[i].writer;
      if (w !== runWriter && run) {
        out += ansi.fgWriter(runWriter, run);
        run = '';
      }
      runWriter = w;
      run += String.fromCharCode(65 + w);
    }
    if (run) out += ansi.fgWriter(runWriter, run);
    if (out) term.write(out);
    this.shown = cells.slice();
    // Show the fallback only while xterm is missing.
    this.fallback.hidden = true;
    this.xtermHost.hidden = false;
  }
}
