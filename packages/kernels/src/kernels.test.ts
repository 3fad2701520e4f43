import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NoSuchComponentError, ShapeMismatchError, type Tensor } from '@mmvp/core';
import { KernelBackendRegistry, additiveMixJs, createGpuJsBackend, interleaveJs, createJsBackend, createKernelRegistry, createOrtBackend, createWasmBackend, interleave, type KernelBackend } from './index';

function randomTensor(dims: number[], seed: number): Tensor {
  let state = seed >>> 0;
  const data = new Float32Array(dims.reduce((x, y) => x * y, 1));
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = (state / 2 ** 32) * 8 - 4;
  }
  return { data, dims };
}

const backends: [string, () => Promise<KernelBackend>][] = [
  ['js', async () => createJsBackend()],
  ['wasm', async () => createWasmBackend()],
  ['gpujs', () => createGpuJsBackend()],
  ['ort', () => createOrtBackend({ executionProvider: 'cpu' })],
];

describe('interleave', () => {
  it('orders rows c0, d0, c1, d1 on a hand-made input, on every backend', async () => {
    // a = CLIP tokens, b = DINOv2 tokens: [B=2, N=3, H=2]; values name (batch, source, token).
    const a: Tensor = { data: Float32Array.from([100, 101, 110, 111, 120, 121, 200, 201, 210, 211, 220, 221]), dims: [2, 3, 2] };
    const b: Tensor = { data: Float32Array.from([-100, -101, -110, -111, -120, -121, -200, -201, -210, -211, -220, -221]), dims: [2, 3, 2] };
    const expected = [100, 101, -100, -101, 110, 111, -110, -111, 120, 121, -120, -121, 200, 201, -200, -201, 210, 211, -210, -211, 220, 221, -220, -221];
    for (const [name, create] of backends) {
      const backend = await create();
      const out = await backend.interleave(a, b);
      expect(out.dims, name).toEqual([2, 6, 2]);
      expect(Array.from(out.data), name).toEqual(expected);
      await backend.dispose();
    }
  });

  it('gives bit-identical results on all backends (interleave and additive mix)', async () => {
    const a = randomTensor([2, 37, 19], 1);
    const b = randomTensor([2, 37, 19], 2);
    const js = createJsBackend();
    const reference = await js.interleave(a, b);
    const mixes = await Promise.all([0, 0.25, 0.3, 0.75, 1].map((r) => js.additiveMix(a, b, r)));
    // The mix against a float32 computation written out independently of the kernel.
    const keep = new Float32Array([1 - 0.3])[0]!;
    const take = new Float32Array([0.3])[0]!;
    const scratch = new Float32Array(3);
    for (let i = 0; i < a.data.length; i += 97) {
      scratch[0] = keep * a.data[i]!;
      scratch[1] = take * b.data[i]!;
      scratch[2] = scratch[0]! + scratch[1]!;
      expect(mixes[2]!.data[i]).toBe(scratch[2]);
    }
    for (const [name, create] of backends.slice(1)) {
      const backend = await create();
      expect(Buffer.from((await backend.interleave(a, b)).data.buffer).equals(Buffer.from(reference.data.buffer)), name).toBe(true);
      for (const [k, r] of [0, 0.25, 0.3, 0.75, 1].entries()) {
        const mixed = await backend.additiveMix(a, b, r);
        expect(mixed.dims).toEqual([2, 37, 19]);
        const differing = mixed.data.findIndex((v, i) => !Object.is(v, mixes[k]!.data[i]));
        expect(differing, `${name} r=${r}`).toBe(-1);
      }
      await backend.dispose();
    }
  });

  it('splits large inputs into several gpu.js calls without changing the result', async () => {
    const a = randomTensor([1, 300, 16384], 3); // 600 output rows x 16384 > one call's cell limit
    const b = randomTensor([1, 300, 16384], 4);
    const gpujs = await createGpuJsBackend();
    const out = await gpujs.interleave(a, b);
    const reference = createJsBackend();
    expect(Buffer.from(out.data.buffer).equals(Buffer.from((await reference.interleave(a, b)).data.buffer))).toBe(true);
    expect(['webasm', 'cpu', 'headlessgl', 'webgl', 'webgl2', 'webgpu']).toContain(gpujs.mode);
    await gpujs.dispose();
  });

  it('writes into a caller-provided output array and checks its length', async () => {
    const a = randomTensor([2, 5, 3], 5);
    const b = randomTensor([2, 5, 3], 6);
    const out = new Float32Array(60);
    const result = interleaveJs(a, b, out);
    expect(result.data).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(interleaveJs(a, b).data));
    const mixed = new Float32Array(30);
    expect(additiveMixJs(a, b, 0.25, mixed).data).toBe(mixed);
    expect(() => interleaveJs(a, b, new Float32Array(59))).toThrow(/output array has 59 values but the result needs 60/);
  });

  it('rejects mismatched shapes and bad ratios', async () => {
    const js = createJsBackend();
    await expect(js.interleave(randomTensor([1, 4, 3], 1), randomTensor([1, 5, 3], 1))).rejects.toThrow(ShapeMismatchError);
    await expect(js.interleave(randomTensor([4, 3], 1), randomTensor([4, 3], 1))).rejects.toThrow(/\[B, N, H\]/);
    await expect(js.additiveMix(randomTensor([1, 4, 3], 1), randomTensor([1, 4, 3], 1), 1.5)).rejects.toThrow(/dinoRatio must be a number in \[0, 1\], got 1.5/);
    await expect(js.additiveMix(randomTensor([1, 4, 3], 1), randomTensor([1, 4, 3], 1), Number.NaN)).rejects.toThrow(InvalidArgumentError);
  });
});

