import { describe, it, expect } from 'vitest';
import { receivePacket } from '@submission';
import { exploreEvictions, incomingByte, createDmaSession } from '@sims/dma';
import type { DmaSessionOptions, EvictionReport } from '@sims/dma';

/** The small configuration: 16-byte cache lines, 8 lines of RAM (0x00-0x7f). On 'swiotlb' the
 *  device reaches only 0x00-0x3f and bounces through a 32-byte pool at 0x20-0x3f. */
const ARM64: DmaSessionOptions = { platform: 'noncoherent-arm' };
const ARM926: DmaSessionOptions = { platform: 'noncoherent-arm', arch: 'arm926' };
const SWIOTLB: DmaSessionOptions = { platform: 'swiotlb' };
const X86: DmaSessionOptions = { platform: 'coherent-x86' };

const hex = (n: number) => `0x${n.toString(16)}`;
const expected = (len: number, incoming?: number[]) => (incoming ? incoming.slice(0, len) : Array.from({ length: len }, (_, i) => incomingByte(i)));

/** Runs the routine under every device interleaving and cache eviction order. */
function explore(opts: DmaSessionOptions, buf: number, len: number): EvictionReport<number[] | null> {
  return exploreEvictions(opts, (k) => receivePacket(k, buf, len));
}

/** The checker is silent, every schedule reads the right data, and the routine returned the packet. */
function expectReceived(r: EvictionReport<number[] | null>, buf: number, len: number, incoming?: number[]) {
  const findings = r.recordedFindings.map((f) => `${f.call}: ${f.message}`);
  expect(findings, 'the DMA-API checker (dma-debug) reported').toEqual([]);
  const reads = r.program.filter((op) => op.op === 'read');
  expect(reads, `the CPU should read the buffer once with readBuffer(${hex(buf)}, ${len})`).toEqual([{ op: 'read', addr: buf, len }]);
  expect(r.returned, 'receivePacket should return the bytes it read, here the packet the device received').toEqual(expected(len, incoming));
  expect(r.verdict, r.counterexample ? `some eviction order breaks it: ${r.counterexample.description}` : `exploration: ${r.reason ?? ''}`).toBe('proved');
}

describe('receivePacket on non-coherent arm64 (cache lines evicted and speculatively filled in every order)', () => {
  it('a 32-byte buffer at 0x40 (two whole cache lines)', () => {
    expectReceived(explore(ARM64, 0x40, 32), 0x40, 32);
  });

  it('a 16-byte buffer at 0x50 and a 48-byte buffer at 0x40', () => {
    expectReceived(explore(ARM64, 0x50, 16), 0x50, 16);
    expectReceived(explore(ARM64, 0x40, 48), 0x40, 48);
  });

  it('returns what the device received, whatever the bytes are', () => {
    const incoming = [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7, 0x55, 0xaa, 0x55, 0xaa, 1, 2, 3, 4];
    expectReceived(exploreEvictions({ ...ARM64, incoming }, (k) => receivePacket(k, 0x60, 16)), 0x60, 16, incoming);
  });
});

describe('receivePacket with swiotlb (the device reaches only low memory; the buffer bounces)', () => {
  it('a 32-byte buffer at 0x40: the device writes the bounce slot, the sync copies it back', () => {
    const r = explore(SWIOTLB, 0x40, 32);
    const start = r.program.find((op) => op.op === 'start_device');
    expect(start && start.op === 'start_device' ? start.segs[0].addr : null, 'the device must be started on the handle dma_map_single returned (a bounce slot below 0x40), not on the CPU address').toBeLessThan(0x40);
    expectReceived(r, 0x40, 32);
  });

  it('a 16-byte buffer at 0x70', () => {
    expectReceived(explore(SWIOTLB, 0x70, 16), 0x70, 16);
  });

  it('a 48-byte buffer does not fit the 32-byte bounce pool: the map fails, and the routine returns null without starting the device', () => {
    const r = explore(SWIOTLB, 0x40, 48);
    expect(r.returned, 'receivePacket should return null when dma_mapping_error says the map failed').toBeNull();
    expect(r.program.some((op) => op.op === 'start_device'), 'the device was started on a failed mapping').toBe(false);
    expect(r.program.some((op) => op.op === 'dma_mapping_error'), 'the handle should be checked with dma_mapping_error').toBe(true);
    expect(r.recordedFindings.map((f) => `${f.call}: ${f.message}`), 'the DMA-API checker (dma-debug) reported').toEqual([]);
  });
});

describe('receivePacket on the machines where the bug hides', () => {
  it('coherent x86: still right, and the checker is still silent', () => {
    expectReceived(explore(X86, 0x40, 32), 0x40, 32);
  });

  it("the original question's ARM926 (AT91SAM9263): right too", () => {
    expectReceived(explore(ARM926, 0x40, 32), 0x40, 32);
  });
});

describe('receivePacket leaves the driver tidy', () => {
  it('every mapping is unmapped with its own handle, size and direction (dma-debug checks at unbind)', () => {
    const k = createDmaSession(ARM64);
    receivePacket(k, 0x40, 32);
    const leaks = k.teardown().map((f) => `${f.call}: ${f.message}`);
    expect(leaks, 'DMA-API checker after the driver was unbound').toEqual([]);
    expect(k.program.filter((op) => op.op === 'dma_map_single').length, 'one dma_map_single per packet').toBe(1);
  });
});
