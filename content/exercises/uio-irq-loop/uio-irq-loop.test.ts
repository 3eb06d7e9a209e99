import { describe, it, expect } from 'vitest';
import { uioIrqLoop } from '@submission';
import { createSession, DMA_MAP, REGS_MAP } from '@sims/uio';
import type { UioSession } from '@sims/uio';

/** A driver whose handler leaves the line enabled (as an MSI handler may): every interrupt is
 *  counted, so a reader that is slow to run sees the count jump. */
const KEEP_ENABLED = { driver: { irq: true, irqHandler: 'keep-enabled' as const, irqcontrol: true, maps: [REGS_MAP, DMA_MAP] } };

/** The grader's view after the loop: what the kernel's books and the device's log say. */
function expectClean(s: UioSession, rounds: number, out: { missed: number }) {
  const r = s.report();
  const stray = r.dmaWrites.filter((w) => w.outcome !== 'ok').map((w) => `bus address 0x${w.busAddr.toString(16)}: ${w.outcome}`);
  expect(stray, 'DMA writes that did not land in the DMA buffer (map 1)').toEqual([]);
  expect(r.processBCorrupted, "the device wrote into process B's memory").toBe(false);
  expect(r.dmaErrors, 'transfers that ended with STATUS.ERR').toBe(0);
  expect(r.hangs, 'read() calls that slept with nothing left to wake them (ended by a signal)').toBe(0);
  expect(r.undelivered, 'data the device never got to write (no transfer was armed for it)').toBe(0);
  expect(r.readValues.length, 'successful 4-byte reads of the interrupt count, one per round').toBe(rounds);
  expect(r.irqLineEnabled, 'the interrupt line is left enabled (write(fd, 1) after each interrupt)').toBe(true);
  expect(r.unreadInterrupts, 'interrupts counted that no read() returned').toBe(0);
  expect(out.missed, `missed interrupts: read() returned ${JSON.stringify(r.readValues)}`).toBe(r.missedByCount);
}

describe('uioIrqLoop with a genirq-style driver (the handler disables the line)', () => {
  it('one transfer: the data arrives, read() returns 1, the line is re-enabled', () => {
    const s = createSession();
    s.deviceDeliver('temperature=21.5');
    const out = uioIrqLoop(s, 1, 16);
    expect(out).toEqual({ data: ['temperature=21.5'], missed: 0 });
    expectClean(s, 1, out);
  });

  it('three transfers in a row: each needs the line re-enabled before the next interrupt can be counted', () => {
    const s = createSession();
    s.deviceDeliver('sample-0001;');
    s.deviceDeliver('sample-0002;');
    s.deviceDeliver('sample-0003;');
    const out = uioIrqLoop(s, 3, 12);
    expect(out).toEqual({ data: ['sample-0001;', 'sample-0002;', 'sample-0003;'], missed: 0 });
    expectClean(s, 3, out);
    expect(s.report().readValues, 'the interrupt count read() returned each round').toEqual([1, 2, 3]);
  });

  it('a slow device: read() really sleeps, and the interrupt wakes it', () => {
    const s = createSession();
    s.deviceDeliver('late but here', 1, { when: 'sleep' });
    s.deviceDeliver('and once more', 1, { when: 'sleep' });
    const out = uioIrqLoop(s, 2, 13);
    expect(out).toEqual({ data: ['late but here', 'and once more'], missed: 0 });
    expectClean(s, 2, out);
  });

  it("the buffer is not always at bus address 0x2000: the address comes from sysfs", () => {
    const s = createSession();
    // Process B takes a page first, so the DMA buffer allocated at open() lands elsewhere.
    s.bystander({ op: 'alloc', text: 'B: password=hunter2' });
    s.deviceDeliver('ADC:0123456789AB');
    const out = uioIrqLoop(s, 1, 16);
    expect(out).toEqual({ data: ['ADC:0123456789AB'], missed: 0 });
    expectClean(s, 1, out);
    expect(s.bystander({ op: 'read', page: 2 }), "process B's page").toBe('B: password=hunter2');
  });
});

describe('uioIrqLoop with a driver that keeps the line enabled (missed interrupts)', () => {
  it('a burst of 4 chunks before the reader runs: read() returns 4, so 3 interrupts were missed', () => {
    const s = createSession(KEEP_ENABLED);
    s.deviceDeliver('aaaabbbbccccdddd', 4);
    const out = uioIrqLoop(s, 1, 16);
    expect(out).toEqual({ data: ['aaaabbbbccccdddd'], missed: 3 });
    expectClean(s, 1, out);
  });

  it('missed interrupts add up across rounds', () => {
    const s = createSession(KEEP_ENABLED);
    s.deviceDeliver('frame-1;frame-2;frame-3;', 3);
    s.deviceDeliver('one-frame-in-one-chunk;;', 1);
    s.deviceDeliver('xxxxxxxxxxx;yyyyyyyyyyy;', 2);
    const out = uioIrqLoop(s, 3, 24);
    expect(out.data).toEqual(['frame-1;frame-2;frame-3;', 'one-frame-in-one-chunk;;', 'xxxxxxxxxxx;yyyyyyyyyyy;']);
    expect(out.missed).toBe(3);
    expectClean(s, 3, out);
  });

  it('one interrupt per transfer: nothing missed', () => {
    const s = createSession(KEEP_ENABLED);
    s.deviceDeliver('p1');
    s.deviceDeliver('p2');
    const out = uioIrqLoop(s, 2, 2);
    expect(out).toEqual({ data: ['p1', 'p2'], missed: 0 });
    expectClean(s, 2, out);
  });
});
