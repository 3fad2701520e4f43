import { join } from 'node:path';
import { InvalidConfigError, assertFinite, type Tensor } from '@mmvp/core';
import { loadDecoder, type Decoder } from '@mmvp/decoder';
import { createVisualTokenizer, type VisualTokenizer } from '@mmvp/pipeline';
import type { JobDataBase, JobKindDefinition, JobPipeline } from '../runner/job-kind';
import { batchRow, decodingOf } from './batch-decoding';

/** One image chunk of a sweep (runSweep's encode batch) and the questions asked about its images. */
export interface SweepJobChunk {
  /** Image paths relative to the job's data root, in the batch's order. */
  readonly images: readonly string[];
  /** Questions in runSweep's order: b = the image's row in the batch; prompt = the formatted question. */
  readonly targets: readonly { readonly id: number; readonly set: 'data' | 'proxy'; readonly b: number; readonly prompt: string }[];
}

/** A sweep job: one ratio x a run of image chunks. */
export interface SweepJobData extends JobDataBase {
  readonly kind: 'sweep';
  readonly pipeline: JobPipeline;
  /** The sweep's identity hash (fingerprint of protocol, ratios, configs, encoders, questions, batch size). */
  readonly runIdentity: string;
  readonly protocol: 'per-ratio' | 'fixed-adapter';
  readonly ratio: { readonly value: number; readonly text: string };
  readonly batchSize: number;
  readonly chunks: readonly SweepJobChunk[];
}

/** What a sweep job runs on: the ratio's visual tokenizer (encoders + mixture/adapter) and its decoder. */
export interface SweepParts {
  readonly tokenizer: Pick<VisualTokenizer, 'encode' | 'mixture'>;
  readonly decoder: Decoder;
}

/** One answer line of a sweep job (a sweep-journal answer tagged with the run identity). */
export interface SweepAnswerLine {
  readonly ratio: string;
  readonly set: 'data' | 'proxy';
  readonly id: number;
  readonly prompt: string;
  readonly response: string;
  readonly run_identity: string;
}

/**
 * The sweep's job kind. runShard answers one ratio x a run of image chunks: each chunk encoded as one
 * batch, mixed at the job's ratio (per-ratio: the ratio's own adapter; fixed-adapter: mixture.sweep at
 * r), prompts decoded in batches of `batchSize`; it returns sweep-journal answer lines tagged with the
 * run identity. The one-process sweep and `mmvp worker` both answer through it.
 */
export const sweepJobKind: JobKindDefinition<SweepJobData, SweepParts> = {
  kind: 'sweep',
  unitsOf: (data) => data.chunks.reduce((sum, chunk) => sum + chunk.targets.length, 0),
  load: {
    name: 'sweep',
    pipelineOf: (data) => data.pipeline,
    async create(config, components) {
      const tokenizer = await createVisualTokenizer(config, { components });
      const decoder = await loadDecoder({ modelPath: config.decoder!.modelPath, executionProvider: config.executionProvider }).catch(async (error: unknown) => {
        await tokenizer.dispose();
        throw error;
      });
      return { tokenizer, decoder, dispose: async () => void (await Promise.allSettled([tokenizer.dispose(), decoder.dispose()])) };
    },
  },
  async runShard(data, context) {
    const { tokenizer, decoder } = context.parts;
    const config = context.config;
    if (config?.decoder === undefined) throw new InvalidConfigError(`sweep job ${data.runId}/${data.shard}: the runner gave no pipeline config with a decoder section`);
    const settings = config.decoder;
    const signal = context.signal;
    const signalOption = signal ? { signal } : {};
    const lines: string[] = [];
    for (const chunk of data.chunks) {
      signal?.throwIfAborted();
      const features = await tokenizer.encode(
        chunk.images.map((image) => join(context.dataRoot, image)),
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
          const line: SweepAnswerLine = { ratio: data.ratio.text, set: target.set, id: target.id, prompt: target.prompt, response: generation.text, run_identity: data.runIdentity };
          lines.push(JSON.stringify(line));
          context.onUnit?.();
        });
      }
    }
    return { lines };
  },
};
