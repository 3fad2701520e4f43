import { clipVisionEncoderModule } from './clip-component';

export { createClipVisionEncoder } from './clip-vision-encoder';
export type { ClipVisionEncoder } from './clip-vision-encoder';
export { createClipTextEncoder } from './clip-text-encoder';
export type { ClipTextEncoder } from './clip-text-encoder';
export { clipEncoderOptionsSchema } from './clip-encoder-options';
export type { ClipEncoderOptions } from './clip-encoder-options';
export { clipVisionConfig, clipTextConfig, clipConfigSchema } from './clip-config';
export type { ClipVisionConfig, ClipTextConfig } from './clip-config';
export { clipVisionEncoderModule, clipDefaultTap } from './clip-component';

export default clipVisionEncoderModule;
