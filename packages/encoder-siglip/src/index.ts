import { siglipVisionEncoderModule } from './siglip-component';

export { createSiglipVisionEncoder } from './siglip-vision-encoder';
export type { SiglipVisionEncoder } from './siglip-vision-encoder';
export { createSiglipTextEncoder } from './siglip-text-encoder';
export type { SiglipTextEncoder } from './siglip-text-encoder';
export { readSiglipLogitParameters } from './siglip-logit-parameters';
export type { SiglipLogitParameters } from './siglip-logit-parameters';
/** @public the encoder's options schema, for a caller's own validation */
export { siglipEncoderOptionsSchema } from './siglip-encoder-options';
export type { SiglipEncoderOptions } from './siglip-encoder-options';
/** @public the model config readers and schema, to check a model folder before loading it */
export { siglipVisionConfig, siglipTextConfig, siglipConfigSchema } from './siglip-config';
export type { SiglipVisionConfig, SiglipTextConfig } from './siglip-config';
/** @public the component module a pipeline config's `use` loads (also the default export) */
export { siglipVisionEncoderModule } from './siglip-component';

export default siglipVisionEncoderModule;
