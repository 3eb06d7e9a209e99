/** The DOM-free parts of the in-page Linux machine (components/realkernel/vm-core.ts, panel-main.ts helpers). */
import { describe, expect, it } from 'vitest';
import { LineSplitter, NE2K_PCI_ID, bootCmdline, installPciIntxShim, parseInitLine, parseResult } from '../../components/realkernel/vm-core.ts';
import { fillTemplate, unsupportedReason } from '../../components/realkernel/panel-main.ts';

describe('bootCmdline', () => {
  it('sends the console to ttyS0 and lists the checks for /init', () => {
    expect(bootCmdline()).toBe('console=ttyS0 tsc=reliable mitigations=off random.trust_cpu=on');
    expect(bootCmdline(['pty-blocking-writers', 'pipe-small-atomic'])).toMatch(/ dpl\.checks=pty-blocking-writers,pipe-small-atomic$/);
  });
  it('refuses names that could smuggle other kernel parameters', () => {
    expect(() => bootCmdline(['a init=/bin/sh'])).toThrow(RangeError);
    expect(() => bootCmdline(['../x'])).toThrow(RangeError);
    expect(() => bootCmdline([''])).toThrow(RangeError);
  });
});

describe('parseResult', () => {
  it('reads name, verdict and key=value fields', () => {
    const r = parseResult('RESULT pty-nonblock-partial ok size=1048576 first=11776 then=EAGAIN switches=2\r');
    expect(r).toEqual({
      name: 'pty-nonblock-partial',
      ok: true,
      fields: { size: '1048576', first: '11776', then: 'EAGAIN', switches: '2' },
      line: 'RESULT pty-nonblock-partial ok size=1048576 first=11776 then=EAGAIN switches=2',
    });
  });
  it('accepts FAIL and fail', () => {
    expect(parseResult('RESULT x FAIL error=EIO')?.ok).toBe(false);
    expect(parseResult('RESULT lowest-fd fail a=1')?.ok).toBe(false);
  });
  it('ignores other lines', () => {
    expect(parseResult('[    0.000000] Linux version 6.12.118')).toBeNull();
    expect(parseResult('RESULTS x ok')).toBeNull();
    expect(parseResult('RESULT x maybe')).toBeNull();
  });
});

describe('parseInitLine', () => {
  it('reads the lines of /init', () => {
    expect(parseInitLine('DPL init 6.12.118')).toEqual({ type: 'init', release: '6.12.118' });
    expect(parseInitLine('DPL run pty-signal-partial')).toEqual({ type: 'run', name: 'pty-signal-partial' });
    expect(parseInitLine('DPL exit uio-pci-generic signal 14')).toEqual({ type: 'exit', name: 'uio-pci-generic', status: 'signal 14' });
    expect(parseInitLine('DPL done ran=6 failed=0')).toEqual({ type: 'done', ran: 6, failed: 0 });
    expect(parseInitLine('DPL done ran=x')).toBeNull();
  });
});

describe('LineSplitter', () => {
  it('splits "\\r\\n" lines and keeps the rest pending', () => {
    const s = new LineSplitter();
    const out: string[] = [];
    for (const b of Buffer.from('ab\r\ncd\r\ne')) {
      const l = s.push(b);
      if (l !== null) out.push(l);
    }
    expect(out).toEqual(['ab', 'cd']);
    expect(s.pending).toBe('e');
  });
  it('cuts a line that never ends at 4 KiB', () => {
    const s = new LineSplitter();
    let cut: string | null = null;
    for (let i = 0; i < 5000 && cut === null; i++) cut = s.push(0x41);
    expect(cut).toHaveLength(4096);
  });
});

describe('fillTemplate', () => {
  it('fills {key} from the RESULT fields and marks missing ones', () => {
    const r = parseResult('RESULT p ok switches=1,1,1')!;
    expect(fillTemplate('switches: {switches}; x: {x}', r)).toBe('switches: 1,1,1; x: ?');
  });
});

describe('unsupportedReason', () => {
  it('is null where WebAssembly, Worker and fetch streams exist', () => {
    expect(unsupportedReason({ WebAssembly: {}, Worker: function () {}, fetch: () => 0, ReadableStream: function () {} } as never)).toBeNull();
  });
  it('names what is missing', () => {
    expect(unsupportedReason({ Worker: function () {} } as never)).toMatch(/WebAssembly/);
    expect(unsupportedReason({ WebAssembly: {} } as never)).toMatch(/Web Workers/);
  });
});

/** A stand-in for v86's PCI object: config space per device and an IRQ line log. */
function fakePci() {
  const space = new Int32Array(64);
  space[1] = 0x0103; // command: I/O + memory + SERR, status 0 (as v86's NE2000 starts)
  const log: string[] = [];
  const pci = {
    device_spaces: [] as Int32Array[],
    raise_irq: (id: number) => log.push(`raise ${id}`),
    lower_irq: (id: number) => log.push(`lower ${id}`),
    pci_write8: (_a: number, _v: number) => {},
    pci_write16(address: number, value: number) {
      const bdf = (address >> 8) & 0xffff;
      new Uint16Array(this.device_spaces[bdf].buffer)[(address & 0xff) >>> 1] = value;
    },
    pci_write32: (_a: number, _v: number) => {},
  };
  pci.device_spaces[NE2K_PCI_ID] = space;
  return { emulator: { v86: { cpu: { devices: { pci } } } }, pci, space, log };
}

describe('installPciIntxShim (PCI 2.3 INTx for v86 NE2000)', () => {
  it('sets the Interrupt Status bit while the device asserts and clears it after', () => {
    const { emulator, pci, space, log } = fakePci();
    expect(installPciIntxShim(emulator)).toBe(true);
    pci.raise_irq(NE2K_PCI_ID);
    expect((space[1] >>> 16) & 0x08).toBe(0x08);
    expect(log).toEqual([`raise ${NE2K_PCI_ID}`]);
    pci.lower_irq(NE2K_PCI_ID);
    expect((space[1] >>> 16) & 0x08).toBe(0);
    expect(log).toEqual([`raise ${NE2K_PCI_ID}`, `lower ${NE2K_PCI_ID}`]);
  });
  it('holds the line low while Interrupt Disable is set and raises it when cleared', () => {
    const { emulator, pci, space, log } = fakePci();
    installPciIntxShim(emulator);
    pci.raise_irq(NE2K_PCI_ID);
    pci.pci_write16((NE2K_PCI_ID << 8) | 0x04, 0x0103 | 0x400); // the kernel masks INTx
    expect(log.at(-1)).toBe(`lower ${NE2K_PCI_ID}`);
    expect((space[1] >>> 16) & 0x08).toBe(0x08); // still pending at the device
    pci.pci_write16((NE2K_PCI_ID << 8) | 0x04, 0x0103); // user space unmasks: pending again
    expect(log.at(-1)).toBe(`raise ${NE2K_PCI_ID}`);
  });
  it('passes other devices through and refuses an unknown emulator shape', () => {
    const { emulator, pci, log } = fakePci();
    installPciIntxShim(emulator);
    pci.raise_irq(0x08);
    expect(log).toEqual(['raise 8']);
    expect(installPciIntxShim({})).toBe(false);
    expect(installPciIntxShim({ v86: { cpu: { devices: { pci: { device_spaces: [] } } } } })).toBe(false);
  });
});
