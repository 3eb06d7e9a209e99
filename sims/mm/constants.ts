/**
 * Constants of the mm model, with the kernel's names and values (Linux 6.12).
 */

/** `GUP_PIN_COUNTING_BIAS` (include/linux/mm.h): what one FOLL_PIN pin adds to an order-0 page's `_refcount`. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/** `FOLL_WRITE` (include/linux/mm_types.h): the pages will be written to (the device writes into them). */
export const FOLL_WRITE = 1 << 0;
/** `FOLL_GET`: take a plain reference; set internally by get_user_pages*() (mutually exclusive with FOLL_PIN). */
export const FOLL_GET = 1 << 1;
/** `FOLL_FORCE`: ptrace-style access that ignores VMA write permission (not modelled: rejected as invalid). */
export const FOLL_FORCE = 1 << 3;
/** `FOLL_LONGTERM`: the pin may be held indefinitely; requires FOLL_PIN; pages leave ZONE_MOVABLE/CMA first. */
export const FOLL_LONGTERM = 1 << 8;
/** `FOLL_PIN` (mm/internal.h): internal; set by pin_user_pages*(); passing it yourself is a WARN. */
export const FOLL_PIN = 1 << 19;

/** Flags a caller may pass in this model. */
export const CALLER_FLAGS = FOLL_WRITE | FOLL_LONGTERM;

/** errno values (include/uapi/asm-generic/errno-base.h). Return values are their negatives. */
export const EFAULT = 14;
export const ENOMEM = 12;
export const EINVAL = 22;
export const EAGAIN = 11;

/** `FOLL_WRITE|FOLL_LONGTERM`-style text for a flags value. */
export function follFlagsText(flags: number): string {
  const names: string[] = [];
  if (flags & FOLL_WRITE) names.push('FOLL_WRITE');
  if (flags & FOLL_GET) names.push('FOLL_GET');
  if (flags & FOLL_FORCE) names.push('FOLL_FORCE');
  if (flags & FOLL_LONGTERM) names.push('FOLL_LONGTERM');
  if (flags & FOLL_PIN) names.push('FOLL_PIN');
  const rest = flags & ~(FOLL_WRITE | FOLL_GET | FOLL_FORCE | FOLL_LONGTERM | FOLL_PIN);
  if (rest) names.push('0x' + rest.toString(16));
  return names.length ? names.join('|') : '0';
}

/** `-EFAULT`-style text for a negative errno, or the number. */
export function retText(ret: number): string {
  switch (ret) {
    case -EFAULT:
      return '-EFAULT';
    case -ENOMEM:
      return '-ENOMEM';
    case -EINVAL:
      return '-EINVAL';
    case -EAGAIN:
      return '-EAGAIN';
    default:
      return String(ret);
  }
}
