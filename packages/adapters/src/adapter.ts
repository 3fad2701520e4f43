import type { Tensor } from '@mmvp/core';

/** LLaVA's projector types: one Linear, or Linear -> GELU -> Linear (`mlp2x_gelu`, LLaVA-1.5). */
export type AdapterType = 'linear' | 'mlp2x_gelu';
export const adapterTypes: readonly AdapterType[] = ['linear', 'mlp2x_gelu'];

/** Where the adapter's matrix products run. */
export type AdapterRuntime = 'js' | 'ort';
export const adapterRuntimes: readonly AdapterRuntime[] = ['js', 'ort'];

/** Projects encoder features into the LLM's embedding space: [B, N, inputSize] -> [B, N, outputSize]. */
export interface Adapter {
  readonly type: AdapterType;
  /** Encoder feature width the adapter expects (1024 for ViT-L/14). */
  readonly inputSize: number;
  /** LLM hidden size H (4096 for 7B, 5120 for 13B). */
  readonly outputSize: number;
  /** Where the products run, e.g. `js` or `ort:cpu`. */
  readonly runtime: string;
  project(features: Tensor): Promise<Tensor>;
  dispose(): Promise<void>;
}

/** Weights of one adapter, PyTorch layout: weight [out, in], bias [out]. */
export interface AdapterWeights {
  readonly type: AdapterType;
  readonly layers: readonly { readonly weight: Tensor; readonly bias: Tensor }[];
  /** Where the weights came from, for error messages: `file.safetensors (prefix 'model.mm_projector')`. */
  readonly source: string;
}
