/**
 * `<daq-ring-sim>`: the ring-protocol panel (`DaqRingProof.astro`) on the shared player
 * shell. The player steps `ringModel` for the panel's configuration; "Check every
 * interleaving" loads the explorer (a dynamic import, on first use), runs it on this small
 * configuration, and either reports the proof with its counts or replays the shortest
 * counterexample in the player, at its last step.
 *
 * Host attributes (besides the shell's): `data-verdict` (`''`, `proved`, `counterexample`,
 * `incomplete`, `error`). Event: `daq-ring-sim:step`.
 */
import { ringExploreSpec, ringModel, type RingChoice, type RingParams, type RingState } from '../../../sims/daq/index.ts';
import { PlayerCore } from '../../player/player-core.ts';
import { choiceButtonHtml, esc } from '../../player/shell-html.ts';
import { SimPlayerElement } from '../../player/sim-player-element.ts';
import { RING_DEFAULT, ringSetup, type RingConfig, type RingVariant } from './fields.ts';
import { ringTableHtml } from './html.ts';
import { RING_H, ringSvg, ringWidth } from './layout.ts';

export class DaqRingElement extends SimPlayerElement<RingParams, RingState, RingChoice> {
  protected readonly widgetName = 'daq-ring-sim';
  protected readonly eventName = 'daq-ring-sim:step';
  protected noChoicesHtml = '<p class="sim-note">Nothing can run: every frame is handled, or the protocol broke (see the caption).</p>';

  private config(): RingConfig {
    const form = this.maybeEl<HTMLFormElement>('ring-form');
    if (!form) return RING_DEFAULT;
    const data = new FormData(form);
    return {
      variant: (data.get('variant') as RingVariant | null) ?? 'correct',
      n: Number(data.get('n') ?? 2),
      frames: Number(data.get('frames') ?? 3),
      coherent: !data.get('noncoherent'),
      nearWrap: !!data.get('nearwrap'),
    };
  }

  private build(schedule: RingChoice[] = []): PlayerCore<RingParams, RingState, RingChoice> {
    const { params, handler } = ringSetup(this.config());
    return new PlayerCore({ model: ringModel(handler), params, seed: 1, schedule });
  }

  protected createPlayer(): PlayerCore<RingParams, RingState, RingChoice> | string {
    try {
      return this.build();
    } catch (e) {
      return `The ring could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected narrationOf(s: RingState): string {
    if (s.last) return s.bad ? `${s.last} Broken: ${s.bad}.` : s.last;
    return `The ring is armed: ${s.p.n} buffer(s), all with the device; produced = consumed = ${s.produced}.`;
  }

  protected choiceHtml(state: RingState, choice: RingChoice, index: number): string {
    return choiceButtonHtml(this.player.model.describeChoice(state, choice), index, { kind: choice.actor });
  }

  protected noSourceText(): string {
    return '';
  }

  protected wireExtra(on: <K extends keyof DocumentEventMap>(target: EventTarget, type: K, fn: (e: DocumentEventMap[K]) => void) => void): void {
    const form = this.el<HTMLFormElement>('ring-form');
    const verdict = this.el('verdict');
    on(form, 'submit', (e) => {
      e.preventDefault();
      void this.check(verdict);
    });
    on(this.el('byhand'), 'click', () => {
      this.dataset.verdict = '';
      verdict.textContent = '';
      this.replacePlayer(this.build());
      this.el('choicebuttons').querySelector<HTMLButtonElement>('button')?.focus();
    });
    on(form, 'change', () => {
      this.dataset.verdict = '';
      verdict.textContent = '';
      this.replacePlayer(this.build());
    });
  }

  private async check(out: HTMLElement): Promise<void> {
    out.textContent = 'Checking every interleaving…';
    try {
      const { explore } = await import('../../../sims/explore/index.ts');
      const { params, handler } = ringSetup(this.config());
      const r = explore(ringExploreSpec(params, handler), { maxStates: 400_000, maxTimeMs: 8000 });
      const counts = `${r.stats.states.toLocaleString('en-US')} states, ${r.stats.transitions.toLocaleString('en-US')} steps explored in ${r.stats.elapsedMs.toLocaleString('en-US')} ms`;
      this.dataset.verdict = r.verdict;
      if (r.verdict === 'proved') {
        out.innerHTML = `<strong>Proved</strong> for this configuration: in every interleaving the device never wrote a buffer user space owned, user space read only its own buffers with the right frame, no frame arrived twice, the counters stayed possible, and every frame was delivered or counted as an overrun (${esc(counts)}).`;
        this.replacePlayer(this.build());
      } else if (r.verdict === 'counterexample') {
        out.innerHTML = `<strong>Counterexample</strong> (${esc(r.invariant)}): ${esc(r.message)}. The shortest schedule, ${r.schedule.length} steps, is in the player below, at its last step (${esc(counts)}).`;
        this.replacePlayer(this.build(r.schedule));
        this.player.seek(this.player.length - 1);
        this.render(false);
      } else {
        out.textContent = `Not finished (${r.reason}): ${counts}. Try a smaller ring or fewer frames.`;
      }
    } catch (e) {
      this.dataset.verdict = 'error';
      out.textContent = `The check could not run: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected renderState(state: RingState, _animate: boolean, changed: boolean): void {
    if (!changed) return;
    this.el('ring').innerHTML = ringSvg(state);
    const svg = this.el('ring-svg');
    svg.setAttribute('viewBox', `0 0 ${ringWidth(state.p.n)} ${RING_H}`);
    svg.style.width = `${ringWidth(state.p.n) * 1.3}px`;
    this.el('tables').innerHTML = ringTableHtml(state);
  }

  protected loadViews(): Promise<void> {
    return Promise.resolve();
  }
}

if (!customElements.get('daq-ring-sim')) customElements.define('daq-ring-sim', DaqRingElement);
