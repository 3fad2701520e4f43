export type { Adapter, AdapterType, AdapterRuntime, AdapterWeights } from './adapter';
/** @public the valid adapter types and runtimes, for a caller's own option checks */
export { adapterTypes, adapterRuntimes } from './adapter';
export { loadAdapter } from './load-adapter';
export type { LoadAdapterOptions } from './load-adapter';
export { readAdapterWeights } from './load-adapter-weights';
export type { AdapterShapeExpectations } from './load-adapter-weights';
/** @public build an adapter from weights already in memory (no file), in JavaScript or onnxruntime */
export { createJsAdapter } from './js-adapter';
/** @public build an adapter from weights already in memory (no file), in JavaScript or onnxruntime */
export { createOrtAdapter } from './ort-adapter';
export { erf, geluInPlace } from './gelu';
