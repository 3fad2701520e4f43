import type { ComponentModule, VisionEncoderV1 } from '@mmvp/core';
import { siglipEncoderOptionsSchema, type SiglipEncoderOptions } from './siglip-encoder-options';
import { createSiglipVisionEncoder } from './siglip-vision-encoder';

/** What a pipeline config's `{ "use": "@mmvp/encoder-siglip", "options": {...} }` loads. */
export const siglipVisionEncoderModule: ComponentModule<'vision-encoder', VisionEncoderV1> = {
  specificationVersion: 'v1',
  kind: 'vision-encoder',
  optionsSchema: siglipEncoderOptionsSchema,
  create: (options: unknown) => createSiglipVisionEncoder(options as SiglipEncoderOptions), // validated inside, errors name the field
};
