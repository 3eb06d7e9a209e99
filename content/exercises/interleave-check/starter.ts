/**
 * Is `stream` exactly the writes' accepted bytes (the first `returned` bytes of each write),
 * each write's part contiguous and each writer's parts in order? If not, return the offset
 * of the first byte where that fails (stream.length if the stream ends too early).
 */
export function findInterleaving(
  stream: Uint8Array,
  writes: { writer: number; data: Uint8Array; returned: number }[],
): { ok: true } | { ok: false; offset: number } {
  throw new Error('not implemented');
}
