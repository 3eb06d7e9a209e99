/**
 * The tty widget's custom view, loaded with its diagrams: the swimlane (`swimlane-view.ts`,
 * d3) over the DOM-free `swimlane-layout.ts`, drawn into the `swimlane` figure's SVG. Its
 * width follows the figure's (columns of 16 to 44 px, text at 11 px: it scrolls sideways
 * on a phone, lane labels kept in view), so it is not a fixed-size scene. Clicking a
 * column moves the player to that step. It holds no simulation state of its own.
 */
import type { TtyState } from '../../../sims/tty/index.ts';
import type { CustomView, CustomViewHost, WidgetCtx } from '../../player/definition.ts';
import { drainName, letter, phaseWords } from './format.ts';
import { swimlaneLayout, type SwimlaneLayout } from './swimlane-layout.ts';
import { createSwimlane } from './swimlane-view.ts';

type Ctx = WidgetCtx<unknown, TtyState, unknown>;

/** The swimlane's `<desc>` at a state. */
export function swimlaneDesc(state: TtyState): string {
  const who = state.writers.map((_, w) => `writer ${letter(w)} ${phaseWords(state, w)}`).join('; ');
  return `Step ${state.stepIndex}: ${who}; the ${drainName(state)} has delivered ${state.received.length} bytes. Solid bars: holds the lock; hatched: asleep; diamonds: signals; circles: write() returns.`;
}

/** Creates the swimlane view over the host's `swimlane` figure. */
export function createSwimlaneView(host: CustomViewHost): CustomView<Ctx> {
  const svg = host.svg('swimlane');
  const swim = createSwimlane(svg, { idPrefix: host.host.id || 'tty-sim', onSeek: (col) => host.seek(col) });
  let layoutFor: { states: readonly TtyState[]; length: number; last: TtyState; layout: SwimlaneLayout } | null = null;
  // Redraw when the figure's width changes (a tab shown, the window resized).
  const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => swim.resize()) : null;
  if (ro && svg.parentElement) ro.observe(svg.parentElement);
  return {
    update(ctx, animate) {
      const states = ctx.states;
      const last = states[states.length - 1];
      // The layout depends only on the timeline, not on the step: recompute when it changed.
      if (!layoutFor || layoutFor.states !== states || layoutFor.length !== states.length || layoutFor.last !== last) {
        layoutFor = { states, length: states.length, last, layout: swimlaneLayout(states) };
      }
      swim.update(layoutFor.layout, ctx.index, animate);
      const desc = svg.querySelector(':scope > desc');
      if (desc) desc.textContent = swimlaneDesc(ctx.state);
    },
    dispose() {
      ro?.disconnect();
    },
  };
}
