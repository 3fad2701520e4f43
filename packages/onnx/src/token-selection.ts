import { InvalidArgumentError, concatBatch, listChoices, sliceBatch, tensor, type Tensor, type TokenSelection } from '@mmvp/core';

/** Every token selection, for validation and error messages. */
const tokenSelections: readonly TokenSelection[] = ['patch', 'cls', 'all'];

/**
 * Keeps the wanted tokens of ViT features [B, T, D]: 'patch' drops the first `prefixTokens` (CLS, and
 * registers where a model has them) -> [B, T - prefix, D]; 'cls' keeps token 0 -> [B, 1, D]; 'all' keeps all.
 */
export function selectTokens(features: Tensor, tokens: TokenSelection, prefixTokens = 1): Tensor {
  const [b, t, d] = features.dims as [number, number, number];
  if (tokens === 'all') return features;
  if (tokens !== 'patch' && tokens !== 'cls') {
    throw new InvalidArgumentError(`unknown token selection '${tokens as string}'; valid choices: ${listChoices(tokenSelections)}`);
  }
  const keep = tokens === 'cls' ? 1 : t - prefixTokens;
  const start = tokens === 'cls' ? 0 : prefixTokens;
  const out = new Float32Array(b * keep * d); // [B, keep, D]
  for (let i = 0; i < b; i++) out.set(features.data.subarray((i * t + start) * d, (i * t + start + keep) * d), i * keep * d);
  return tensor(out, [b, keep, d]);
}

/**
 * Runs `run` over the first axis in chunks of `batchSize` and concatenates the results, so memory stays
 * bounded for long image lists while each chunk is one session.run call. Checks the abort signal between
 * chunks.
 */
export async function runInBatches(input: Tensor, batchSize: number, run: (chunk: Tensor) => Promise<Tensor>, signal?: AbortSignal): Promise<Tensor> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`batch size must be a positive integer, got ${batchSize}`);
  const total = input.dims[0]!;
  if (total <= batchSize) {
    signal?.throwIfAborted();
    return run(input);
  }
  const parts: Tensor[] = [];
  for (let start = 0; start < total; start += batchSize) {
    signal?.throwIfAborted();
    parts.push(await run(sliceBatch(input, start, Math.min(total, start + batchSize))));
  }
  return concatBatch(parts);
}
