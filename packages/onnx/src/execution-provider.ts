import * as ort from 'onnxruntime-node';
import { InvalidArgumentError, ModelLoadError, listChoices } from '@mmvp/core';

/** Where ONNX Runtime runs the graph. */
export type ExecutionProvider = 'cpu' | 'webgpu' | 'cuda';

/** Every execution provider name, for validation and error messages (not all are in the npm build). */
export const executionProviders: readonly [ExecutionProvider, ...ExecutionProvider[]] = ['cpu', 'webgpu', 'cuda'];

/** The providers this onnxruntime-node build reports, with whether their libraries ship in the package. */
export function listExecutionProviders(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((backend) => ({ name: backend.name, bundled: backend.bundled }));
}

/**
 * Validates an execution provider name against this onnxruntime-node build. CUDA is not bundled in the
 * npm package (its libraries come from a NuGet download that `ONNXRUNTIME_NODE_INSTALL=skip` turns off),
 * so asking for it fails here with what the build does support, rather than deep inside session creation.
 */
export function checkExecutionProvider(name: string): ExecutionProvider {
  if (!(executionProviders as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`unknown execution provider '${name}'; valid choices: ${listChoices(executionProviders)}`);
  }
  const supported = listExecutionProviders();
  const entry = supported.find((backend) => backend.name === name);
  const usable = supported.filter((backend) => backend.bundled).map((backend) => backend.name);
  if (!entry?.bundled) {
    throw new ModelLoadError(
      `execution provider '${name}' is not available in this onnxruntime-node ${ort.env.versions.node ?? ''} build; ` +
        `it supports ${listChoices(usable)}` +
        (name === 'cuda' ? ' (CUDA needs onnxruntime-node installed without ONNXRUNTIME_NODE_INSTALL=skip, on linux-x64 with CUDA 12)' : ''),
    );
  }
  return name as ExecutionProvider;
}
