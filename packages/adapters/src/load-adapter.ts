import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { adapterRuntimes, type Adapter, type AdapterRuntime, type AdapterType } from './adapter';
import { createJsAdapter } from './js-adapter';
import { readAdapterWeights } from './load-adapter-weights';
import { createOrtAdapter } from './ort-adapter';

/** Options of loadAdapter: adapter type, weights file, tensor prefix and expected widths. */
export interface LoadAdapterOptions {
  readonly type: AdapterType;
  /** A .safetensors file: a LLaVA checkpoint shard, a stage-1 projector, or bare `0.weight`... */
  readonly weightsPath: string;
  /** 'model.mm_projector', 'model.dino_mm_projector', '' for bare names; omitted = find it. */
  readonly prefix?: string;
  /** Encoder width the adapter must accept (checked against the weights). */
  readonly inputSize?: number;
  /** LLM hidden size the adapter must produce (checked against the weights). */
  readonly hiddenSize?: number;
  /** 'ort' (default): an ONNX graph on onnxruntime; 'js': tiled loops in JavaScript. */
  readonly runtime?: AdapterRuntime;
  readonly executionProvider?: 'cpu' | 'webgpu' | 'cuda';
}

/** Loads a LLaVA projection adapter (`linear` or `mlp2x_gelu`) from safetensors. */
export async function loadAdapter(options: LoadAdapterOptions): Promise<Adapter> {
  const runtime = options.runtime ?? 'ort';
  if (!(adapterRuntimes as readonly string[]).includes(runtime)) {
    throw new InvalidArgumentError(`unknown adapter runtime '${String(runtime)}'; valid choices: ${listChoices(adapterRuntimes)}`);
  }
  const weights = await readAdapterWeights(options.weightsPath, options.type, {
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.inputSize === undefined ? {} : { inputSize: options.inputSize }),
    ...(options.hiddenSize === undefined ? {} : { hiddenSize: options.hiddenSize }),
  });
  if (runtime === 'js') return createJsAdapter(weights);
  return createOrtAdapter(weights, { executionProvider: options.executionProvider ?? 'cpu' });
}
