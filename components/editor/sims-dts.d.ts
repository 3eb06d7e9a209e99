/** `virtual:sims-dts`: the `.d.ts` files of the `@sims/*` modules, generated at build time by scripts/sims-dts.mjs. */
declare module 'virtual:sims-dts' {
  const files: { path: string; content: string }[];
  export default files;
}
