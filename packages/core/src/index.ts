export * from './errors';
export * from './tensor';
export * from './npy';
export * from './safetensors';
export * from './zod-helpers';
export type { ImageSource, FeatureTap, TokenSelection, EncodeOptions, VisionEncoderV1, TextEncoderV1 } from './spec/vision-encoder';
export type { ComponentModule } from './spec/component-module';
export { MMVP_PATTERNS, type MmvpPattern } from './spec/patterns';
