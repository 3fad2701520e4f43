/**
 * Adapter throughput: tokens/s through LLaVA-1.5-13B's mlp2x_gelu projector (1024 -> 5120 -> 5120,
 * random weights) with our tiled JavaScript matmul against onnxruntime-node running the same MLP as
 * an ONNX graph (MatMul/Add/Erf, built by @mmvp/adapters), on the same tokens.
 * MMVP_BENCH_TOKENS (default 64) sets the tokens per call (576 = one 336-px image);
 * MMVP_BENCH_EP=webgpu|cuda runs the graph on that execution provider too.
 */
import { createJsAdapter, createOrtAdapter, type AdapterWeights } from '@mmvp/adapters';
import { measure, printTable } from './timing';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const data = new Float32Array(rows * cols);
  const scale = 1 / Math.sqrt(cols);
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = ((state / 2 ** 32) * 2 - 1) * scale;
  }
  return data;
}

export default async function run(): Promise<void> {
  const inputSize = 1024;
  const hidden = 5120;
  const tokens = Number(process.env.MMVP_BENCH_TOKENS ?? 64);
  const weights: AdapterWeights = {
    type: 'mlp2x_gelu',
    source: 'random 1024 -> 5120 -> 5120',
    layers: [
      { weight: { data: randomMatrix(hidden, inputSize, 1), dims: [hidden, inputSize] }, bias: { data: randomMatrix(1, hidden, 2), dims: [hidden] } },
      { weight: { data: randomMatrix(hidden, hidden, 3), dims: [hidden, hidden] }, bias: { data: randomMatrix(1, hidden, 4), dims: [hidden] } },
    ],
  };
  const features = { data: randomMatrix(tokens, inputSize, 5), dims: [1, tokens, inputSize] };
  const flops = 2 * tokens * (inputSize * hidden + hidden * hidden);
  const adapters = [createJsAdapter(weights), await createOrtAdapter(weights, { executionProvider: 'cpu' })];
  const provider = process.env.MMVP_BENCH_EP as 'webgpu' | 'cuda' | undefined;
  if (provider) {
    try {
      adapters.push(await createOrtAdapter(weights, { executionProvider: provider }));
    } catch (error) {
      console.log(`onnxruntime EP ${provider} unavailable: ${(error as Error).message}`);
    }
  }
  const outputs: Float32Array[] = [];
  const rows: Record<string, string | number>[] = [];
  let ortRate = 0;
  for (const adapter of adapters) {
    const timing = await measure(async () => outputs.push((await adapter.project(features)).data), { minSeconds: 3, warmup: 1, minIterations: 2 });
    const rate = tokens * timing.perSecond;
    if (adapter.runtime === 'ort:cpu') ortRate = rate;
    rows.push({ adapter: `mlp2x_gelu 1024->5120->5120 on ${adapter.runtime}`, tokens, 'ms/call': 1000 / timing.perSecond, 'tokens/s': rate, GFLOP_s: (flops * timing.perSecond) / 1e9 });
  }
  for (const row of rows) row['vs ort:cpu'] = (row['tokens/s'] as number) / ortRate;
  printTable(rows);
  // The runtimes must agree (they are the same function).
  const [first, second] = [outputs[0]!, outputs[outputs.length - 1]!];
  let max = 0;
  for (let i = 0; i < first.length; i++) max = Math.max(max, Math.abs(first[i]! - second[i]!));
  console.log(`max abs difference between the js and the last onnxruntime output: ${max.toExponential(2)}`);
  for (const adapter of adapters) await adapter.dispose();
}
