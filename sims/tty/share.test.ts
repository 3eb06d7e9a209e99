import { describe, expect, it } from 'vitest';
import { TTY_PRESETS } from '../tty/presets.ts';
import type { TtyChoice, TtyParams } from '../tty/types.ts';
import { nextInt, seedFrom } from '../core/rng.ts';
import { decodeShare, encodeShare, fromBase64Url, MAX_SHARE_STEPS, toBase64Url } from './share.ts';

const w = (size: number, nonblock = false, signal = false) => ({ size, nonblock, signal });
const panelDefault: TtyParams = { variant: 'kernel', writers: [w(8), w(8)], chunkSize: 4, xmitSize: 8, pipeBuf: 4, pipeSlots: 2, baud: 230400, drainBytes: 2 };
const run = (ch: string): TtyChoice[] => [...ch].map((c) => (c === 'u' ? { kind: 'uart' } : c === 'r' ? { kind: 'reader' } : c === c.toLowerCase() ? { kind: 'run', writer: c.charCodeAt(0) - 97 } : { kind: 'signal', writer: c.charCodeAt(0) - 65 }));

describe('base64url', () => {
  it('round-trips every length and byte value', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Array.from({ length: n }, (_, i) => (i * 97 + n * 13) & 255);
      const t = toBase64Url(bytes);
      expect(t).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64Url(t)).toEqual(bytes);
    }
    expect(toBase64Url([251, 255])).toBe('-_8');
  });
  it('rejects non-canonical text', () => {
    expect(fromBase64Url('A')).toBeNull(); // impossible length
    expect(fromBase64Url('AB')).toBeNull(); // stray bits in the last char
    expect(fromBase64Url('A+')).toBeNull(); // not the url alphabet
    expect(fromBase64Url('AA=')).toBeNull();
  });
});

describe('encodeShare / decodeShare', () => {
  it('has the documented compact form', () => {
    const text = encodeShare({ model: 'tty', params: panelDefault, schedule: run('aab'), step: 3 });
    expect(text).toBe('tty.2..BCAgBAMEAgKAiA4.aab.3');
    expect(text.length).toBeLessThan(40);
  });

  it('round-trips every preset with its schedule at every step', () => {
    for (const [name, preset] of Object.entries(TTY_PRESETS)) {
      const schedule = preset.schedule ?? [];
      for (const step of [0, Math.floor(schedule.length / 2), schedule.length]) {
        const text = encodeShare({ model: 'tty', params: preset.params, schedule, step });
        expect(text, name).toMatch(/^[A-Za-z0-9_.-]+$/);
        const back = decodeShare(text);
        expect(back, name).toEqual({ ok: true, model: 'tty', params: preset.params, schedule, step });
      }
    }
  });

  it('names the preset a run was made from, and checks the settings against it', () => {
    const preset = TTY_PRESETS['kernel-blocking'];
    const schedule = preset.schedule!;
    const text = encodeShare({ model: 'tty', preset: 'kernel-blocking', params: preset.params, schedule, step: 5 });
    expect(text.startsWith('tty.2.kernel-blocking.')).toBe(true);
    expect(decodeShare(text)).toEqual({ ok: true, model: 'tty', preset: 'kernel-blocking', params: preset.params, schedule, step: 5 });
    // Change one character of the settings: writer A's size 12 -> 8 is still a valid
    // configuration, so without the preset check the link would silently open another run.
    const [m, v, name, paramsText, sched, step] = text.split('.');
    const bytes = fromBase64Url(paramsText)!;
    bytes[1] = 8 * 4;
    const changed = [m, v, name, toBase64Url(bytes), sched, step].join('.');
    const r = decodeShare(changed);
    expect(r).toMatchObject({ ok: false, kind: 'invalid-params' });
    if (!r.ok) expect(r.error).toMatch(/names the tty simulation “Two blocking writers on a serial tty”, but its settings are not that simulation’s \(writer A writes 8 bytes, in the preset 12\)/);
    // Encoding refuses a preset name with other parameters.
    expect(() => encodeShare({ model: 'tty', preset: 'kernel-blocking', params: panelDefault, schedule: [], step: 0 })).toThrow(/not those of the preset/);
  });

  it('still opens version 1 links (no preset)', () => {
    expect(decodeShare('tty.1.BCAgBAMEAgKAiA4.aab.3')).toEqual({ ok: true, model: 'tty', params: panelDefault, schedule: run('aab'), step: 3 });
  });

  it('carries every flag, size and variant', () => {
    const p: TtyParams = { variant: 'pipe', writers: [w(1, true, false), w(16, false, true), w(300, true, true), w(1 << 20)], chunkSize: 2048, xmitSize: 4096, pipeBuf: 4096, pipeSlots: 16, baud: 115200, drainBytes: 64 };
    const back = decodeShare(encodeShare({ model: 'tty', params: p, schedule: [], step: 0 }));
    expect(back).toEqual({ ok: true, model: 'tty', params: p, schedule: [], step: 0 });
    const q: TtyParams = { ...panelDefault, variant: 'no-lock', writers: [w(3), w(5, false, true)] };
    const s = run('abBau');
    expect(decodeShare(encodeShare({ model: 'tty', params: q, schedule: s, step: 2 }))).toEqual({ ok: true, model: 'tty', params: q, schedule: s, step: 2 });
  });

  it('refuses to encode what it cannot carry', () => {
    expect(() => encodeShare({ model: 'tty', params: { ...panelDefault, baud: 9600.5 }, schedule: [], step: 0 })).toThrow(RangeError);
    expect(() => encodeShare({ model: 'tty', params: { ...panelDefault, xmitSize: 12 }, schedule: [], step: 0 })).toThrow(/xmitSize/);
    expect(() => encodeShare({ model: 'tty', params: panelDefault, schedule: run('a'), step: 2 })).toThrow(/step/);
    expect(() => encodeShare({ model: 'tty', params: panelDefault, schedule: Array(MAX_SHARE_STEPS + 1).fill({ kind: 'uart' }), step: 0 })).toThrow(/longer/);
  });
});

