/** Ids unique within a build, for server-rendered aria-labelledby pairs. */
let next = 0;

/** `tty-kernel-blocking-3`: a readable prefix and a counter. */
export function uniqueId(prefix: string): string {
  next += 1;
  return `${prefix.replace(/[^a-zA-Z0-9_-]/g, '-')}-${next}`;
}
