// Mistake: at a part boundary it takes whichever of the writer's pending parts matches the stream there, so a writer's writes are accepted out of order.
export function findInterleaving(
  stream: Uint8Array,
  writes: { writer: number; data: Uint8Array; returned: number }[],
): { ok: true } | { ok: false; offset: number } {
  const pending = new Map<number, Uint8Array[]>();
  const owner = new Map<number, number>();
  for (const w of writes) {
    if (!pending.has(w.writer)) pending.set(w.writer, []);
    for (const b of w.data) owner.set(b, w.writer);
    const n = Math.max(0, Math.min(w.returned, w.data.length));
    if (n > 0) pending.get(w.writer)!.push(w.data.subarray(0, n));
  }

  let offset = 0;
  while (offset < stream.length) {
    const writer = owner.get(stream[offset]);
    if (writer === undefined) return { ok: false, offset };
    const parts = pending.get(writer)!;
    if (parts.length === 0) return { ok: false, offset };
    // Prefer any pending part that starts with this byte; fall back to the first one.
    let k = parts.findIndex((p) => p[0] === stream[offset]);
    if (k < 0) k = 0;
    const [part] = parts.splice(k, 1);
    for (let i = 0; i < part.length; i++) {
      if (offset + i >= stream.length) return { ok: false, offset: stream.length };
      if (stream[offset + i] !== part[i]) return { ok: false, offset: offset + i };
    }
    offset += part.length;
  }
  for (const parts of pending.values()) {
    if (parts.length > 0) return { ok: false, offset: stream.length };
  }
  return { ok: true };
}
