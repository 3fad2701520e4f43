import { InvalidArgumentError, ShapeMismatchError, formatShape, listChoices, type Tensor } from '@mmvp/core';
import type { Adapter } from '@mmvp/adapters';
import { checkRatio, resolveKernelBackend, type KernelBackend, type KernelOptions } from '@mmvp/kernels';
import { mixtureStrategyNames, requiredEncoders, type MixtureFeatures, type MixtureStrategyName, type MixtureSweepResult } from './mixture-strategy';
import { resampleTokenGrid, tokenGrid } from './resample-token-grid';

/**
 * The adapters by role, as LLaVA names them:
 * - `clip`: `mm_projector` of a CLIP model, and the CLIP half of I-MoF;
 * - `dino`: the DINOv2 adapter (`dino_mm_projector` in I-MoF, or a DINOv2-only model's projector);
 * - `additive`: the A-MoF model's single adapter, applied after mixing.
 */
export interface MixtureAdapters {
  readonly clip?: Adapter;
  readonly dino?: Adapter;
  readonly additive?: Adapter;
}

/** Options of createMixture: the strategy, its adapters and its parameters. */
export interface MixtureOptions {
  readonly strategy: MixtureStrategyName;
  readonly adapters: MixtureAdapters;
  /** A-MoF DINOv2 ratio r in [0, 1]: (1 - r) * clip + r * dino. Required for `additive`. */
  readonly dinoRatio?: number;
  /**
   * When the encoders' patch grids differ: 'none' (default) fails with both grids named;
   * 'bilinear' resizes the DINOv2 grid to the CLIP grid (F.interpolate bilinear, align_corners=False).
   */
  readonly resampleTokenGrid?: 'none' | 'bilinear';
  /** Kernel backends for interleave / additive mix (default: the registry's order, js first). */
  readonly kernels?: KernelOptions;
}

/** Turns encoder features into the visual tokens spliced into the LLM: [B, T, H]. */
export interface Mixture {
  readonly strategy: MixtureStrategyName;
  readonly dinoRatio: number | undefined;
  /** The encoders this strategy reads, e.g. ['clip', 'dino']. */
  readonly encoders: readonly ('clip' | 'dino')[];
  /** Visual tokens per image: N for clip/dino/additive, 2N for interleaved. */
  tokenCount(patchTokens: number): number;
  /** Mixes the adapted CLIP and DINOv2 tokens into the visual tokens [B, T, H]. */
  mix(features: MixtureFeatures): Promise<Tensor>;
  /**
   * A-MoF at several ratios from the same encoder features (encode once, mix many), with the
   * additive adapter. Results come in the order of `ratios`.
   */
  sweep(features: MixtureFeatures, ratios: readonly number[]): Promise<MixtureSweepResult[]>;
  /** The kernel backend this mixture mixes with (resolved once, on first use or on this call). */
  kernelBackend(): Promise<KernelBackend>;
}

const resampleChoices = ['none', 'bilinear'] as const;

function need<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new InvalidArgumentError(message);
  return value;
}

