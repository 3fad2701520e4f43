import { tokenKernelsWasmBase64 } from './token-kernels-wasm';
import { webAssembly, type WasmMemory } from './webassembly-api';

/** The exports of token-kernels.wat; pointers are byte offsets into the instance's memory. */
export interface TokenKernelsExports {
  additive_mix(a: number, b: number, out: number, count: number, keep: number, take: number): void;
  interleave(a: number, b: number, out: number, rows: number, width: number): void;
}

let compiled: object | undefined;

/** The compiled token-kernel module (compiled once per process, synchronously: it is ~1 KB). */
function tokenKernelsModule(): object {
  compiled ??= new webAssembly.Module(Buffer.from(tokenKernelsWasmBase64, 'base64'));
  return compiled;
}

/** An instance of the token kernels working on `memory`. */
export function instantiateTokenKernels(memory: WasmMemory): TokenKernelsExports {
  return new webAssembly.Instance(tokenKernelsModule(), { env: { memory } }).exports as unknown as TokenKernelsExports;
}
