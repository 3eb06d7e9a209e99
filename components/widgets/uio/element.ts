/**
 * `<uio-sim>`: the generic widget element (`components/player/widget-element.ts`) over
 * `uioWidget` (definition.ts says what it shows); nothing of its own.
 * Event: `uio-sim:step` with `detail: { index, steps, narration, count, stray, faults }`.
 */
import { defineWidget } from '../../player/widget-element.ts';
import { uioWidget } from './definition.ts';

defineWidget(uioWidget);