/** Builds a mixture strategy; checks its adapters up front. */
export function createMixture(options: MixtureOptions): Mixture {
  const { strategy, adapters } = options;
  if (!(mixtureStrategyNames as readonly string[]).includes(strategy)) {
    throw new InvalidArgumentError(`unknown mixture strategy '${String(strategy)}'; valid choices: ${listChoices(mixtureStrategyNames)}`);
  }
  const resample = options.resampleTokenGrid ?? 'none';
  if (!(resampleChoices as readonly string[]).includes(resample)) {
    throw new InvalidArgumentError(`unknown resampleTokenGrid '${String(resample)}'; valid choices: ${listChoices(resampleChoices)}`);
  }
  if (strategy === 'additive') {
    need(options.dinoRatio, "strategy 'additive' needs dinoRatio, a number in [0, 1] (the DINOv2 share: (1 - r) * clip + r * dino)");
    checkRatio(options.dinoRatio!);
  } else if (options.dinoRatio !== undefined) {
    checkRatio(options.dinoRatio);
  }
  const needed: Record<MixtureStrategyName, readonly (keyof MixtureAdapters)[]> = {
    clip: ['clip'],
    dino: ['dino'],
    additive: ['additive'],
    interleaved: ['clip', 'dino'],
  };
  for (const role of needed[strategy]) {
    need(adapters[role], `strategy '${strategy}' needs the '${role}' adapter (needs: ${listChoices(needed[strategy])})`);
  }
  if (strategy === 'interleaved' && adapters.clip!.outputSize !== adapters.dino!.outputSize) {
    throw new ShapeMismatchError(`interleaved tokens need both adapters to give the LLM hidden size, but the CLIP adapter gives ${adapters.clip!.outputSize} and the DINOv2 adapter ${adapters.dino!.outputSize}`);
  }

  let backend: Promise<KernelBackend> | undefined;
  let mixBuffer: Float32Array | undefined; // [B, N, D] of the largest batch so far, reused by mixAdditive
  let mixBufferBusy = false;
  const kernels = (): Promise<KernelBackend> => (backend ??= resolveKernelBackend(options.kernels));

  const encoders = requiredEncoders(strategy);

  /** Present features, equal batch, and (for two encoders) equal token grids after optional resampling. */
  const align = (features: MixtureFeatures, wanted: readonly ('clip' | 'dino')[]): { clip?: Tensor; dino?: Tensor } => {
    for (const name of wanted) {
      const t = features[name];
      need(t, `strategy '${strategy}' needs ${name === 'clip' ? 'CLIP' : 'DINOv2'} features (it reads ${listChoices(wanted)})`);
      if (t!.dims.length !== 3) throw new ShapeMismatchError(`${name} features must be [B, N, D], got ${formatShape(t!.dims)}`);
    }
    if (wanted.length === 1) return { [wanted[0]!]: features[wanted[0]!] };
    const clip = features.clip!;
    let dino = features.dino!;
    if (clip.dims[0] !== dino.dims[0]) {
      throw new ShapeMismatchError(`CLIP features ${formatShape(clip.dims)} and DINOv2 features ${formatShape(dino.dims)} have different batch sizes`);
    }
    const clipGrid = features.clipGrid;
    const dinoGrid = features.dinoGrid;
    const gridsDiffer = clip.dims[1] !== dino.dims[1] || (clipGrid !== undefined && dinoGrid !== undefined && (clipGrid[0] !== dinoGrid[0] || clipGrid[1] !== dinoGrid[1]));
    if (gridsDiffer) {
      const describe = (n: number, grid: readonly [number, number] | undefined): string => `${n} tokens${grid ? ` (${grid[0]}x${grid[1]})` : ''}`;
      if (resample === 'none') {
        throw new ShapeMismatchError(
          `CLIP and DINOv2 token grids differ: CLIP gives ${describe(clip.dims[1]!, clipGrid)}, DINOv2 ${describe(dino.dims[1]!, dinoGrid)}; ` +
            `use the same input resolution and patch size for both encoders, or set resampleTokenGrid: 'bilinear' to resize the DINOv2 grid to the CLIP grid`,
        );
      }
      const target = tokenGrid(clip.dims[1]!, clipGrid, 'CLIP features');
      dino = resampleTokenGrid(dino, tokenGrid(dino.dims[1]!, dinoGrid, 'DINOv2 features'), target); // [B, N_clip, D]
    }
    return { clip, dino };
  };

  const mixAdditive = async (clip: Tensor, dino: Tensor, ratio: number): Promise<Tensor> => {
    if (clip.dims[2] !== dino.dims[2]) {
      throw new ShapeMismatchError(`additive mixing needs equal feature widths, but CLIP features are ${formatShape(clip.dims)} and DINOv2 features ${formatShape(dino.dims)}`);
    }
    // The mix goes into one array reused across batches and ratios (the adapter reads it and returns
    // its own tensor): a fresh 12-94 MB output per call cost more than the mix itself. While one call's
    // adapter still reads it, an overlapping call gets a fresh array.
    const length = clip.data.length;
    const reuse = !mixBufferBusy;
    if (reuse && (mixBuffer === undefined || mixBuffer.length < length)) mixBuffer = new Float32Array(length);
    const out = reuse ? mixBuffer!.subarray(0, length) : undefined;
    if (reuse) mixBufferBusy = true;
    try {
      const mixed = await (await kernels()).additiveMix(clip, dino, ratio, out); // [B, N, D]
      const projected = await adapters.additive!.project(mixed); // [B, N, H]
      if (out !== undefined && projected.data.buffer === out.buffer) mixBuffer = undefined; // the adapter handed it back: it is the caller's now
      return projected;
    } finally {
      if (reuse) mixBufferBusy = false;
    }
  };

  return {
    strategy,
    dinoRatio: options.dinoRatio,
    encoders,
    tokenCount: (patchTokens) => (strategy === 'interleaved' ? 2 * patchTokens : patchTokens),
    async mix(features: MixtureFeatures): Promise<Tensor> {
      const { clip, dino } = align(features, encoders);
      switch (strategy) {
        case 'clip':
          return adapters.clip!.project(clip!); // [B, N, H]
        case 'dino':
          return adapters.dino!.project(dino!); // [B, N, H]
        case 'additive':
          return mixAdditive(clip!, dino!, options.dinoRatio!); // [B, N, H]
        case 'interleaved': {
          const clipTokens = await adapters.clip!.project(clip!); // [B, N, H]
          const dinoTokens = await adapters.dino!.project(dino!); // [B, N, H]
          return (await kernels()).interleave(clipTokens, dinoTokens); // [B, 2N, H]
        }
      }
    },
    async sweep(features: MixtureFeatures, ratios: readonly number[]): Promise<MixtureSweepResult[]> {
      need(adapters.additive, "sweep needs the 'additive' adapter (the A-MoF adapter applied after mixing)");
      if (ratios.length === 0) throw new InvalidArgumentError('sweep needs at least one dinoRatio');
      for (const ratio of ratios) checkRatio(ratio);
      const { clip, dino } = align(features, ['clip', 'dino']);
      const results: MixtureSweepResult[] = [];
      for (const ratio of ratios) results.push({ dinoRatio: ratio, tokens: await mixAdditive(clip!, dino!, ratio) });
      return results;
    },
    kernelBackend: kernels,
  };
}
