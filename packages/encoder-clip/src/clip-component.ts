import type { ComponentModule, VisionEncoderV1 } from '@mmvp/core';
import { clipEncoderOptionsSchema, type ClipEncoderOptions } from './clip-encoder-options';
import { createClipVisionEncoder } from './clip-vision-encoder';

/** What a pipeline config's `{ "use": "@mmvp/encoder-clip", "options": {...} }` loads. */
export const clipVisionEncoderModule: ComponentModule<'vision-encoder', VisionEncoderV1> = {
  specificationVersion: 'v1',
  kind: 'vision-encoder',
  optionsSchema: clipEncoderOptionsSchema,
  create: (options: unknown) => createClipVisionEncoder(options as ClipEncoderOptions), // validated inside, errors name the field
};

/** LLaVA's default CLIP features: hidden_states[-2], patch tokens only. */
export const clipDefaultTap = { kind: 'layer', layer: -2 } as const;
