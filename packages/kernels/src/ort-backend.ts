import * as ort from 'onnxruntime-node';
import { ModelLoadError, type Tensor } from '@mmvp/core';
import { buildModel } from '@mmvp/onnx';
import { checkInterleaveArguments, checkMixArguments, outputArray } from './kernel-arguments';
import type { KernelBackend, KernelDevice } from './kernel-backend';

/** Options of the `ort` kernel backend. */
export interface OrtBackendOptions {
  /** onnxruntime execution provider the kernels run on, so tokens can stay where the model runs. */
  readonly executionProvider?: KernelDevice;
}

/**
 * What this onnxruntime-node build says about its execution providers, e.g. `cpu (bundled), webgpu
 * (bundled), cuda (not bundled)`. onnxruntime-node 1.30.0 on linux-x64 bundles cpu and webgpu (Dawn,
 * which needs a Vulkan driver and a GPU adapter at run time); the CUDA and TensorRT provider
 * libraries are fetched by its install script, which this workspace skips (ONNXRUNTIME_NODE_INSTALL=skip).
 */
export function describeOrtExecutionProviders(): string {
  const list = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends;
  if (typeof list !== 'function') return 'unknown (this onnxruntime-node has no listSupportedBackends)';
  return list()
    .map((backend) => `${backend.name} (${backend.bundled ? 'bundled' : 'not bundled'})`)
    .join(', ');
}

// What usually stands behind a start-up failure of each GPU execution provider on Linux.
const providerHints: Partial<Record<KernelDevice, string>> = {
  webgpu: '; the webgpu EP (Dawn, bundled) needs a GPU adapter through a Vulkan driver (libvulkan.so.1)',
  cuda:
    "; the CUDA EP's libraries are not part of the package: onnxruntime-node's install script fetches them only with " +
    'ONNXRUNTIME_NODE_INSTALL_CUDA=v12 (this workspace runs no install scripts), and they need CUDA 12 and cuDNN 9',
};

/**
 * Interleave as an ONNX graph: a, b [B, N, H] -> Unsqueeze(axis 2) -> Concat(axis 2) [B, N, 2, H]
 * -> Reshape(shape input) [B, 2N, H]. The target shape is an input so one graph serves all sizes.
 */
function buildInterleaveModel(): Uint8Array {
  return buildModel({
    graphName: 'mmvp_interleave',
    inputs: [
      { name: 'a', shape: ['B', 'N', 'H'] },
      { name: 'b', shape: ['B', 'N', 'H'] },
      { name: 'shape', type: 'int64', shape: [3] },
    ],
    outputs: [{ name: 'out', shape: ['B', 'T', 'H'] }],
    initializers: [{ name: 'axis2', dims: [1], data: BigInt64Array.from([2n]) }],
    nodes: [
      { opType: 'Unsqueeze', inputs: ['a', 'axis2'], outputs: ['a4'] }, // [B, N, 1, H]
      { opType: 'Unsqueeze', inputs: ['b', 'axis2'], outputs: ['b4'] }, // [B, N, 1, H]
      { opType: 'Concat', inputs: ['a4', 'b4'], outputs: ['pairs'], attributes: { axis: 2 } }, // [B, N, 2, H]
      { opType: 'Reshape', inputs: ['pairs', 'shape'], outputs: ['out'] }, // [B, 2N, H]
    ],
  });
}

/** Additive mix as an ONNX graph: out = Mul(a, keep) + Mul(b, take); keep = 1 - r, take = r (inputs). */
function buildAdditiveMixModel(): Uint8Array {
  return buildModel({
    graphName: 'mmvp_additive_mix',
    inputs: [
      { name: 'a' }, // any shape, e.g. [B, N, D]
      { name: 'b' },
      { name: 'keep', shape: [1] },
      { name: 'take', shape: [1] },
    ],
    outputs: [{ name: 'out' }],
    nodes: [
      { opType: 'Mul', inputs: ['a', 'keep'], outputs: ['scaled_a'] }, // [B, N, D]
      { opType: 'Mul', inputs: ['b', 'take'], outputs: ['scaled_b'] }, // [B, N, D]
      { opType: 'Add', inputs: ['scaled_a', 'scaled_b'], outputs: ['out'] }, // [B, N, D]
    ],
  });
}

/**
 * Token kernels run by onnxruntime-node on the chosen execution provider. Inputs go in as host
 * tensors and the result comes back to the host (written into `out` when given, as a pre-allocated
 * output); device-resident outputs between adapter and decoder are not used (README: why).
 */
export async function createOrtBackend(options: OrtBackendOptions = {}): Promise<KernelBackend> {
  const provider = options.executionProvider ?? 'cpu';
  let interleaveSession: ort.InferenceSession;
  let mixSession: ort.InferenceSession;
  try {
    const sessionOptions: ort.InferenceSession.SessionOptions = { executionProviders: [provider] };
    interleaveSession = await ort.InferenceSession.create(buildInterleaveModel(), sessionOptions);
    mixSession = await ort.InferenceSession.create(buildAdditiveMixModel(), sessionOptions);
  } catch (cause) {
    const message = (cause as Error).message.split('\n')[0];
    throw new ModelLoadError(
      `onnxruntime-node ${ort.env.versions.node ?? ''} cannot run the kernel graphs on execution provider '${provider}': ${message}${providerHints[provider] ?? ''} ` +
        `(this build lists: ${describeOrtExecutionProviders()}; valid --device choices: 'cpu', 'webgpu', 'cuda')`,
      { cause },
    );
  }
  return {
    name: 'ort',
    description: `onnxruntime-node ${ort.env.versions.node ?? ''} EP '${provider}'`.replace('  ', ' '),
    async interleave(a: Tensor, b: Tensor, out?: Float32Array): Promise<Tensor> {
      const [batch, tokens, width] = checkInterleaveArguments(a, b);
      const dims = [batch, tokens, width];
      const outDims = [batch, 2 * tokens, width];
      const feeds = {
        a: new ort.Tensor('float32', a.data, dims),
        b: new ort.Tensor('float32', b.data, dims),
        shape: new ort.Tensor('int64', BigInt64Array.from([BigInt(batch), BigInt(2 * tokens), BigInt(width)]), [3]),
      };
      if (out === undefined) return { data: (await interleaveSession.run(feeds)).out!.data as Float32Array, dims: outDims };
      const target = outputArray(out, 2 * a.data.length); // [B, 2N, H]
      await interleaveSession.run(feeds, { out: new ort.Tensor('float32', target, outDims) }); // ORT writes into target
      return { data: target, dims: outDims };
    },
    async additiveMix(a: Tensor, b: Tensor, ratio: number, out?: Float32Array): Promise<Tensor> {
      checkMixArguments(a, b, ratio);
      const dims = [...a.dims];
      const feeds = {
        a: new ort.Tensor('float32', a.data, dims),
        b: new ort.Tensor('float32', b.data, dims),
        keep: new ort.Tensor('float32', Float32Array.of(1 - ratio), [1]),
        take: new ort.Tensor('float32', Float32Array.of(ratio), [1]),
      };
      if (out === undefined) return { data: (await mixSession.run(feeds)).out!.data as Float32Array, dims };
      const target = outputArray(out, a.data.length); // same shape as a
      await mixSession.run(feeds, { out: new ort.Tensor('float32', target, dims) }); // ORT writes into target
      return { data: target, dims };
    },
    async dispose(): Promise<void> {
      await interleaveSession.release();
      await mixSession.release();
    },
  };
}
