import { join } from 'node:path';
import { assertFinite, type Tensor } from '@mmvp/core';
import type { Decoder } from '@mmvp/decoder';
import type { PipelineConfig, VisualTokenizer } from '@mmvp/pipeline';
import type { SweepJobData } from './job-plan';
import { batchRow, decodingOf } from '../sweep/batch-decoding';

/**
 * Answers one sweep job (one ratio, a run of the sweep's image chunks) exactly as runSweep's loop
 * does: each chunk encoded as one batch, mixed at the job's ratio (per-ratio: the ratio's own
 * adapter; fixed-adapter: mixture.sweep at r), prompts decoded in batches of `batchSize`. Returns
 * sweep-journal answer lines tagged with the run identity.
 */
export async function answerSweepJob(
  data: SweepJobData,
  parts: { tokenizer: VisualTokenizer; decoder: Decoder; config: PipelineConfig },
  dataRoot: string,
  runIdentity: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const { tokenizer, decoder, config } = parts;
  const settings = config.decoder!;
  const signalOption = signal ? { signal } : {};
  const lines: string[] = [];
  for (const chunk of data.chunks) {
    signal?.throwIfAborted();
    const features = await tokenizer.encode(
      chunk.images.map((image) => join(dataRoot, image)),
      signalOption,
    );
    const tokens = data.protocol === 'per-ratio' ? await tokenizer.mixture.mix(features) : (await tokenizer.mixture.sweep(features, [data.ratio.value]))[0]!.tokens; // [B, N, H]
    assertFinite(tokens, `visual tokens at r=${data.ratio.text}`);
    const imageTokens = new Map<number, Tensor>();
    const tokensOf = (b: number) => imageTokens.get(b) ?? imageTokens.set(b, batchRow(tokens, b)).get(b)!; // [N, H]
    const prompts = chunk.targets.map((target) => ({ text: decoder.applyTemplate(settings.template, target.prompt), visualTokens: tokensOf(target.b) }));
    for (let start = 0; start < prompts.length; start += data.batchSize) {
      const generations = await decoder.generate({ prompts: prompts.slice(start, start + data.batchSize), maxNewTokens: settings.maxNewTokens, decoding: decodingOf(config), ...signalOption });
      generations.forEach((generation, k) => {
        const target = chunk.targets[start + k]!;
        lines.push(JSON.stringify({ ratio: data.ratio.text, set: target.set, id: target.id, prompt: target.prompt, response: generation.text, run_identity: runIdentity }));
      });
    }
  }
  return lines;
}
