import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidConfigError, type ImageSource, type Tensor } from '@mmvp/core';
import { formatQuestion, loadDecoder, type Decoder, type DecodingStrategy, type FinishReason, type QuestionStyle, type TokenEvent } from '@mmvp/decoder';
import { createVisualTokenizer, type CreateVisualTokenizerOptions, type VisualTokenizer } from './config/visual-tokenizer';
import type { PipelineConfig } from './config/pipeline-config-schema';

/** One question about one image. */
export interface AskRequest {
  readonly image: ImageSource;
  readonly question: string;
  /** MMVP's option string `(a) X (b) Y`; formatted per `prompt`. */
  readonly options?: string;
  /** 'original' (question + ' ' + options, MMVP's script), 'lmms' (lettered options + instruction, lmms-eval) or 'cambrian' (' Options:' + as lmms); default: the config's. */
  readonly prompt?: QuestionStyle;
  /** Overrides of the config's generation settings. */
  readonly maxNewTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
}

/** Streaming and cancellation of ask and askMany. */
export interface AskOptions {
  /** Streamed text; `request` is the index in the list given to askMany (0 for ask). */
  readonly onToken?: (event: { request: number; tokenId: number; text: string }) => void;
  readonly signal?: AbortSignal;
}

/** One answer with the prompt it was given and how generation ended. */
export interface Answer {
  /** The generated answer. */
  readonly text: string;
  /** The question text as put in the template (question + options in the chosen style). */
  readonly prompt: string;
  /** The whole prompt text, with the `<image>` placeholder where the visual tokens went. */
  readonly templatedPrompt: string;
  readonly tokenIds: readonly number[];
  readonly finishReason: FinishReason;
  readonly visualTokenCount: number;
  readonly promptLength: number;
}

/**
 * image -> preprocess -> encoders -> adapters -> mixture -> decoder, as one object. Visual tokens are
 * computed once per image and reused by every question about it (MMVP asks several questions of the
 * same image; a sweep asks the same question of many).
 */
export interface Pipeline {
  readonly config: PipelineConfig;
  readonly decoder: Decoder;
  readonly visualTokenizer: VisualTokenizer;
  /**
   * What was resolved (packages, model folders, taps, adapters, strategy, decoder), one line each.
   * `overrides`: a request's prompt style and generation settings, so the line describes what an
   * `ask` with them will really do (not the config's values).
   */
  describe(overrides?: Pick<AskRequest, 'prompt' | 'temperature' | 'topP' | 'seed' | 'maxNewTokens'>): string[];
  /** Visual tokens [T, H] of one image (cached). */
  visualTokens(image: ImageSource, options?: { signal?: AbortSignal }): Promise<Tensor>;
  /** Answers one question about one image. */
  ask(request: AskRequest, options?: AskOptions): Promise<Answer>;
  /** Several questions at once: images encoded once each, prompts decoded as left-padded batches of `batchSize` (default 8). */
  askMany(requests: readonly AskRequest[], options?: AskOptions & { batchSize?: number }): Promise<Answer[]>;
  /** Releases every ONNX session the pipeline opened. */
  dispose(): Promise<void>;
}

/** How many images' visual tokens the pipeline keeps (least recently used go first). */
const IMAGE_CACHE_SIZE = 64;

/**
 * Builds the whole pipeline of a config: encoders, adapters, mixture strategy and decoder; ask it questions about images.
 * The config is code, like a plugin list: its encoders' `use` modules are imported and run (installed
 * packages and files inside the config's folder only; `options.components` narrows that to an allowlist).
 *
 * @example
 * ```ts
 * import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
 *
 * const pipeline = await createPipeline(await loadPipelineConfig('configs/pipelines/tiny-amof-0.75.json'));
 * try {
 *   const answer = await pipeline.ask({ image: 'dog.jpg', question: 'Is the dog facing left?', options: '(a) Yes (b) No' });
 *   console.log(answer.text);
 * } finally {
 *   await pipeline.dispose();
 * }
 * ```
 */
