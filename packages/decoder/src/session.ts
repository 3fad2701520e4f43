import type * as ort from 'onnxruntime-node';
import { getSession, type ExecutionProvider } from '@mmvp/onnx';

export type { ExecutionProvider };

/**
 * The decoder's ONNX sessions come from @mmvp/onnx's shared cache (one session per file and options),
 * so a pipeline and an evaluation loop that load the same folder share the weights in memory.
 */
export function openSession(modelPath: string, executionProvider: ExecutionProvider = 'cpu', intraOpThreads?: number): Promise<ort.InferenceSession> {
  return getSession(modelPath, { executionProvider, ...(intraOpThreads === undefined ? {} : { intraOpThreads }) });
}
