export type { KernelBackend, KernelBackendFactory, KernelBackendName, KernelDevice } from './kernel-backend';
export { KernelBackendRegistry } from './backend-registry';
export { createJsBackend, interleaveJs, additiveMixJs } from './js-backend';
export { createWasmBackend } from './wasm-backend';
export { createWasmTokenArena, wasmArenaOf } from './wasm-token-arena';
export { createGpuJsBackend } from './gpujs-backend';
export type { GpuJsMode, GpuJsBackendOptions } from './gpujs-backend';
export { createOrtBackend, describeOrtExecutionProviders } from './ort-backend';
export type { OrtBackendOptions } from './ort-backend';
/** @public the kernels themselves (the registry's default backend), for a caller's own mixing */
export { createKernelRegistry, resolveKernelBackend, describeKernelBackend, interleave, additiveMix } from './default-registry';
export type { KernelOptions, KernelRegistryOptions } from './default-registry';
export { checkRatio } from './kernel-arguments';
