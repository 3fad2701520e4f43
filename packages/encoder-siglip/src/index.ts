import { siglipVisionEncoderModule } from './siglip-component';

export { createSiglipVisionEncoder } from './siglip-vision-encoder';
export type { SiglipVisionEncoder } from './siglip-vision-encoder';
export { createSiglipTextEncoder } from './siglip-text-encoder';
export type { SiglipTextEncoder } from './siglip-text-encoder';
export { readSiglipLogitParameters } from './siglip-logit-parameters';
export type { SiglipLogitParameters } from './siglip-logit-parameters';
export { siglipEncoderOptionsSchema } from './siglip-encoder-options';
export type { SiglipEncoderOptions } from './siglip-encoder-options';
export { siglipVisionConfig, siglipTextConfig, siglipConfigSchema } from './siglip-config';
export type { SiglipVisionConfig, SiglipTextConfig } from './siglip-config';
export { siglipVisionEncoderModule } from './siglip-component';

export default siglipVisionEncoderModule;
