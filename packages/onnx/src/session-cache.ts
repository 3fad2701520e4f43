import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { FileFormatError, InvalidArgumentError, ModelLoadError, listChoices } from '@mmvp/core';
import { checkExecutionProvider, type ExecutionProvider } from './execution-provider';

/** Options of a cached onnxruntime session: execution provider and thread counts. */
export interface SessionOptions {
  /** 'cpu' (default), 'webgpu', or 'cuda' where this onnxruntime-node build has it. */
  readonly executionProvider?: ExecutionProvider;
  /** Threads inside one operator (default: ORT's choice, the number of physical cores). */
  readonly intraOpThreads?: number;
  /** Threads across independent operators (default 1: transformer graphs are sequential). */
  readonly interOpThreads?: number;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

function cacheKey(path: string, options: SessionOptions): string {
  return JSON.stringify([path, options.executionProvider ?? 'cpu', options.intraOpThreads ?? 0, options.interOpThreads ?? 1]);
}

/**
 * The one ORT session for a model file and options. Sessions are expensive (graph optimisation, weight
 * loading, and onnxruntime#25325: memory grows on repeated create/release), so they are created once per
 * path + options and shared. External data files (`model.onnx_data`) load because ORT is given the path.
 */
export function getSession(modelPath: string, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const path = resolve(modelPath);
  const key = cacheKey(path, options);
  let session = sessions.get(key);
  if (!session) {
    session = createSession(path, options);
    sessions.set(key, session);
    session.catch(() => sessions.delete(key)); // a failed load is retried next time, not cached
  }
  return session;
}

async function createSession(path: string, options: SessionOptions): Promise<ort.InferenceSession> {
  const provider = checkExecutionProvider(options.executionProvider ?? 'cpu');
  for (const [name, value] of [
    ['intraOpThreads', options.intraOpThreads],
    ['interOpThreads', options.interOpThreads],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer (0 = ORT's default), got ${value}`);
    }
  }
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelLoadError(`ONNX model path ${path} is not a file`);
  } catch (cause) {
    if (ModelLoadError.isInstance(cause)) throw cause;
    throw new ModelLoadError(`ONNX model file ${path} does not exist`, { cause });
  }
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    interOpNumThreads: options.interOpThreads ?? 1,
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
  };
  try {
    return await ort.InferenceSession.create(path, sessionOptions);
  } catch (cause) {
    const message = (cause as Error).message ?? String(cause);
    if (/protobuf|parsing failed|Load model .* failed|INVALID_PROTOBUF/i.test(message)) {
      throw new FileFormatError(`${path} is not a valid ONNX model: ${message}`, { cause });
    }
    if (provider === 'webgpu' && /adapter/i.test(message)) {
      // Dawn's native message is a long source-location dump; keep its reason only.
      const firstLine = message.trim().split('\n')[0]!;
      const reason = /Failed to get a WebGPU adapter.*/.exec(firstLine)?.[0] ?? firstLine.slice(0, 200);
      throw new ModelLoadError(`no WebGPU adapter could be created on this machine (${reason}); use executionProvider 'cpu'`, { cause });
    }
    throw new ModelLoadError(`onnxruntime could not load ${path} on '${provider}': ${message}`, { cause });
  }
}

/** Releases and forgets every cached session (tests, long-running apps switching models). */
export async function releaseSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map(async (s) => (await s.catch(() => null))?.release()));
}

/** Number of sessions currently cached (for tests and diagnostics). */
export function cachedSessionCount(): number {
  return sessions.size;
}

/**
 * Checks that a session has the inputs and outputs a model family needs; the error lists what the file
 * really has, which is what a user with a differently exported model needs to see.
 */
export function checkSessionNames(session: ort.InferenceSession, expected: { inputs?: readonly string[]; outputs?: readonly string[] }, modelPath: string): void {
  for (const name of expected.inputs ?? []) {
    if (!session.inputNames.includes(name)) {
      throw new ModelLoadError(`${modelPath} has no input '${name}'; its inputs are ${listChoices(session.inputNames)}`);
    }
  }
  for (const name of expected.outputs ?? []) {
    if (!session.outputNames.includes(name)) {
      throw new ModelLoadError(`${modelPath} has no output '${name}'; its outputs are ${listChoices(session.outputNames)}`);
    }
  }
}
