export { buildModel } from './build-model';
export type { ModelSpec, NodeSpec, ValueSpec, InitializerSpec, AttributeValue, ElementType } from './build-model';
export { decodeModel, encodeModel } from './proto/onnx-proto';
export type { ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, AttributeProto } from './proto/onnx-proto';
/** @public which execution providers this onnxruntime build offers, checked before a session opens */
export { checkExecutionProvider, listExecutionProviders, executionProviders } from './execution-provider';
export type { ExecutionProvider } from './execution-provider';
export { getSession, releaseSessions, checkSessionNames } from './session-cache';
export type { SessionOptions } from './session-cache';
/** @public tensor conversion for a caller running its own onnxruntime session */
export { tensorToOrt, ortToTensor, int64TensorToOrt, float16BitsToNumber } from './tensor-conversion';
export { resolveModelFolder, dtypeSuffixes, modelDtypes } from './model-folder';
export type { ModelFolder, ModelDtype } from './model-folder';
/** @public resolve a graph tap (a layer's hidden state) of a caller's own model */
export { resolveTap, clipVisionNaming, dinov2Naming, siglipVisionNaming } from './graph-tap';
export type { GraphTap, GraphNaming, TapOptions, ResolvedTap } from './graph-tap';
export type { DataFlow, ScopeInputs } from './graph-data-flow';
/** @public the CLS/patch token selection of a vision tower, on a caller's own hidden states */
export { selectTokens } from './token-selection';
export { createVisionTower } from './vision-tower';
export { checkFiniteOutput } from './numeric-check';
export type { VisionTower, VisionTowerOptions, Int8LoadReport } from './vision-tower';
export { currentCpuFeatures, int8KernelInfo } from './cpu-features';
export type { CpuFeatures, Int8Arithmetic, Int8KernelInfo } from './cpu-features';
/** @public inspect a model file's quantization before loading it */
export { readQuantizationFormat, readQuantizationFormatFile, describeQuantizationFormat, isEightBitFileName } from './quantization-format';
export type { QuantizationFormat, Int8Format } from './quantization-format';
export { reportInt8Warning } from './int8-warning';
export { inspectModelFolder, formatModelFolderReport } from './inspect-model';
export type { ModelFolderReport, InspectedOnnxFile, InspectedValue, OfferedTap, TapCacheEntry } from './inspect-model';
