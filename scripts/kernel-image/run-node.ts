/**
 * Boots the in-page Linux 6.12 image under Node (v86 from node_modules, the images from
 * public/realkernel/) and prints its serial console; exits 0 when /init reports every check
 * passed, 1 otherwise, 2 on a timeout.
 *
 *   npx node scripts/kernel-image/run-node.ts                       # every check
 *   npx node scripts/kernel-image/run-node.ts pty-blocking-writers  # only these
 *   TIMEOUT_S=300 npx node scripts/kernel-image/run-node.ts
 *
 * Prints "# first serial byte after N ms", "# first RESULT after N ms" and "# done after N ms".
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { V86 } from 'v86';
import { LineSplitter, MEMORY_BYTES, bootCmdline, installPciIntxShim, parseInitLine, parseResult } from '../../components/realkernel/vm-core.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const img = (f: string) => {
  const b = readFileSync(path.join(root, 'public/realkernel', f));
  return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
};
const wasm = readFileSync(path.join(root, 'node_modules/v86/build/v86.wasm'));
const checks = process.argv.slice(2);
const timeoutS = Number(process.env.TIMEOUT_S ?? 180);
const t0 = Date.now();

const emulator = new V86({
  wasm_fn: async (env: WebAssembly.Imports) => (await WebAssembly.instantiate(wasm, env)).instance.exports,
  bios: img('bios.bin'),
  bzimage: img('bzImage'),
  initrd: img('initramfs.cpio'),
  cmdline: bootCmdline(checks),
  memory_size: MEMORY_BYTES,
  vga_memory_size: 2 * 1024 * 1024,
  acpi: false,
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
} as never);

let shimmed = false;
let first = true;
let firstResult = 0;
const split = new LineSplitter();
const finish = async (code: number) => {
  clearTimeout(timer);
  await emulator.destroy();
  process.exit(code);
};
emulator.add_listener('emulator-started', () => {
  shimmed = installPciIntxShim(emulator);
  if (!shimmed) console.log('# warning: PCI INTx shim not installed');
});
emulator.add_listener('serial0-output-byte', (byte: number) => {
  if (first) {
    first = false;
    console.log(`# first serial byte after ${Date.now() - t0} ms`);
  }
  const line = split.push(byte);
  if (line === null) return;
  console.log(line);
  if (parseResult(line) && !firstResult) {
    firstResult = Date.now() - t0;
    console.log(`# first RESULT after ${firstResult} ms`);
  }
  const ev = parseInitLine(line);
  if (ev?.type === 'done') {
    console.log(`# done after ${Date.now() - t0} ms`);
    void finish(ev.failed === 0 ? 0 : 1);
  }
});
const timer = setTimeout(() => {
  console.log(`# timeout after ${timeoutS} s; pending output: ${JSON.stringify(split.pending)}`);
  void finish(2);
}, timeoutS * 1000);
