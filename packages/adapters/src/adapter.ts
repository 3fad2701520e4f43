import type { Tensor } from '@mmvp/core';

/** LLaVA's projector types: one Linear, or Linear -> GELU -> Linear (`mlp2x_gelu`, LLaVA-1.5). */
export type AdapterType = 'linear' | 'mlp2x_gelu';
/** Every adapter type, for validation and error messages. */
export const adapterTypes: readonly AdapterType[] = ['linear', 'mlp2x_gelu'];

/** Where the adapter's matrix products run. */
export type AdapterRuntime = 'js' | 'ort';
/** Every adapter runtime (`js` matrix product or onnxruntime `ort`), for validation and error messages. */
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
  /** Projects encoder features [B, N, D_in] to LLM-width tokens [B, N, H]. */
  project(features: Tensor): Promise<Tensor>;
  /** Releases the ONNX session, if the `ort` runtime made one. */
  dispose(): Promise<void>;
}

/** Weights of one adapter, PyTorch layout: weight [out, in], bias [out]. */
export interface AdapterWeights {
  readonly type: AdapterType;
  readonly layers: readonly { readonly weight: Tensor; readonly bias: Tensor }[];
  /** Where the weights came from, for error messages: `file.safetensors (prefix 'model.mm_projector')`. */
  readonly source: string;
}
