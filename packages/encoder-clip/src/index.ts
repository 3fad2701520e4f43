import { clipVisionEncoderModule } from './clip-component';

export { createClipVisionEncoder } from './clip-vision-encoder';
export type { ClipVisionEncoder } from './clip-vision-encoder';
export { createClipTextEncoder } from './clip-text-encoder';
export type { ClipTextEncoder } from './clip-text-encoder';
/** @public the encoder's options schema, for a caller's own validation */
export { clipEncoderOptionsSchema } from './clip-encoder-options';
export type { ClipEncoderOptions } from './clip-encoder-options';
/** @public the model config readers and schema, to check a model folder before loading it */
export { clipVisionConfig, clipTextConfig, clipConfigSchema } from './clip-config';
export type { ClipVisionConfig, ClipTextConfig } from './clip-config';
/** @public the component module a pipeline config's `use` loads (also the default export), and its default tap */
export { clipVisionEncoderModule, clipDefaultTap } from './clip-component';

export default clipVisionEncoderModule;
