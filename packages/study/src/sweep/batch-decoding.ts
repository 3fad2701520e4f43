import { tensor, type Tensor } from '@mmvp/core';
import type { DecodingStrategy } from '@mmvp/decoder';
import type { PipelineConfig } from '@mmvp/pipeline';

// Used by the sweep job kind (sweep-job-kind.ts), which the one-process sweep and a queue worker both run,
// so both decode the same tokens the same way (the distributed run must write the same answers).

/** Row b of a [B, T, H] batch as [T, H]. */
export function batchRow(t: Tensor, b: number): Tensor {
  const [, tokens, width] = t.dims as [number, number, number];
  return tensor(t.data.slice(b * tokens * width, (b + 1) * tokens * width), [tokens, width]);
}

/** The decoding a pipeline config asks for: greedy at temperature 0, else nucleus sampling with its seed. */
export function decodingOf(config: PipelineConfig): DecodingStrategy {
  const settings = config.decoder!;
  return settings.temperature > 0 ? { kind: 'sample', temperature: settings.temperature, topP: settings.topP, seed: settings.seed } : { kind: 'greedy' };
}
