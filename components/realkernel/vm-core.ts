/**
 * The in-page Linux 6.12 machine, without any DOM: boot settings for v86, the serial-line
 * parser, the RESULT-line parser and a small correction to v86's emulated NE2000 so that
 * uio_pci_generic can see its interrupts. Used by the Worker (realkernel.worker.ts), by the
 * Node runner (scripts/kernel-image/run-node.ts) and by unit tests.
 *
 * The images (public/realkernel/) are built by scripts/kernel-image/build.sh; /init inside
 * the initramfs (scripts/kernel-image/init.c) prints the `DPL ...` lines parsed here and the
 * check programs (kernel-checks/*.c) print one `RESULT ...` line each.
 */

/** Guest memory: v86 loads the initrd at the 64 MiB mark, so at least 66 MiB; 128 MiB is roomy. */
export const MEMORY_BYTES = 128 * 1024 * 1024;

/** Files the machine needs, served by the site under /realkernel/ (sizes in bytes, uncompressed). */
export const IMAGE_FILES = ['bios.bin', 'bzImage', 'initramfs.cpio'] as const;
export type ImageFile = (typeof IMAGE_FILES)[number];

/** Check names are file names in /checks: lower-case words joined by '-'. */
const CHECK_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The kernel command line. `checks` (names of programs in /checks, run in that order) is
 * passed as `dpl.checks=a,b` for /init; empty or absent runs every program.
 * Throws a RangeError for a name that is not a plain check name.
 */
export function bootCmdline(checks: readonly string[] = []): string {
  for (const c of checks) if (!CHECK_NAME.test(c)) throw new RangeError(`not a check name: ${JSON.stringify(c)}`);
  const base = 'console=ttyS0 tsc=reliable mitigations=off random.trust_cpu=on';
  return checks.length ? `${base} dpl.checks=${checks.join(',')}` : base;
}

/** A parsed `RESULT <name> ok|FAIL key=value ...` line. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** key=value pairs in order; values are strings as printed. */
  fields: Record<string, string>;
  line: string;
}

/**
 * Parses one line of serial output (without its line ending). Returns null when the line is
 * not a RESULT line. `ok`/`FAIL` is matched case-insensitively (programs print either case).
 */
