import { ShapeMismatchError, formatShape, type Tensor } from '@mmvp/core';
import type { Adapter, AdapterWeights } from './adapter';
import { geluInPlace } from './gelu';
import { linearForward, transposeWeight } from './matmul';

/** Runs an adapter with tiled Float32Array loops on the calling thread. */
export function createJsAdapter(weights: AdapterWeights): Adapter {
  const layers = weights.layers.map(({ weight, bias }) => {
    const [outSize, inSize] = weight.dims as [number, number];
    return { outSize, inSize, weightTransposed: transposeWeight(weight.data, outSize, inSize), bias: bias.data };
  });
  const inputSize = layers[0]!.inSize;
  const outputSize = layers[0]!.outSize;
  return {
    type: weights.type,
    inputSize,
    outputSize,
    runtime: 'js',
    async project(features: Tensor): Promise<Tensor> {
      checkFeatures(features, inputSize, outputSize, weights.source);
      const rows = features.data.length / inputSize; // B * N
      let hidden = features.data; // [B*N, Din]
      layers.forEach((layer, index) => {
        hidden = linearForward(hidden, rows, layer.inSize, layer.weightTransposed, layer.bias, layer.outSize); // [B*N, H]
        if (index < layers.length - 1) geluInPlace(hidden);
      });
      return { data: hidden, dims: [...features.dims.slice(0, -1), outputSize] };
    },
    async dispose(): Promise<void> {},
  };
}

/** Features must be [B, N, Din] (or [N, Din]) with Din = the adapter's input width. */
export function checkFeatures(features: Tensor, inputSize: number, outputSize: number, source: string): void {
  const width = features.dims[features.dims.length - 1];
  if (features.dims.length < 2 || width !== inputSize) {
    throw new ShapeMismatchError(
      `encoder features ${formatShape(features.dims)} do not fit the adapter from ${source}: encoder width ${width ?? '(none)'}, adapter input width ${inputSize}, LLM hidden size ${outputSize}`,
    );
  }
}
