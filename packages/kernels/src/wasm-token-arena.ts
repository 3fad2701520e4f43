import { InvalidArgumentError, type Tensor } from '@mmvp/core';
import { instantiateTokenKernels, type TokenKernelsExports } from './wasm/token-kernels-module';
import { webAssembly, type WasmMemory } from './wasm/webassembly-api';

// Pointers are i32 byte offsets; staying below 2 GiB keeps every `pointer + length` in range.
const maxCapacityBytes = 2 ** 31 - 2 ** 16;
const pageBytes = 65536;
const alignBytes = 64; // one cache line: vector loads never straddle two lines at a row's start

const arenas = new WeakMap<ArrayBufferLike, WasmTokenArena>(); // memory.buffer -> its arena

/**
 * Token buffers inside one WebAssembly memory, handed out as Float32Array views. When the inputs and
 * the output of a kernel all live in the same arena, the `wasm` backend runs the kernel on them
 * directly: no copy in or out (the fastest path; the README has the figures). Encoders and adapters
 * that can write into a caller's array (onnxruntime-node's pre-allocated outputs) write into
 * `allocate()`d tensors, and the mix reads them where they are.
 *
 * The memory has a fixed size, chosen at creation: growing a WebAssembly memory would detach every
 * view handed out so far. `reset()` makes the whole arena free again; views from before a reset then
 * alias new allocations, so drop them first.
 */
export class WasmTokenArena {
  /** The WebAssembly memory the views live in. */
  readonly memory: WasmMemory;
  /** Capacity in float32 values. */
  readonly capacity: number;
  /** @internal The kernels instantiated on this arena's memory. */
  readonly kernels: TokenKernelsExports;
  private next = 0;

  /** An arena with room for `capacity` float32 values (at most ~512 M, i.e. 2 GiB). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0 || capacity * 4 > maxCapacityBytes) {
      throw new InvalidArgumentError(`a wasm token arena needs a capacity of 1 to ${Math.floor(maxCapacityBytes / 4)} float32 values, got ${String(capacity)}`);
    }
    const pages = Math.ceil((capacity * 4) / pageBytes);
    this.memory = new webAssembly.Memory({ initial: pages, maximum: pages });
    this.capacity = (pages * pageBytes) / 4;
    this.kernels = instantiateTokenKernels(this.memory);
    arenas.set(this.memory.buffer, this);
  }

  /** Float32 values allocated since creation or the last reset (alignment padding included). */
  get used(): number {
    return this.next / 4;
  }

  /** A zero-filled-on-first-use tensor of `dims` inside the arena (64-byte aligned). */
  allocate(dims: readonly number[]): Tensor {
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new InvalidArgumentError(`arena tensor dims must be non-negative integers, got [${dims.join(', ')}]`);
    const length = dims.reduce((x, y) => x * y, 1);
    const offset = Math.ceil(this.next / alignBytes) * alignBytes;
    if (offset + length * 4 > this.capacity * 4) {
      throw new InvalidArgumentError(`the wasm token arena holds ${this.capacity} float32 values, ${this.next / 4} are in use; [${dims.join(', ')}] needs ${length} more: create a larger arena or reset() it`);
    }
    this.next = offset + length * 4;
    return { data: new Float32Array(this.memory.buffer, offset, length), dims: [...dims] };
  }

  /** True when `array` is a view into this arena's memory. */
  holds(array: Float32Array): boolean {
    return array.buffer === this.memory.buffer;
  }

  /** Frees every allocation at once (views handed out before must no longer be used). */
  reset(): void {
    this.next = 0;
  }
}

/** The arena whose memory `array` views, if any. */
export function wasmArenaOf(array: Float32Array): WasmTokenArena | undefined {
  return arenas.get(array.buffer);
}

/** Creates a token arena with room for `capacity` float32 values (e.g. 3 * B * N * D for a, b and the mix). */
export function createWasmTokenArena(capacity: number): WasmTokenArena {
  return new WasmTokenArena(capacity);
}
