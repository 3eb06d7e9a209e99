/**
 * Small words every model and widget shares, written once: hex addresses, counted nouns and
 * exhaustive switches. Pure, no DOM.
 */

/** `0x1a3234`: a non-negative number or BigInt in the kernel's lower-case hex (`%#lx`). */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** `1 page`, `3 pages`, `2 entries` (`many` defaults to `one` + `s`). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Exhaustiveness check of a `switch` over a union: the compiler proves the default is never
 * reached; at run time (a message from an older worker, a tampered value) it throws `Error`
 * naming `what` and the value.
 */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
