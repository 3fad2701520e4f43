export { PATTERNS } from './patterns';
export type { PatternName } from './patterns';
export type { TrainRecord } from './train-record';
export { createRng } from './rng';
export type { Rng } from './rng';
export { generatePair, SUPPORTED_SIZES_MIN, SUPPORTED_SIZES_MAX } from './generate-pair';
export type { GeneratedPair } from './generate-pair';
export type { PairSpec } from './generators/pair-spec';
export type { Scene, SceneObject, ObjectKind, Facing, PixelBox } from './scene/scene-types';
/** @public render a scene of a caller's own (objects, boxes) with the generators' renderer */
export { renderScene, objectBox } from './scene/render-scene';
export type { RgbPixels } from './scene/render-scene';
export { encodePng } from './png';
/** @public a contact sheet of generated pairs, for looking at a data set */
export { renderContactSheet } from './contact-sheet';
export { writeSynth, evalPair, pairsPerPatternOf, SYNTH_SPLITS, SYNTH_GENERATOR_VERSION, SYNTH_IMAGE_FORMATS } from './write-synth';
export type { WriteSynthOptions, SynthSummary, SynthSplit, SynthImageFormat } from './write-synth';
export { SYNTH_JPEG_QUALITY, encodeJpeg } from './jpeg';
