import { describe, expect, it } from 'vitest';
import type { Tensor } from '@mmvp/core';
import type { Adapter } from '@mmvp/adapters';
import { createMixture } from './index';

function randomTensor(dims: number[], seed: number): Tensor {
  let state = seed >>> 0;
  const data = new Float32Array(dims.reduce((x, y) => x * y, 1));
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = (state / 2 ** 32) * 2 - 1;
  }
  return { data, dims };
}

/** An adapter that returns a copy of its input (H = D) and records which array it was given. */
function recordingAdapter(width: number, options: { returnInput?: boolean; pause?: () => Promise<void> } = {}): Adapter & { seen: Float32Array[] } {
  const seen: Float32Array[] = [];
  return {
    type: 'linear',
    inputSize: width,
    outputSize: width,
    runtime: 'js',
    seen,
    async project(features: Tensor): Promise<Tensor> {
      seen.push(features.data);
      await options.pause?.();
      return options.returnInput ? features : { data: features.data.slice(), dims: [...features.dims] };
    },
    dispose: async () => {},
  };
}

/** `(1 - r) * a + r * b` in float32 steps, written out independently of the kernels. */
function expectedMix(a: Tensor, b: Tensor, ratio: number): Float32Array {
  const out = new Float32Array(a.data.length);
  const step = new Float32Array(4);
  step[0] = 1 - ratio;
  step[1] = ratio;
  for (let i = 0; i < out.length; i++) {
    step[2] = step[0]! * a.data[i]!;
    step[3] = step[1]! * b.data[i]!;
    out[i] = step[2]! + step[3]!;
  }
  return out;
}

describe('A-MoF reuses its mix buffer across batches and ratios', () => {
  it('mixes every batch into the same array (a smaller last batch into its front) with unchanged results', async () => {
    const adapter = recordingAdapter(12);
    const mixture = createMixture({ strategy: 'additive', dinoRatio: 0.625, adapters: { additive: adapter } });
    const batches = [3, 3, 2].map((size, i) => ({ clip: randomTensor([size, 5, 12], 2 * i + 1), dino: randomTensor([size, 5, 12], 2 * i + 2) }));
    const outputs: Tensor[] = [];
    for (const features of batches) outputs.push(await mixture.mix(features));
    expect(adapter.seen[1]!.buffer).toBe(adapter.seen[0]!.buffer); // reused, not reallocated
    expect(adapter.seen[2]!.buffer).toBe(adapter.seen[0]!.buffer);
    expect(adapter.seen[2]!.length).toBe(2 * 5 * 12);
    for (const [i, features] of batches.entries()) {
      expect(Array.from(outputs[i]!.data), `batch ${i}`).toEqual(Array.from(expectedMix(features.clip, features.dino, 0.625)));
    }
  });

  it('a sweep mixes every ratio into the same array and gives what one-ratio mixtures give', async () => {
    const adapter = recordingAdapter(8);
    const features = { clip: randomTensor([2, 6, 8], 5), dino: randomTensor([2, 6, 8], 6) };
    const ratios = [0, 0.25, 0.5, 0.875, 1];
    const swept = await createMixture({ strategy: 'additive', dinoRatio: 0.5, adapters: { additive: adapter } }).sweep(features, ratios);
    expect(new Set(adapter.seen.map((array) => array.buffer)).size).toBe(1);
    for (const [i, ratio] of ratios.entries()) {
      const fresh = await createMixture({ strategy: 'additive', dinoRatio: ratio, adapters: { additive: recordingAdapter(8) } }).mix(features);
      expect(Array.from(swept[i]!.tokens.data), `r=${ratio}`).toEqual(Array.from(fresh.data));
      expect(Array.from(swept[i]!.tokens.data), `r=${ratio}`).toEqual(Array.from(expectedMix(features.clip, features.dino, ratio)));
    }
  });

  it('never lets a reused array overwrite tokens handed out: overlapping calls and an adapter returning its input', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = recordingAdapter(4, { pause: () => gate });
    const mixture = createMixture({ strategy: 'additive', dinoRatio: 0.25, adapters: { additive: slow } });
    const first = { clip: randomTensor([1, 3, 4], 1), dino: randomTensor([1, 3, 4], 2) };
    const second = { clip: randomTensor([1, 3, 4], 3), dino: randomTensor([1, 3, 4], 4) };
    const pending = [mixture.mix(first), mixture.mix(second)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(slow.seen[1]!.buffer).not.toBe(slow.seen[0]!.buffer); // the second call did not write into the busy array
    release();
    const [a, b] = await Promise.all(pending);
    expect(Array.from(a!.data)).toEqual(Array.from(expectedMix(first.clip, first.dino, 0.25)));
    expect(Array.from(b!.data)).toEqual(Array.from(expectedMix(second.clip, second.dino, 0.25)));

    const identity = createMixture({ strategy: 'additive', dinoRatio: 0.75, adapters: { additive: recordingAdapter(4, { returnInput: true }) } });
    const kept = await identity.mix(first);
    const keptCopy = Array.from(kept.data);
    await identity.mix(second);
    expect(Array.from(kept.data)).toEqual(keptCopy); // the first result was not overwritten by the second mix
  });
});