describe('KernelBackendRegistry', () => {
  it('throws on a duplicate name and on an unknown name', async () => {
    const registry = new KernelBackendRegistry();
    registry.register('js', () => createJsBackend(), 1);
    expect(() => registry.register('js', () => createJsBackend(), 2)).toThrow(/already registered under the name 'js'/);
    await expect(registry.resolve(['nope'])).rejects.toThrow(/unknown kernel backend 'nope'; valid choices: 'js'/);
  });

  it('tries backends by priority, falls back past a failing one, and reports every failure when all fail', async () => {
    const registry = new KernelBackendRegistry();
    registry.register(
      'broken-gpu',
      () => {
        throw new Error('no WebGL context');
      },
      10,
    );
    registry.register('js', () => createJsBackend(), 1);
    expect(registry.names()).toEqual(['broken-gpu', 'js']);
    expect((await registry.resolve()).name).toBe('js');

    const failing = new KernelBackendRegistry();
    failing.register('a', () => Promise.reject(new Error('a is missing')), 2);
    failing.register(
      'b',
      () => {
        throw new Error('b cannot start');
      },
      1,
    );
    const error = await failing.resolve().catch((e: unknown) => e);
    expect(NoSuchComponentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/a: a is missing; b: b cannot start/);
  });

  it('the default registry prefers wasm, then js, and serves ort and gpujs by name', async () => {
    const registry = createKernelRegistry();
    expect(registry.names()).toEqual(['wasm', 'js', 'ort', 'gpujs']);
    expect(registry.describe()[2]).toBe("ort (50): onnxruntime-node graphs on execution provider 'cpu'");
    expect((await registry.resolve()).name).toBe('wasm');
    expect((await registry.resolve(['ort', 'js'])).description).toMatch(/onnxruntime-node .*EP 'cpu'/);
    await registry.dispose();
    const out = await interleave({ data: Float32Array.of(1), dims: [1, 1, 1] }, { data: Float32Array.of(2), dims: [1, 1, 1] }, { backend: 'gpujs' });
    expect(Array.from(out.data)).toEqual([1, 2]);
  });
});
