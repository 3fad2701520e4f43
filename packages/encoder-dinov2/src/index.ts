import type { ComponentModule, VisionEncoderV1 } from '@mmvp/core';
import { createDinov2Encoder } from './dinov2-encoder';
import { dinov2EncoderOptionsSchema, type Dinov2EncoderOptions } from './dinov2-encoder-options';

export { createDinov2Encoder } from './dinov2-encoder';
export type { Dinov2Encoder } from './dinov2-encoder';
/** @public the encoder's options schema, for a caller's own validation */
export { dinov2EncoderOptionsSchema } from './dinov2-encoder-options';
export type { Dinov2EncoderOptions } from './dinov2-encoder-options';
/** @public the model config schema, to check a model folder before loading it */
export { dinov2ConfigSchema } from './dinov2-config';
export type { Dinov2Config } from './dinov2-config';

/**
 * MMVP's DINOv2 features: x_prenorm, patch tokens only.
 * @public the tap a caller names to read the study's features from its own DINOv2 session
 */
export const dinov2DefaultTap = { kind: 'prenorm' } as const;

/**
 * What a pipeline config's `{ "use": "@mmvp/encoder-dinov2", "options": {...} }` loads.
 * @public the component module by name, beside the default export a pipeline config loads
 */
export const dinov2EncoderModule: ComponentModule<'vision-encoder', VisionEncoderV1> = {
  specificationVersion: 'v1',
  kind: 'vision-encoder',
  optionsSchema: dinov2EncoderOptionsSchema,
  create: (options: unknown) => createDinov2Encoder(options as Dinov2EncoderOptions), // validated inside, errors name the field
};

export default dinov2EncoderModule;
