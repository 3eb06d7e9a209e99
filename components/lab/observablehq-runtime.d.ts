// Minimal declarations of the parts of @observablehq/runtime the Lab uses (the package ships none).
declare module '@observablehq/runtime' {
  export class Runtime {
    constructor(builtins?: Record<string, unknown>, global?: (name: string) => unknown);
    module(): { variable(observer?: unknown): unknown };
    dispose(): void;
  }
}
