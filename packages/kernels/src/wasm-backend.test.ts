import { describe, expect, it } from 'vitest';
import type { Tensor } from '@mmvp/core';
import { createJsBackend, createWasmBackend, createWasmTokenArena, interleaveJs, wasmArenaOf } from './index';

function randomData(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = (state / 2 ** 32) * 8 - 4;
  }
  return data;
}

/**
 * PyTorch float32 `(1 - r) * a + r * b`, written out with float32 storage at every step (the scalar
 * 1 - r is rounded to float32 first, as torch does for a float32 tensor times a Python float; the
 * two products and the sum are separate float32 operations, never fused).
 */
function float32Reference(a: Float32Array, b: Float32Array, ratio: number): Float32Array {
  const out = new Float32Array(a.length);
  const step = new Float32Array(5);
  step[0] = 1 - ratio; // keep
  step[1] = ratio; // take
  for (let i = 0; i < a.length; i++) {
    step[2] = step[0]! * a[i]!;
    step[3] = step[1]! * b[i]!;
    step[4] = step[2]! + step[3]!;
    out[i] = step[4]!;
  }
  return out;
}

function firstDifference(x: Float32Array, y: Float32Array): number {
  return x.findIndex((v, i) => !Object.is(v, y[i]));
}

// Special values: signed zeros, subnormals (wasm never flushes them), infinities, NaN, extremes.
const special = Float32Array.from([0, -0, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, Infinity, -Infinity, NaN, 1, -1, 0.1, 1 / 3]);

