import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { InvalidConfigError, assertFinite, parseWithSchema, type FeatureTap, type ImageSource, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { loadAdapter, type Adapter } from '@mmvp/adapters';
import { createMixture, type Mixture, type MixtureAdapters, type MixtureFeatures } from '@mmvp/mof';
import { assertVisionEncoder, loadComponent } from './load-component';
import type { EncoderConfig, PipelineConfig } from './pipeline-config-schema';
import type { ComponentSource } from './component-source';

/** The folder a config's components resolve from: the one it was parsed against (else its file's). */
function componentFolder(config: PipelineConfig): { folder?: string } {
  if (config.configFolder !== undefined) return { folder: config.configFolder };
  return config.configPath !== undefined && isAbsolute(config.configPath) ? { folder: dirname(config.configPath) } : {};
}

type EncoderRole = 'clip' | 'dino';

/** Encoders, adapters and the mixture strategy of a pipeline config, loaded once. */
export interface VisualTokenizer {
  readonly config: PipelineConfig;
  readonly mixture: Mixture;
  readonly encoders: Readonly<Partial<Record<EncoderRole, VisionEncoderV1>>>;
  readonly adapters: MixtureAdapters;
  /** One line per resolved part (packages, model folders, taps, adapters, strategy) to print before work. */
  describe(): string[];
  /** Encoder features of the images (encode once; `mixture.sweep` can mix them many times). */
  encode(images: readonly ImageSource[], options?: { signal?: AbortSignal }): Promise<MixtureFeatures>;
  /** Visual tokens [B, T, H] that replace the `<image>` placeholder, one row block per image. */
  visualTokens(images: readonly ImageSource[], options?: { signal?: AbortSignal }): Promise<Tensor>;
  /** Releases the encoders' and adapters' sessions. */
  dispose(): Promise<void>;
}

const defaultTaps: Record<EncoderRole, FeatureTap> = { clip: { kind: 'layer', layer: -2 }, dino: { kind: 'prenorm' } };

function formatTap(tap: FeatureTap): string {
  return tap.kind === 'layer' ? `layer ${tap.layer}` : tap.kind;
}

async function readLlmHiddenSize(config: PipelineConfig): Promise<number | undefined> {
  if (config.decoder === undefined) return undefined;
  try {
    const json = JSON.parse(await readFile(join(config.decoder.modelPath, 'config.json'), 'utf8')) as { hidden_size?: unknown };
    return typeof json.hidden_size === 'number' ? json.hidden_size : undefined;
  } catch {
    return undefined; // the decoder loader reports a missing or broken folder itself
  }
}

async function packageVersion(use: string): Promise<string> {
  try {
    const module = (await import(`${use}/package.json`, { with: { type: 'json' } })) as { default?: { version?: string } };
    return module.default?.version ?? '?';
  } catch {
    return '?';
  }
}

/** Options of createVisualTokenizer: encoders already created, used instead of loading them from the config. */
export interface CreateVisualTokenizerOptions {
  /**
   * Encoders already created for these roles (e.g. by another config with the same encoder models
   * and taps): used as they are instead of creating new ones, and left open by `dispose()` (their
   * owner disposes them). A per-ratio A-MoF sweep encodes each image once this way and mixes the
   * features through every ratio's own adapter.
   */
  readonly encoders?: Readonly<Partial<Record<EncoderRole, VisionEncoderV1>>>;
  /**
   * Which components may load (a queue worker's allowlist): default, the config's own rule (installed
   * packages resolved from its folder, files inside it). See ComponentSource.
   */
  readonly components?: Pick<ComponentSource, 'allow' | 'allowFrom'>;
}

/**
 * Builds the image -> visual tokens half of a pipeline: creates the encoder components named in the
 * config (or takes the ones given in `options.encoders`), loads the adapters (checked against the
 * encoder widths and, when the decoder folder is there, the LLM hidden size) and the mixture strategy.
 */
export async function createVisualTokenizer(config: PipelineConfig, options: CreateVisualTokenizerOptions = {}): Promise<VisualTokenizer> {
  const source = config.configPath ?? 'pipeline config';
  const strategy = config.strategy.name;
  const needed = new Set<EncoderRole>(strategy === 'clip' ? ['clip'] : strategy === 'dino' ? ['dino'] : ['clip', 'dino']);
  const dinoPixels = config.encoders.dino?.pixels ?? (config.encoders.clip ? 'clip' : 'own');
  if (needed.has('dino') && dinoPixels === 'clip') {
    if (config.encoders.clip === undefined) {
      throw new InvalidConfigError(`${source}: encoders.dino.pixels is 'clip' but there is no encoders.clip to preprocess the image`);
    }
    needed.add('clip');
  }

  const adapterRoles: (keyof MixtureAdapters)[] = strategy === 'clip' ? ['clip'] : strategy === 'dino' ? ['dino'] : strategy === 'additive' ? ['additive'] : ['clip', 'dino'];
  // Missing adapter files fail before any encoder session is built, naming the config field.
  for (const role of adapterRoles) {
    const weights = config.adapters[role]?.weights;
    if (weights !== undefined && !(await stat(weights).catch(() => undefined))?.isFile()) {
      throw new InvalidConfigError(`${source}: adapters.${role}.weights: no such file ${weights} (relative paths resolve against the config's folder)`);
    }
  }

  const encoders: Partial<Record<EncoderRole, VisionEncoderV1>> = {};
  const owned = new Set<VisionEncoderV1>(); // created here, so disposed here
  const lines: string[] = [];
  for (const role of ['clip', 'dino'] as const) {
    if (!needed.has(role)) continue;
    const encoderConfig = config.encoders[role] as EncoderConfig;
    let encoder = options.encoders?.[role];
    if (encoder === undefined) {
      const component = await loadComponent<VisionEncoderV1>(encoderConfig, 'vision-encoder', { ...componentFolder(config), ...options.components });
      const componentOptions = parseWithSchema(component.optionsSchema, { modelPath: encoderConfig.model, executionProvider: config.executionProvider, ...encoderConfig.options }, `${source}: encoders.${role}.options`);
      encoder = await component.create(componentOptions);
      assertVisionEncoder(encoder, encoderConfig.use);
      owned.add(encoder);
    }
    encoders[role] = encoder;
    // A tap the model cannot give (layer 99 of a 3-layer encoder) fails here, naming the config field,
    // not at the first image. resolveTap is not part of VisionEncoderV1: the ONNX encoders have it.
    const resolveTap = (encoder as { resolveTap?: (tap: FeatureTap) => Promise<unknown> }).resolveTap;
    if (typeof resolveTap === 'function') {
      const tap = encoderConfig.tap ?? defaultTaps[role];
      try {
        await resolveTap.call(encoder, tap);
      } catch (error) {
        await Promise.all([...owned].map((created) => created.dispose()));
        throw new InvalidConfigError(`${source}: encoders.${role}.tap ${JSON.stringify(tap)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    lines.push(
      `encoder ${role}: ${encoderConfig.use}@${await packageVersion(encoderConfig.use)} ${encoderConfig.model} ` +
        `(width ${encoder.hiddenSize}, grid ${encoder.patchGrid.join('x')}, tap ${formatTap(encoderConfig.tap ?? defaultTaps[role])}, tokens ${encoderConfig.tokens}` +
        (role === 'dino' ? `, pixels ${dinoPixels}` : '') +
        ')',
    );
    // An 8-bit file's format (the ONNX encoders report it; their saturation warning went to stderr at load)
    const int8 = (encoder as { int8?: { description: string } | null }).int8;
    if (int8) lines.push(`encoder ${role} int8 format: ${int8.description}`);
  }

  const llmHiddenSize = await readLlmHiddenSize(config);
  const adapters: { -readonly [K in keyof MixtureAdapters]: Adapter } = {};
  for (const role of adapterRoles) {
    const adapterConfig = config.adapters[role]!;
    const encoderRole: EncoderRole = role === 'dino' ? 'dino' : 'clip';
    const hiddenSize = adapterConfig.hiddenSize ?? llmHiddenSize;
    adapters[role] = await loadAdapter({
      type: adapterConfig.type,
      weightsPath: adapterConfig.weights,
      ...(adapterConfig.prefix === undefined ? {} : { prefix: adapterConfig.prefix }),
      inputSize: encoders[encoderRole]!.hiddenSize,
      ...(hiddenSize === undefined ? {} : { hiddenSize }),
      runtime: adapterConfig.runtime ?? 'ort',
      executionProvider: config.executionProvider,
    });
    lines.push(
      `adapter ${role}: ${adapterConfig.type} ${adapterConfig.weights}${adapterConfig.prefix ? ` (${adapterConfig.prefix})` : ''} ${adapters[role]!.inputSize} -> ${adapters[role]!.outputSize} on ${adapters[role]!.runtime}`,
    );
  }

  const mixture = createMixture({
    strategy,
    adapters,
    ...(config.strategy.dinoRatio === undefined ? {} : { dinoRatio: config.strategy.dinoRatio }),
    resampleTokenGrid: config.strategy.resampleTokenGrid,
    kernels: { ...(config.kernels ? { backend: config.kernels.backend } : {}), executionProvider: config.kernels?.executionProvider ?? config.executionProvider },
  });
  // Resolved now, so the line names the backend that will run (or a backend that cannot start fails here).
  if (strategy === 'additive' || strategy === 'interleaved') {
    const kernels = await mixture.kernelBackend();
    lines.push(`kernels: ${kernels.name} (${kernels.description})`);
  }
  lines.push(
    `strategy: ${strategy}${config.strategy.dinoRatio === undefined ? '' : ` dinoRatio ${config.strategy.dinoRatio}`}` +
      `${config.strategy.resampleTokenGrid === 'bilinear' ? ' (token grids resampled bilinearly)' : ''}; execution provider ${config.executionProvider}`,
  );

  const encode = async (images: readonly ImageSource[], options: { signal?: AbortSignal } = {}): Promise<MixtureFeatures> => {
    const features: { -readonly [K in keyof MixtureFeatures]: MixtureFeatures[K] } = {};
    const clipPixels = encoders.clip ? await encoders.clip.preprocess(images) : undefined; // [B, 3, H, W]
    for (const role of mixture.encoders) {
      const encoder = encoders[role]!;
      const encoderConfig = config.encoders[role] as EncoderConfig;
      const pixels = role === 'clip' ? clipPixels! : dinoPixels === 'clip' ? clipPixels! : await encoder.preprocess(images);
      const tokens = await encoder.encodePixels(pixels, {
        tap: encoderConfig.tap ?? defaultTaps[role],
        tokens: encoderConfig.tokens,
        ...(options.signal ? { signal: options.signal } : {}),
      }); // [B, N, D]
      assertFinite(tokens, `${source}: encoder ${role} (${encoderConfig.model}) features`);
      features[role] = tokens;
      if (encoderConfig.tokens === 'patch') features[role === 'clip' ? 'clipGrid' : 'dinoGrid'] = patchGridFor(encoder, tokens, pixels);
    }
    return features;
  };

  return {
    config,
    mixture,
    encoders,
    adapters,
    describe: () => [...lines],
    encode,
    async visualTokens(images, options = {}) {
      const tokens = await mixture.mix(await encode(images, options)); // [B, T, H]
      assertFinite(tokens, `${source}: visual tokens after the adapters and the ${strategy} mixture`);
      return tokens;
    },
    async dispose() {
      for (const adapter of new Set(Object.values(adapters))) await adapter.dispose();
      for (const encoder of owned) await encoder.dispose();
    },
  };
}

/** The patch grid of the tokens: the encoder's own, or (when it read another size) a square one. */
function patchGridFor(encoder: VisionEncoderV1, tokens: Tensor, pixels: Tensor): readonly [number, number] | undefined {
  const count = tokens.dims[1]!;
  if (encoder.patchGrid[0] * encoder.patchGrid[1] === count) return encoder.patchGrid;
  const patchRows = encoder.imageSize[0] / encoder.patchGrid[0];
  const patchCols = encoder.imageSize[1] / encoder.patchGrid[1];
  const rows = pixels.dims[2]! / patchRows;
  const cols = pixels.dims[3]! / patchCols;
  return Number.isInteger(rows) && Number.isInteger(cols) && rows * cols === count ? [rows, cols] : undefined;
}

/**
 * The visual tokens [T, H] of one image under a pipeline config (what `mmvp tokens` writes): the
 * matrix that replaces the `<image>` placeholder in the LLM's input embeddings.
 */
export async function computeVisualTokens(config: PipelineConfig, image: ImageSource): Promise<Tensor> {
  const tokenizer = await createVisualTokenizer(config);
  try {
    const tokens = await tokenizer.visualTokens([image]); // [1, T, H]
    return { data: tokens.data, dims: tokens.dims.slice(1) }; // [T, H]
  } finally {
    await tokenizer.dispose();
  }
}