export async function createPipeline(config: PipelineConfig, options: { imageCacheSize?: number } & Pick<CreateVisualTokenizerOptions, 'components'> = {}): Promise<Pipeline> {
  const source = config.configPath ?? 'pipeline config';
  const decoderConfig = config.decoder;
  if (decoderConfig === undefined) {
    throw new InvalidConfigError(`${source} has no 'decoder' section; answering questions needs one, e.g. "decoder": { "modelPath": "../../models/tiny-llama", "template": "llava_v1" }`);
  }
  const visualTokenizer = await createVisualTokenizer(config, options.components === undefined ? {} : { components: options.components });
  let decoder: Decoder;
  try {
    decoder = await loadDecoder({ modelPath: decoderConfig.modelPath, executionProvider: config.executionProvider });
  } catch (error) {
    await visualTokenizer.dispose();
    throw error;
  }
  const cacheSize = options.imageCacheSize ?? IMAGE_CACHE_SIZE;
  const cache = new Map<string, Promise<Tensor>>(); // insertion order = recency

  const remember = (key: string, value: Promise<Tensor>) => {
    cache.delete(key);
    cache.set(key, value);
    value.catch(() => cache.delete(key)); // failures are not cached
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  };

  /** Visual tokens of several images: cached ones reused, the rest encoded in one batch. */
  const tokensFor = async (images: readonly ImageSource[], signal?: AbortSignal): Promise<Tensor[]> => {
    const keys = await Promise.all(images.map(imageKey));
    const found = new Map<string, Promise<Tensor>>();
    const missing: { key: string; image: ImageSource }[] = [];
    for (const [i, key] of keys.entries()) {
      if (found.has(key)) continue;
      const hit = cache.get(key);
      if (hit !== undefined) found.set(key, hit);
      else {
        missing.push({ key, image: images[i]! });
        found.set(key, Promise.resolve(undefined as unknown as Tensor)); // placeholder, replaced below
      }
    }
    if (missing.length > 0) {
      const batch = visualTokenizer.visualTokens(
        missing.map((m) => m.image),
        signal ? { signal } : {},
      ); // [B, T, H]
      missing.forEach((m, b) =>
        found.set(
          m.key,
          batch.then((t) => row(t, b)),
        ),
      );
    }
    for (const [key, value] of found) remember(key, value);
    return Promise.all(keys.map((key) => found.get(key)!));
  };

  const settle = (request: AskRequest) => {
    const style = request.prompt ?? decoderConfig.prompt;
    const question = formatQuestion(request.question, request.options, style);
    const temperature = request.temperature ?? decoderConfig.temperature;
    const decoding: DecodingStrategy = temperature > 0 ? { kind: 'sample', temperature, topP: request.topP ?? decoderConfig.topP, seed: request.seed ?? decoderConfig.seed } : { kind: 'greedy' };
    return { question, text: decoder.applyTemplate(decoderConfig.template, question), decoding, maxNewTokens: request.maxNewTokens ?? decoderConfig.maxNewTokens };
  };

  const askMany: Pipeline['askMany'] = async (requests, askOptions = {}) => {
    const { onToken, signal, batchSize = 8 } = askOptions;
    const settled = requests.map(settle); // template errors surface before any model work
    const tokens = await tokensFor(
      requests.map((r) => r.image),
      signal,
    );
    const answers: Answer[] = new Array(requests.length);
    // Requests with the same generation settings decode together.
    const groups = new Map<string, number[]>();
    settled.forEach((s, i) => {
      const key = JSON.stringify([s.decoding, s.maxNewTokens, requests[i]!.stop ?? []]);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const indices of groups.values()) {
      for (let start = 0; start < indices.length; start += batchSize) {
        const chunk = indices.slice(start, start + batchSize);
        const first = settled[chunk[0]!]!;
        const generations = await decoder.generate({
          prompts: chunk.map((i) => ({ text: settled[i]!.text, visualTokens: tokens[i]! })),
          maxNewTokens: first.maxNewTokens,
          decoding: first.decoding,
          stop: requests[chunk[0]!]!.stop ?? [],
          ...(onToken ? { onToken: (e: TokenEvent) => onToken({ request: chunk[e.prompt]!, tokenId: e.tokenId, text: e.text }) } : {}),
          ...(signal ? { signal } : {}),
        });
        generations.forEach((g, k) => {
          const i = chunk[k]!;
          answers[i] = {
            text: g.text,
            prompt: settled[i]!.question,
            templatedPrompt: settled[i]!.text,
            tokenIds: g.tokenIds,
            finishReason: g.finishReason,
            visualTokenCount: tokens[i]!.dims[0]!,
            promptLength: g.promptLength,
          };
        });
      }
    }
    return answers;
  };

  return {
    config,
    decoder,
    visualTokenizer,
    describe: (overrides = {}) => {
      const temperature = overrides.temperature ?? decoderConfig.temperature;
      return [
        ...visualTokenizer.describe(),
        `decoder: ${decoderConfig.modelPath} (${decoder.config.modelType}, hidden ${decoder.config.hiddenSize}, ${decoder.config.numLayers} layers, ` +
          `${decoder.config.numAttentionHeads} heads / ${decoder.config.numKeyValueHeads} KV heads, max ${decoder.config.maxPositionEmbeddings} positions); ` +
          `template ${decoderConfig.template}, prompt ${overrides.prompt ?? decoderConfig.prompt}, ` +
          (temperature > 0 ? `sampling T=${temperature} top-p ${overrides.topP ?? decoderConfig.topP} seed ${overrides.seed ?? decoderConfig.seed}` : 'greedy') +
          `, max ${overrides.maxNewTokens ?? decoderConfig.maxNewTokens} new tokens`,
      ];
    },
    async visualTokens(image, visualOptions = {}) {
      const [tokens] = await tokensFor([image], visualOptions.signal);
      return tokens!;
    },
    async ask(request, askOptions = {}) {
      const [answer] = await askMany([request], askOptions);
      return answer!;
    },
    askMany,
    async dispose() {
      cache.clear();
      await decoder.dispose();
      await visualTokenizer.dispose();
    },
  };
}

/** Rows of image b of a [B, T, H] batch, as [T, H]. */
function row(batch: Tensor, b: number): Tensor {
  const [, t, h] = batch.dims as [number, number, number];
  return { data: batch.data.slice(b * t * h, (b + 1) * t * h), dims: [t, h] };
}

/** Cache key: a file by absolute path, size and modification time; bytes by their SHA-256. */
async function imageKey(image: ImageSource): Promise<string> {
  if (typeof image === 'string') {
    const path = resolve(image);
    const info = await stat(path).catch(() => undefined); // a missing file fails later with the decoder's message
    return `file:${path}:${info?.size ?? '?'}:${info?.mtimeMs ?? '?'}`;
  }
  return `bytes:${createHash('sha256').update(image).digest('hex')}`;
}
