// d3-ease ships no types and @types/d3-ease is not installed: the one function used here.
declare module 'd3-ease' {
  export function easeCubicOut(t: number): number;
}
