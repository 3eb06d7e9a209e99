/**
 * A seeded pseudo-random generator (mulberry32) whose whole state is one 32-bit integer,
 * so it can live inside an immutable simulation state.
 */

/** Returns `[value in [0, 1), nextState]` for the 32-bit generator state `s`. */
export function nextRandom(s: number): [number, number] {
  const next = (s + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, next];
}

/** Returns `[integer in [0, n), nextState]`; `n` must be a positive integer. */
export function nextInt(s: number, n: number): [number, number] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`nextInt: n must be a positive integer, got ${n}`);
  const [r, next] = nextRandom(s);
  return [Math.floor(r * n), next];
}

/** Normalises any number to a 32-bit seed. */
export function seedFrom(seed: number): number {
  return (Math.trunc(seed) ^ 0x9e3779b9) | 0;
}
