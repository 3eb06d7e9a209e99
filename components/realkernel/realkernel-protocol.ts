/** Messages between the page and the in-page Linux Worker (realkernel.worker.ts). */

/** Page -> worker. Buffers are transferred, not copied. */
export type ToVm = {
  type: 'boot';
  /** v86.wasm from the npm package v86. */
  wasm: ArrayBuffer;
  /** SeaBIOS, bzImage and the initramfs from /realkernel/. */
  bios: ArrayBuffer;
  bzimage: ArrayBuffer;
  initrd: ArrayBuffer;
  /** Programs in /checks to run, in order (empty: all). */
  checks: string[];
};

/** Worker -> page. */
export type FromVm =
  | { type: 'started'; /** whether the PCI INTx correction for the NE2000 is installed */ shim: boolean }
  | { type: 'serial'; /** serial console bytes as Latin-1 text, in order */ text: string }
  | { type: 'line'; /** one complete console line, without "\r\n" */ line: string }
  | { type: 'error'; message: string };
