// The project's TypeScript libs (ES2022 + @types/node 20) do not declare the WebAssembly JS API,
// so this file types the small part of it the kernels use; the value is Node's global.

/** A WebAssembly linear memory (the part of `WebAssembly.Memory` used here). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}

/** Node's global `WebAssembly`, typed by the interfaces above. */
export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