describe('wasm backend', () => {
  const ratios = [0, 0.25, 0.3, 0.5, 0.625, 0.75, 0.875, 1, 1 / 3];

  it('mixes bit-identically to the float32 reference, staged in chunks (lengths that leave a tail, more than one chunk)', async () => {
    const wasm = createWasmBackend();
    for (const length of [1, 15, 16, 17, 3 * 16384 + 13]) {
      const a = randomData(length, length);
      const b = randomData(length, length + 1);
      a.set(special.subarray(0, Math.min(length, special.length)));
      b.set(special.slice().reverse().subarray(0, Math.min(length, special.length)));
      for (const ratio of ratios) {
        const mixed = await wasm.additiveMix({ data: a, dims: [1, length, 1] }, { data: b, dims: [1, length, 1] }, ratio);
        expect(firstDifference(mixed.data, float32Reference(a, b, ratio)), `length ${length} r=${ratio}`).toBe(-1);
      }
    }
  });

  it('mixes in place on arena tensors, bit-identical to the staged path and to js', async () => {
    const dims = [2, 37, 19];
    const count = 2 * 37 * 19;
    const arena = createWasmTokenArena(3 * count + 64);
    const a = arena.allocate(dims);
    const b = arena.allocate(dims);
    const out = arena.allocate(dims);
    a.data.set(randomData(count, 7));
    b.data.set(randomData(count, 8));
    a.data.set(special);
    const wasm = createWasmBackend();
    const js = createJsBackend();
    for (const ratio of ratios) {
      const mixed = await wasm.additiveMix(a, b, ratio, out.data);
      expect(mixed.data).toBe(out.data); // written where it was asked, inside the arena
      expect(wasmArenaOf(mixed.data)).toBe(arena);
      expect(firstDifference(mixed.data, float32Reference(a.data, b.data, ratio)), `r=${ratio}`).toBe(-1);
      const plain = { data: a.data.slice(), dims };
      expect(firstDifference((await js.additiveMix(plain, { data: b.data.slice(), dims }, ratio)).data, mixed.data)).toBe(-1);
    }
  });

  it('mixes over its first input (out = a) in an arena and from host arrays, bit-identical to the reference', async () => {
    const dims = [1, 40000, 1]; // more than two staging chunks, and a tail
    const arena = createWasmTokenArena(2 * 40000 + 64);
    const a = arena.allocate(dims);
    const b = arena.allocate(dims);
    a.data.set(randomData(40000, 21));
    b.data.set(randomData(40000, 22));
    const expected = float32Reference(a.data, b.data, 0.3);
    const hostA = { data: a.data.slice(), dims };
    const hostB = { data: b.data.slice(), dims };
    const wasm = createWasmBackend();
    expect(firstDifference((await wasm.additiveMix(a, b, 0.3, a.data)).data, expected)).toBe(-1);
    expect(firstDifference((await wasm.additiveMix(hostA, hostB, 0.3, hostA.data)).data, expected)).toBe(-1);
  });

  it('interleaves with memory.copy on arena tensors and with row copies otherwise, both equal to js', async () => {
    const dims = [3, 5, 7];
    const count = 3 * 5 * 7;
    const arena = createWasmTokenArena(4 * count + 64);
    const a = arena.allocate(dims);
    const b = arena.allocate(dims);
    const out = arena.allocate([3, 10, 7]);
    a.data.set(randomData(count, 1));
    b.data.set(randomData(count, 2));
    const expected = interleaveJs({ data: a.data.slice(), dims }, { data: b.data.slice(), dims });
    const wasm = createWasmBackend();
    const inArena = await wasm.interleave(a, b, out.data);
    expect(inArena.data).toBe(out.data);
    expect(inArena.dims).toEqual([3, 10, 7]);
    expect(firstDifference(inArena.data, expected.data)).toBe(-1);
    // Hand-checked order on the first item: row 0 = a token 0, row 1 = b token 0, row 2 = a token 1.
    expect(Array.from(inArena.data.subarray(0, 7))).toEqual(Array.from(a.data.subarray(0, 7)));
    expect(Array.from(inArena.data.subarray(7, 14))).toEqual(Array.from(b.data.subarray(0, 7)));
    expect(Array.from(inArena.data.subarray(14, 21))).toEqual(Array.from(a.data.subarray(7, 14)));
    const outside: Tensor = await wasm.interleave({ data: a.data.slice(), dims }, { data: b.data.slice(), dims });
    expect(firstDifference(outside.data, expected.data)).toBe(-1);
  });

  it('reuses a caller-provided output across calls and gives what a fresh output gives', async () => {
    const dims = [2, 9, 33];
    const a = { data: randomData(2 * 9 * 33, 3), dims };
    const b = { data: randomData(2 * 9 * 33, 4), dims };
    const wasm = createWasmBackend();
    const reused = new Float32Array(2 * 9 * 33);
    for (const ratio of [0.25, 0.75]) {
      const into = await wasm.additiveMix(a, b, ratio, reused);
      expect(into.data).toBe(reused);
      expect(firstDifference(into.data, (await wasm.additiveMix(a, b, ratio)).data)).toBe(-1);
    }
    await expect(wasm.additiveMix(a, b, 0.5, new Float32Array(3))).rejects.toThrow(/output array has 3 values but the result needs 594/);
  });
});

describe('WasmTokenArena', () => {
  it('hands out aligned views, refuses what does not fit with a clear error, and starts over on reset', () => {
    const arena = createWasmTokenArena(16384); // one 64 KiB page
    expect(arena.capacity).toBe(16384);
    const first = arena.allocate([1, 3, 5]);
    const second = arena.allocate([2, 2]);
    expect(first.data.byteOffset).toBe(0);
    expect(second.data.byteOffset).toBe(64); // 15 floats = 60 bytes, rounded up to the 64-byte line
    expect(arena.holds(second.data)).toBe(true);
    expect(arena.holds(new Float32Array(4))).toBe(false);
    expect(wasmArenaOf(new Float32Array(4))).toBeUndefined();
    expect(() => arena.allocate([1, 16384])).toThrow(/holds 16384 float32 values, 20 are in use; \[1, 16384\] needs 16384 more: create a larger arena or reset\(\) it/);
    arena.reset();
    expect(arena.allocate([1, 16384]).data.byteOffset).toBe(0);
    expect(() => createWasmTokenArena(0)).toThrow(/capacity of 1 to \d+ float32 values, got 0/);
  });
});
