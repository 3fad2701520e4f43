import { InvalidArgumentError, seededRandom } from '@mmvp/core';

/**
 * How the next token is picked. Greedy (argmax) is the default, as lmms-eval and Cambrian decode;
 * MMVP's original script sampled with temperature 0.2 (give `{ kind: 'sample', temperature: 0.2 }`).
 */
export type DecodingStrategy = { readonly kind: 'greedy' } | { readonly kind: 'sample'; readonly temperature: number; readonly topP?: number; readonly seed?: number };

/** A seeded generator (@mmvp/core's mulberry32) so sampled answers repeat for the same seed. */
export const createRandom: (seed: number) => () => number = seededRandom;

/** Index of the largest value (first one on ties, as torch.argmax). */
export function argmax(values: Float32Array, start = 0, end = values.length): number {
  let best = start;
  let bestValue = values[start]!;
  for (let i = start + 1; i < end; i++) {
    if (values[i]! > bestValue) {
      bestValue = values[i]!;
      best = i;
    }
  }
  return best - start;
}

/** Temperature + nucleus (top-p) sampling over one row of logits [V]. */
export function sampleTopP(logits: Float32Array, temperature: number, topP: number, random: () => number): number {
  if (!(temperature > 0)) throw new InvalidArgumentError(`temperature must be > 0 for sampling (got ${temperature}); use { kind: 'greedy' } for argmax`);
  if (!(topP > 0 && topP <= 1)) throw new InvalidArgumentError(`topP must be in (0, 1] (got ${topP})`);
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const probabilities = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const p = Math.exp((logits[i]! - max) / temperature);
    probabilities[i] = p;
    sum += p;
  }
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => probabilities[b]! - probabilities[a]!);
  // keep the smallest prefix whose mass reaches topP (at least one token)
  let kept = 0;
  let mass = 0;
  while (kept < order.length && (kept === 0 || mass < topP * sum)) mass += probabilities[order[kept++]!]!;
  let r = random() * mass;
  for (let k = 0; k < kept; k++) {
    r -= probabilities[order[k]!]!;
    if (r <= 0) return order[k]!;
  }
  return order[kept - 1]!;
}
