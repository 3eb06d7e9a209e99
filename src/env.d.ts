/// <reference types="astro/client" />

// Exercise tests import the learner's code as `@submission`: the grader and `npm run grade`
// resolve it to the submission under test (components/grader/, scripts/grade.ts). For the type
// check it is any module.
declare module '@submission';

// `.astro` components imported from `.ts` files (components/widgets/index.ts). Astro's own
// checker (`astro check`) types them fully; for `tsc` they are components taking any props.
declare module '*.astro' {
  const Component: (props: Record<string, unknown>) => unknown;
  export default Component;
}