describe('decodeShare errors', () => {
  const good = encodeShare({ model: 'tty', params: panelDefault, schedule: run('aab'), step: 3 });
  const [, , , paramsText] = good.split('.');
  const cases: [string, unknown, string, RegExp][] = [
    ['empty', '', 'malformed', /no simulation/],
    ['not a string', 42, 'malformed', /no simulation/],
    ['garbage', 'hello world', 'malformed', /does not start with the name/],
    ['unknown model', 'dma.1.AAAA..0', 'unknown-model', /“dma”/],
    ['missing version', 'tty', 'malformed', /version number/],
    ['older version', `tty.0.${paramsText}.aab.3`, 'outdated', /older version \(0\).*reads version 2/],
    ['newer version', `tty.3..${paramsText}.aab.3`, 'outdated', /newer version \(3\)/],
    ['too few parts', `tty.1.${paramsText}.aab`, 'malformed', /5 parts.*has 4/],
    ['too many parts', `${good}.9`, 'malformed', /6 parts.*has 7/],
    ['too many parts (version 1)', `tty.1.${paramsText}.aab.3.9`, 'malformed', /5 parts.*has 6/],
    ['unknown tty preset', `tty.2.no-such.${paramsText}.aab.3`, 'invalid-params', /“no-such”, which this site does not have/],
    ['bad tty preset name', `tty.2.Bad_Name.${paramsText}.aab.3`, 'malformed', /name of the tty preset/],
    ['bad base64', 'tty.1.BC*gIAQ.aab.3', 'malformed', /base64url/],
    ['truncated params', `tty.1.${paramsText.slice(0, 8)}.aab.3`, 'malformed', /end too early/],
    ['extra params bytes', `tty.1.${toBase64Url([...fromBase64Url(paramsText)!, 0])}.aab.3`, 'malformed', /left over/],
    ['bad schedule char', `tty.1.${paramsText}.aaxb.3`, 'malformed', /step 3 of the schedule is “x”/],
    ['step not a number', `tty.1.${paramsText}.aab.three`, 'malformed', /not a number/],
    ['step with leading zero', `tty.1.${paramsText}.aab.03`, 'malformed', /not a number/],
    ['step beyond schedule', `tty.1.${paramsText}.aab.4`, 'malformed', /step 4.*only 3 steps/],
    ['schedule does not replay', `tty.1.${paramsText}.aabb.4`, 'replay', /at step 4, running writer B is not possible/],
    ['writer that does not exist', `tty.1.${paramsText}.c.0`, 'replay', /at step 1, running writer C/],
    ['signal to a writer that may not get one', `tty.1.${paramsText}.aA.0`, 'replay', /at step 2, a signal to writer A/],
  ];
  for (const [name, text, kind, message] of cases) {
    it(name, () => {
      const r = decodeShare(text);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.kind).toBe(kind);
      expect(r.error).toMatch(message);
    });
  }

  it('reports invalid params with the model’s RangeError text', () => {
    // A writer of size 0: bytes [head, varint 0, varint 8*4, ...].
    const bytes = [4, 0, 32, 4, 3, 4, 2, 2, 128, 135, 14];
    const r = decodeShare(`tty.1.${toBase64Url(bytes)}..0`);
    expect(r).toMatchObject({ ok: false, kind: 'invalid-params' });
    if (!r.ok) expect(r.error).toContain('tty params: writers[0].size must be an integer from 1 to 1048576, got 0');
    const variant3 = decodeShare(`tty.1.${toBase64Url([3, 32, 4, 3, 4, 2, 2, 128, 135, 14])}..0`);
    expect(variant3).toMatchObject({ ok: false, kind: 'invalid-params' });
    if (!variant3.ok) expect(variant3.error).toMatch(/variant must be/);
    const xmit1 = decodeShare(`tty.1.${toBase64Url([0, 32, 4, 0, 4, 2, 2, 128, 135, 14])}..0`);
    expect(xmit1).toMatchObject({ ok: false, kind: 'invalid-params' });
    if (!xmit1.ok) expect(xmit1.error).toMatch(/xmitSize must be a power of two/);
  });

  it('refuses runs too large to replay', () => {
    const big: TtyParams = { ...panelDefault, xmitSize: 1 << 16, writers: [w(1 << 20)] };
    const text = encodeShare({ model: 'tty', params: big, schedule: Array(200).fill({ kind: 'run', writer: 0 }), step: 0 });
    expect(decodeShare(text)).toMatchObject({ ok: false, kind: 'too-large' });
  });

  it('never throws on garbage and never accepts it by accident (fuzz)', () => {
    let s = seedFrom(2024);
    const pick = (n: number) => {
      const [i, next] = nextInt(s, n);
      s = next;
      return i;
    };
    const alphabet = 'tty.1.ABCDEFGHIJabcdu rAB-_=%#&?é\u0000😀.0123456789';
    let accepted = 0;
    for (let k = 0; k < 3000; k++) {
      let text = '';
      const mode = pick(3);
      if (mode === 0) {
        const n = pick(40);
        for (let i = 0; i < n; i++) text += alphabet[pick(alphabet.length)];
      } else {
        // Mutate a good link: flip, drop or insert a character.
        const chars = [...good];
        const at = pick(chars.length);
        if (mode === 1) chars[at] = alphabet[pick(alphabet.length)];
        else chars.splice(at, 1);
        text = chars.join('');
      }
      const r = decodeShare(text);
      expect(typeof r.ok).toBe('boolean');
      if (r.ok) {
        accepted++;
        // Whatever was accepted re-encodes to a link that decodes the same way.
        expect(decodeShare(encodeShare(r))).toEqual(r);
      } else {
        expect(r.error.length).toBeGreaterThan(10);
      }
    }
    expect(accepted).toBeLessThan(3000);
  });
});
