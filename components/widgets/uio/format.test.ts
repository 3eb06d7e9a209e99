import { describe, expect, it } from 'vitest';
import { uioModel, UIO_PRESETS } from '../../../sims/uio/index.ts';
import * as words from './format.ts';
import { presetRunner } from '../../../tests/unit/helpers/widget-test.ts';

const run = presetRunner(uioModel, UIO_PRESETS);

describe('registers', () => {
  it('names the bits that are set, and what the number registers hold', () => {
    expect(words.regMeaning('STATUS', 0)).toBe('none set');
    expect(words.regMeaning('STATUS', 0b101)).toBe('DONE|BUSY');
    expect(words.regMeaning('STATUS', 0b10)).toBe('ERR');
    expect(words.regMeaning('IRQ_ENABLE', 1)).toBe('DONE');
    expect(words.regMeaning('DMA_LEN', 16)).toBe('16 bytes');
    expect(words.regMeaning('DMA_ADDR', 0)).toBe('bus address (not set)');
  });

  it('lists the five registers in offset order with BUSY while armed, and marks changes', () => {
    const s = run('uio-read-blocks');
    const armed = s[8];
    const rows = words.regRows(armed, s[7]);
    expect(rows.map((r) => [r.name, r.offset])).toEqual([
      ['DMA_ADDR', '+0x0'],
      ['DMA_LEN', '+0x8'],
      ['CTRL', '+0xc'],
      ['STATUS', '+0x10'],
      ['IRQ_ENABLE', '+0x14'],
    ]);
    const status = rows.find((r) => r.name === 'STATUS')!;
    expect(status.meaning).toBe('BUSY');
    expect(status.changed).toBe(true);
    expect(rows.find((r) => r.name === 'DMA_ADDR')!.changed).toBe(false);
    expect(words.regRows(armed).every((r) => !r.changed)).toBe(true);
  });
});

describe('maps and interrupt words', () => {
  it('formats memtypes, sizes and the mmap offset that selects a map', () => {
    expect(words.memtypeText({ memtype: 'DMA_COHERENT', memtypeValue: 5 })).toBe('UIO_MEM_DMA_COHERENT (5)');
    expect(words.sizeText(8192)).toBe('8 KiB');
    expect(words.sizeText(100)).toBe('100 B');
    expect(words.mapOffset(0)).toBe('0x0');
    expect(words.mapOffset(3)).toBe('0x3000');
  });

  it('says enabled, disabled or pending', () => {
    expect(words.irqLineText({ line: 'enabled', pending: false, handled: 0, merged: 0 })).toBe('enabled');
    expect(words.irqLineText({ line: 'disabled', pending: true, handled: 1, merged: 0 })).toBe('disabled, 1 pending');
    expect(words.irqLineKind({ line: 'disabled', pending: true, handled: 1, merged: 0 })).toBe('pending');
    expect(words.irqLineKind({ line: 'disabled', pending: false, handled: 1, merged: 0 })).toBe('disabled');
  });
});

describe('read()', () => {
  it('follows A asleep, woken, and returning the count', () => {
    const s = run('uio-read-blocks');
    expect(words.readPhase(s[8]).kind).toBe('none');
    expect(words.readPhase(s[9])).toEqual({ kind: 'asleep', fd: 3, since: 9, woken: false });
    expect(words.readPhaseText(words.readPhase(s[9]))).toBe('asleep in read(3) since step 9');
    expect(words.readPhase(s[10])).toMatchObject({ kind: 'asleep', woken: true });
    expect(words.readPhase(s[11])).toMatchObject({ kind: 'returned', fd: 3, value: 1, errno: null });
    expect(words.readPhaseText(words.readPhase(s[11]))).toBe('read(3) returned 1');
  });

  it('reports a read that failed at once', () => {
    const s = run('nonblock-eagain');
    expect(words.readPhase(s[4])).toMatchObject({ kind: 'returned', errno: 'EAGAIN' });
    expect(words.readPhaseText(words.readPhase(s[4]))).toBe('read(3) returned -1 (EAGAIN)');
  });
});

describe('DMA outcomes', () => {
  it('names a stray write into B’s page and keeps it as a stray frame', () => {
    const s = run('wrong-bus-address-no-iommu');
    const w = words.writesNow(s[13]);
    expect(w).toHaveLength(1);
    expect(words.outcomeLabel(w[0])).toBe("B's page overwritten");
    expect(words.outcomeText(w[0])).toBe('16 bytes into pfn 2 (0x2000), process B, not the DMA buffer');
    expect(words.strayFrames(s[16])).toEqual([{ pfn: 2, step: 13, owner: 'B' }]);
    expect(words.writesNow(s[14])).toEqual([]);
  });

  it('names an IOMMU fault as nothing written', () => {
    const s = run('wrong-iova-vfio');
    const [w] = words.writesNow(s[9]);
    expect(words.outcomeLabel(w)).toBe('IOMMU fault: nothing written');
    expect(words.outcomeText(w)).toBe('IOMMU fault at IOVA 0x2000: nothing written');
    expect(words.strayFrames(s[16])).toEqual([]);
  });
});

describe('narration', () => {
  it('has an initial sentence for each mode and the model’s afterwards', () => {
    expect(words.narrationOf(run('uio-read-blocks')[0])).toMatch(/^Before anything runs: .*\/dev\/uio0 .*no IOMMU/);
    expect(words.narrationOf(run('wrong-iova-vfio')[0])).toMatch(/vfio-pci behind an IOMMU/);
    const s = run('uio-read-blocks');
    expect(words.narrationOf(s[1])).toBe(s[1].event!.narration);
  });

  it('says who acted when no kernel code is cited', () => {
    const s = run('uio-read-blocks');
    expect(words.noSourceText(s[0])).toBe('');
    expect(words.noSourceText(s[5])).toMatch(/^in process A/);
  });

  it('shows frame bytes as text, trailing zeros dropped', () => {
    expect(words.frameText([0x41, 0x42, 0, 0])).toBe('AB');
    expect(words.frameText([0x41, 1, 0x42])).toBe('A.B');
    expect(words.frameText([0x41, 0x42, 0x43], 2)).toBe('AB…');
    expect(words.frameText([])).toBe('');
  });
});
