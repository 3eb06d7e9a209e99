import { describe, expect, it } from 'vitest';
import { presetPlayer } from '../../components/player/preset-player';
import { ttyModel } from '../../sims/tty/model';
import { TTY_PRESETS } from '../../sims/tty/presets';

describe('presetPlayer', () => {
  it('replays a preset into a player', () => {
    const { spec, player } = presetPlayer('TtySim', 'no-lock', TTY_PRESETS, ttyModel, 'sims/tty/presets.ts');
    expect(spec).toBe(TTY_PRESETS['no-lock']);
    expect(player.states.length).toBe((spec.schedule?.length ?? 0) + 1);
  });
  it('fails with the component, the preset and the known presets', () => {
    expect(() => presetPlayer('TtySim', 'bogus', TTY_PRESETS, ttyModel, 'sims/tty/presets.ts')).toThrow(
      /^<TtySim preset="bogus">: unknown preset\. Known presets: kernel-blocking, .* \(see sims\/tty\/presets\.ts\)\.$/,
    );
    expect(() => presetPlayer('TtySim', 'toString', TTY_PRESETS, ttyModel, 'x')).toThrow(/unknown preset/);
  });
  it('fails when the schedule does not replay', () => {
    const broken = { bad: { ...TTY_PRESETS['no-lock'], schedule: [{ kind: 'uart' as const }] } };
    expect(() => presetPlayer('TtySim', 'bad', broken, ttyModel, 'x')).toThrow(/<TtySim preset="bad">: the preset's schedule does not replay: /);
  });
});
