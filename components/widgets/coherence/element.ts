/**
 * `<coherence-sim>`: the generic widget element (`components/player/widget-element.ts`) over
 * `coherenceWidget` (definition.ts says what it shows); nothing of its own.
 * Event: `coherence-sim:step` with `detail: { index, steps, narration, findings, verdict }`.
 */
import { defineWidget } from '../../player/widget-element.ts';
import { coherenceWidget } from './definition.ts';

defineWidget(coherenceWidget);