export function parseResult(line: string): CheckResult | null {
  const m = /^RESULT ([a-z0-9-]+) (ok|fail)\b(.*)$/i.exec(line.trim());
  if (!m) return null;
  const fields: Record<string, string> = {};
  for (const tok of m[3].trim().split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) fields[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return { name: m[1], ok: m[2].toLowerCase() === 'ok', fields, line: line.trim() };
}

/** What /init reports: see scripts/kernel-image/init.c. */
export type InitEvent =
  | { type: 'init'; release: string }
  | { type: 'run'; name: string }
  | { type: 'exit'; name: string; status: string }
  | { type: 'done'; ran: number; failed: number };

/** Parses a `DPL ...` line of /init; null for any other line. */
export function parseInitLine(line: string): InitEvent | null {
  const t = line.trim();
  let m: RegExpExecArray | null;
  if ((m = /^DPL init (\S+)$/.exec(t))) return { type: 'init', release: m[1] };
  if ((m = /^DPL run (\S+)$/.exec(t))) return { type: 'run', name: m[1] };
  if ((m = /^DPL exit (\S+) (.+)$/.exec(t))) return { type: 'exit', name: m[1], status: m[2] };
  if ((m = /^DPL done ran=(\d+) failed=(\d+)$/.exec(t))) return { type: 'done', ran: Number(m[1]), failed: Number(m[2]) };
  return null;
}

/**
 * Splits the serial port's byte stream into lines. The 8250 console ends lines with "\r\n";
 * a lone "\r" is dropped. Bytes are Latin-1 (the kernel and the checks print ASCII).
 */
export class LineSplitter {
  private buf = '';
  /** Feeds one byte; returns the completed line (without ending) or null. */
  push(byte: number): string | null {
    if (byte === 0x0d) return null;
    if (byte === 0x0a) {
      const line = this.buf;
      this.buf = '';
      return line;
    }
    this.buf += String.fromCharCode(byte);
    // A runaway line (no newline for 4 KiB) is cut so memory stays bounded.
    if (this.buf.length >= 4096) {
      const line = this.buf;
      this.buf = '';
      return line;
    }
    return null;
  }
  /** The incomplete line so far. */
  get pending(): string {
    return this.buf;
  }
}

/** The NE2000's PCI device/function number in v86 (device 5, function 0). */
export const NE2K_PCI_ID = 0x05 << 3;
const PCI_COMMAND_INTX_DISABLE = 0x400;
const PCI_STATUS_INTERRUPT = 0x08;

/** The parts of v86's internal PCI object the shim touches (names from v86 0.5.462 src/pci.js). */
interface V86Pci {
  device_spaces: Int32Array[];
  raise_irq(pciId: number): void;
  lower_irq(pciId: number): void;
  pci_write8(address: number, value: number): void;
  pci_write16(address: number, value: number): void;
  pci_write32(address: number, value: number): void;
}

/**
 * Makes v86's emulated NE2000 behave like a PCI 2.3 device for INTx: it sets the Interrupt
 * Status bit (bit 3 of the status register) while its line is asserted and honours the
 * Interrupt Disable bit (bit 10 of the command register). v86 0.5.462 implements neither, and
 * uio_pci_generic's handler (drivers/uio/uio_pci_generic.c irqhandler ->
 * pci_check_and_mask_intx in drivers/pci/irq.c, Linux 6.12) only claims an interrupt when the
 * status bit is set, so without this the UIO count never moves.
 *
 * `emulator` is a started V86 instance (its `v86.cpu.devices.pci`). Returns false when the
 * internals are not where v86 0.5.462 keeps them (then nothing is changed).
 */
export function installPciIntxShim(emulator: unknown): boolean {
  const pci = (emulator as { v86?: { cpu?: { devices?: { pci?: V86Pci } } } })?.v86?.cpu?.devices?.pci;
  if (!pci || !Array.isArray(pci.device_spaces) || !pci.device_spaces[NE2K_PCI_ID]) return false;
  for (const f of ['raise_irq', 'lower_irq', 'pci_write8', 'pci_write16', 'pci_write32'] as const) {
    if (typeof pci[f] !== 'function') return false;
  }
  const space = pci.device_spaces[NE2K_PCI_ID];
  const raise = pci.raise_irq.bind(pci);
  const lower = pci.lower_irq.bind(pci);
  let pending = false; // the device asserts its interrupt
  let line = false; // what the interrupt controller sees
  const sync = () => {
    // space[1]: command (low 16 bits) and status (high 16 bits), little-endian.
    if (pending) space[1] |= PCI_STATUS_INTERRUPT << 16;
    else space[1] &= ~(PCI_STATUS_INTERRUPT << 16);
    const want = pending && (space[1] & PCI_COMMAND_INTX_DISABLE) === 0;
    if (want !== line) {
      line = want;
      if (want) raise(NE2K_PCI_ID);
      else lower(NE2K_PCI_ID);
    }
  };
  pci.raise_irq = (id: number) => {
    if (id !== NE2K_PCI_ID) return raise(id);
    pending = true;
    sync();
  };
  pci.lower_irq = (id: number) => {
    if (id !== NE2K_PCI_ID) return lower(id);
    pending = false;
    sync();
  };
  for (const f of ['pci_write8', 'pci_write16', 'pci_write32'] as const) {
    const orig = pci[f].bind(pci);
    pci[f] = (address: number, value: number) => {
      orig(address, value);
      if (((address >> 8) & 0xffff) === NE2K_PCI_ID) sync();
    };
  }
  return true;
}
