import { describe, expect, it } from 'vitest';
import type { Tensor } from '@mmvp/core';
import { createJsBackend, createOrtBackend, describeOrtExecutionProviders, type KernelBackend, type KernelDevice } from './index';

function randomTensor(dims: number[], seed: number): Tensor {
  let state = seed >>> 0;
  const data = new Float32Array(dims.reduce((x, y) => x * y, 1));
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = (state / 2 ** 32) * 8 - 4;
  }
  return { data, dims };
}

// Each GPU execution provider is probed once; where it cannot start, its tests are skipped and the
// test name carries the reason (vitest prints skipped tests with their names).
const probes = await Promise.all(
  (['webgpu', 'cuda'] as KernelDevice[]).map(async (device) => {
    try {
      return { device, backend: (await createOrtBackend({ executionProvider: device })) as KernelBackend | undefined, reason: '' };
    } catch (error) {
      return { device, backend: undefined, reason: (error as Error).message.slice(0, 160) };
    }
  }),
);

/**
 * GPU tolerance: a shader compiler may contract `keep * a + take * b` into a fused multiply-add,
 * which skips one rounding; the result then differs from the float32 reference by at most one
 * rounding of the larger product, i.e. 2^-24 * (|keep * a| + |take * b|) per element, plus the final
 * rounding: we allow 2^-23 of that sum. Interleave moves data and must be exact on every device.
 */
const gpuRelativeTolerance = 2 ** -23;

describe('ort backend on GPU execution providers', () => {
  for (const probe of probes) {
    const title = probe.backend ? `EP ${probe.device}` : `EP ${probe.device} (skipped: not available here: ${probe.reason})`;
    it.skipIf(probe.backend === undefined)(`${title}: interleave exact, mix within 2^-23 of the float32 reference`, async () => {
      const backend = probe.backend!;
      const a = randomTensor([2, 64, 40], 11);
      const b = randomTensor([2, 64, 40], 12);
      const js = createJsBackend();
      const interleaved = await backend.interleave(a, b);
      expect(Buffer.from(interleaved.data.buffer, interleaved.data.byteOffset, interleaved.data.byteLength).equals(Buffer.from((await js.interleave(a, b)).data.buffer))).toBe(true);
      for (const ratio of [0, 0.3, 0.75, 1]) {
        const mixed = await backend.additiveMix(a, b, ratio);
        const reference = await js.additiveMix(a, b, ratio);
        const keep = Math.fround(1 - ratio);
        const take = Math.fround(ratio);
        const worst = mixed.data.findIndex((v, i) => Math.abs(v - reference.data[i]!) > gpuRelativeTolerance * (Math.abs(keep * a.data[i]!) + Math.abs(take * b.data[i]!)));
        expect(worst, `r=${ratio}`).toBe(-1);
      }
      await backend.dispose();
    });
  }

  it('names what this onnxruntime-node build offers when an execution provider cannot start', async () => {
    expect(describeOrtExecutionProviders()).toMatch(/^cpu \(bundled\)/);
    const failed = probes.find((probe) => probe.backend === undefined);
    if (failed === undefined) return; // every GPU EP started here: nothing to report
    const error = await createOrtBackend({ executionProvider: failed.device }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(new RegExp(`execution provider '${failed.device}': .*\\(this build lists: cpu \\(bundled\\), .*valid --device choices: 'cpu', 'webgpu', 'cuda'\\)`));
  });
});
