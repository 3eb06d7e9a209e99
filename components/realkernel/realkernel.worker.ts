/**
 * The in-page Linux machine's Worker: runs v86 (an x86 PC emulator) off the page's main
 * thread, so the page never freezes while Linux boots.
 *
 * It needs no network: the page fetches the images and v86's wasm and transfers them here
 * (the worker is served from /_astro/workers/ with a policy that forbids network requests).
 * Protocol (protocol in realkernel-protocol.ts):
 *   page -> worker  { type: 'boot', wasm, bios, bzimage, initrd, checks }
 *   worker -> page  { type: 'started', shim } then { type: 'serial', text } chunks (about
 *                   every 50 ms), { type: 'line', line } per complete line, and { type: 'error' }.
 * The page ends a run by terminating the worker (Cancel, timeout, or after `DPL done`).
 */
// Must come before v86: it decides how to schedule itself when its module is evaluated.
import './v86-scheduler-shim.ts';
import { V86 } from 'v86';
import type { FromVm, ToVm } from './realkernel-protocol.ts';
import { LineSplitter, MEMORY_BYTES, bootCmdline, installPciIntxShim } from './vm-core.ts';

const scope = self as unknown as { postMessage(m: FromVm): void; onmessage: ((ev: MessageEvent<ToVm>) => void) | null };
let booted = false;

// Errors v86 reports through rejected promises would otherwise vanish silently.
self.addEventListener('unhandledrejection', (ev) => {
  const r = (ev as PromiseRejectionEvent).reason;
  scope.postMessage({ type: 'error', message: r instanceof Error ? r.message : String(r) });
});

scope.onmessage = (ev) => {
  const m = ev.data;
  if (!m || m.type !== 'boot' || booted) return;
  booted = true;
  try {
    boot(m);
  } catch (e) {
    scope.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};

function boot(m: Extract<ToVm, { type: 'boot' }>) {
  const emulator = new V86({
    wasm_fn: async (env: WebAssembly.Imports) => (await WebAssembly.instantiate(m.wasm, env)).instance.exports,
    bios: { buffer: m.bios },
    bzimage: { buffer: m.bzimage },
    initrd: { buffer: m.initrd },
    cmdline: bootCmdline(m.checks),
    memory_size: MEMORY_BYTES,
    vga_memory_size: 2 * 1024 * 1024,
    acpi: false,
    autostart: true,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
  } as never);

  let text = '';
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (text) scope.postMessage({ type: 'serial', text });
    text = '';
  };
  const split = new LineSplitter();
  emulator.add_listener('emulator-started', () => {
    scope.postMessage({ type: 'started', shim: installPciIntxShim(emulator) });
  });
  emulator.add_listener('serial0-output-byte', (byte: number) => {
    text += String.fromCharCode(byte);
    timer ??= setTimeout(flush, 50);
    const line = split.push(byte);
    if (line !== null) {
      // Lines go after the text that contains them, so the terminal is never behind a result.
      flush();
      scope.postMessage({ type: 'line', line });
    }
  });
}
