/**
 * Checks that `stream` is exactly the writes' accepted bytes, each write's part contiguous,
 * each writer's parts in that writer's order. When it isn't, returns the offset of the first
 * byte where the check fails, or stream.length if the stream ends too early.
 */
export function findInterleaving(
  stream: Uint8Array,
  writes: { writer: number; data: Uint8Array; returned: number }[],
): { ok: true } | { ok: false; offset: number } {
  // 1. Each writer's queue of non-empty parts, in the order the writer issued them, plus a
  //    map from byte value to writer. No byte value appears in two writers' data.
  const queues = new Map<number, Uint8Array[]>();
  const owner = new Map<number, number>();
  for (const w of writes) {
    if (!queues.has(w.writer)) queues.set(w.writer, []);
    for (const b of w.data) owner.set(b, w.writer);
    // Only the first `returned` bytes reached the tty. A negative return wrote nothing.
    // Clamp it: data.subarray(0, -4) would mean "all but the last 4".
    const n = Math.max(0, Math.min(w.returned, w.data.length));
    if (n > 0) queues.get(w.writer)!.push(w.data.subarray(0, n));
  }
  const next = new Map<number, number>(); // index of each writer's next pending part
  for (const writer of queues.keys()) next.set(writer, 0);

  // 2. Walk the stream one part at a time.
  let offset = 0;
  while (offset < stream.length) {
    // At a part boundary, the byte here names the writer. Only that writer's next
    // pending part may start here.
    const writer = owner.get(stream[offset]);
    if (writer === undefined) return { ok: false, offset }; // nobody wrote this byte
    const queue = queues.get(writer)!;
    const k = next.get(writer)!;
    if (k >= queue.length) return { ok: false, offset }; // that writer has nothing left
    const part = queue[k];
    next.set(writer, k + 1);

    // Inside the part, every byte must match, in order, with nothing in between.
    for (let i = 0; i < part.length; i++) {
      if (offset + i >= stream.length) return { ok: false, offset: stream.length }; // ended mid-part
      if (stream[offset + i] !== part[i]) return { ok: false, offset: offset + i };
    }
    offset += part.length;
  }

  // 3. The stream ended at a boundary. Every part must have arrived.
  for (const [writer, queue] of queues) {
    if (next.get(writer)! < queue.length) return { ok: false, offset: stream.length };
  }
  return { ok: true };
}
