/**
 * The d3 diagrams of a `<tty-sim>`, loaded with `import()` when the widget scrolls into view
 * or on the first interaction. The element calls `update` with the timeline and the current
 * index; this module draws the swimlane and the buffer diagram and keeps their `<desc>`
 * current. It holds no simulation state of its own.
 */
import type { TtyState } from '../../../sims/tty/types.ts';
import { swimlaneLayout } from '../swimlane-layout.ts';
import { drainName, letter, phaseWords } from '../tty-format.ts';
import { createPipeRow, createRing, type BufferView } from './ring.ts';
import { createSwimlane, type SwimlaneView } from './swimlane.ts';

export interface Diagrams {
  update(states: readonly TtyState[], index: number, animate: boolean): void;
  dispose(): void;
}

export interface DiagramElements {
  swimlane: SVGSVGElement;
  buffer: SVGSVGElement;
  idPrefix: string;
  onSeek: (column: number) => void;
}

function swimlaneDesc(state: TtyState): string {
  const who = state.writers.map((_, w) => `writer ${letter(w)} ${phaseWords(state, w)}`).join('; ');
  return `Step ${state.stepIndex}: ${who}; the ${drainName(state)} has delivered ${state.received.length} bytes. Solid bars: holds the lock; hatched: asleep; diamonds: signals; circles: write() returns.`;
}

export function createDiagrams(el: DiagramElements): Diagrams {
  const swim: SwimlaneView = createSwimlane(el.swimlane, { idPrefix: el.idPrefix, onSeek: el.onSeek });
  let buffer: BufferView | null = null;
  let bufferKind: 'pipe' | 'ring' | null = null;
  let layoutFor: { states: readonly TtyState[]; length: number; layout: ReturnType<typeof swimlaneLayout> } | null = null;
  const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => swim.resize()) : null;
  if (ro && el.swimlane.parentElement) ro.observe(el.swimlane.parentElement);

  return {
    update(states, index, animate) {
      const state = states[index];
      // The player may be reloaded with another variant (share links, the Prove-it panel):
      // a pipe and a ring are different drawings, so start the buffer view afresh.
      const kind = state.params.variant === 'pipe' ? 'pipe' : 'ring';
      if (!buffer || kind !== bufferKind) {
        for (const child of Array.from(el.buffer.children)) if (child.tagName !== 'title' && child.tagName !== 'desc') child.remove();
        buffer = kind === 'pipe' ? createPipeRow(el.buffer) : createRing(el.buffer);
        bufferKind = kind;
      }
      // The layout depends only on the timeline, not on the index: recompute when it changed.
      if (!layoutFor || layoutFor.states !== states || layoutFor.length !== states.length || layoutFor.states[states.length - 1] !== states[states.length - 1]) {
        layoutFor = { states, length: states.length, layout: swimlaneLayout(states) };
      }
      swim.update(layoutFor.layout, index, animate);
      buffer.update(state, animate);
      const sd = el.swimlane.querySelector('desc');
      if (sd) sd.textContent = swimlaneDesc(state);
      const bd = el.buffer.querySelector('desc');
      if (bd) bd.textContent = buffer.describe(state);
    },
    dispose() {
      ro?.disconnect();
    },
  };
}
