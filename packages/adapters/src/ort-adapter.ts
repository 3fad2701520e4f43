import * as ort from 'onnxruntime-node';
import { ModelLoadError, type Tensor } from '@mmvp/core';
import { buildModel, type NodeSpec, type InitializerSpec } from '@mmvp/onnx';
import type { Adapter, AdapterWeights } from './adapter';
import { checkFeatures } from './js-adapter';
import { transposeWeight } from './matmul';

/**
 * The adapter as an ONNX graph: MatMul + Add (+ exact GELU as Div/Erf/Add/Mul/Mul, which
 * onnxruntime fuses into its Gelu kernel) + MatMul + Add, with the weights as initializers.
 */
function buildAdapterModel(weights: AdapterWeights): Uint8Array {
  const initializers: InitializerSpec[] = [];
  const nodes: NodeSpec[] = [];
  let current = 'features'; // [B, N, Din]
  weights.layers.forEach(({ weight, bias }, index) => {
    const [outSize, inSize] = weight.dims as [number, number];
    initializers.push({ name: `w${index}`, dims: [inSize, outSize], data: transposeWeight(weight.data, outSize, inSize) });
    initializers.push({ name: `b${index}`, dims: [outSize], data: bias.data });
    nodes.push({ opType: 'MatMul', inputs: [current, `w${index}`], outputs: [`mm${index}`] }); // [B, N, H]
    const added = index === weights.layers.length - 1 ? 'tokens' : `lin${index}`;
    nodes.push({ opType: 'Add', inputs: [`mm${index}`, `b${index}`], outputs: [added] }); // [B, N, H]
    current = added;
    if (index < weights.layers.length - 1) {
      // GELU(x) = x * 0.5 * (1 + erf(x / sqrt(2)))
      if (!initializers.some((i) => i.name === 'sqrt2')) {
        initializers.push({ name: 'sqrt2', dims: [], data: Float32Array.of(Math.SQRT2) });
        initializers.push({ name: 'one', dims: [], data: Float32Array.of(1) });
        initializers.push({ name: 'half', dims: [], data: Float32Array.of(0.5) });
      }
      nodes.push({ opType: 'Div', inputs: [current, 'sqrt2'], outputs: [`scaled${index}`] });
      nodes.push({ opType: 'Erf', inputs: [`scaled${index}`], outputs: [`erf${index}`] });
      nodes.push({ opType: 'Add', inputs: [`erf${index}`, 'one'], outputs: [`erf_plus_one${index}`] });
      nodes.push({ opType: 'Mul', inputs: [current, `erf_plus_one${index}`], outputs: [`gelu_twice${index}`] });
      nodes.push({ opType: 'Mul', inputs: [`gelu_twice${index}`, 'half'], outputs: [`gelu${index}`] }); // [B, N, H]
      current = `gelu${index}`;
    }
  });
  const inputSize = weights.layers[0]!.weight.dims[1]!;
  const outputSize = weights.layers[0]!.weight.dims[0]!;
  return buildModel({
    graphName: `mmvp_adapter_${weights.type}`,
    inputs: [{ name: 'features', shape: ['B', 'N', inputSize] }],
    outputs: [{ name: 'tokens', shape: ['B', 'N', outputSize] }],
    nodes,
    initializers,
  });
}

/** Runs an adapter graph with onnxruntime-node on the given execution provider. */
export async function createOrtAdapter(weights: AdapterWeights, options: { executionProvider?: 'cpu' | 'webgpu' | 'cuda'; intraOpThreads?: number } = {}): Promise<Adapter> {
  const provider = options.executionProvider ?? 'cpu';
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(buildAdapterModel(weights), {
      executionProviders: [provider],
      ...(options.intraOpThreads === undefined ? {} : { intraOpNumThreads: options.intraOpThreads }),
    });
  } catch (cause) {
    throw new ModelLoadError(`onnxruntime-node cannot run the adapter from ${weights.source} on '${provider}': ${(cause as Error).message}`, { cause });
  }
  const inputSize = weights.layers[0]!.weight.dims[1]!;
  const outputSize = weights.layers[0]!.weight.dims[0]!;
  return {
    type: weights.type,
    inputSize,
    outputSize,
    runtime: `ort:${provider}`,
    async project(features: Tensor): Promise<Tensor> {
      checkFeatures(features, inputSize, outputSize, weights.source);
      const rows = features.data.length / inputSize;
      const result = await session.run({ features: new ort.Tensor('float32', features.data, [1, rows, inputSize]) });
      return { data: result.tokens!.data as Float32Array, dims: [...features.dims.slice(0, -1), outputSize] };
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
