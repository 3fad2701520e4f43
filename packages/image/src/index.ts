export type { RgbImage } from './rgb-image';
/** @public build an RgbImage from pixels already in memory */
export { rgbImage } from './rgb-image';
/** @public the image formats this build decodes, for a caller's own input checks */
export { decodeImage, decodableFormats, supportedImageFormats } from './decode-image';
export type { PreprocessorConfig } from './preprocessor-config';
/** @public parse a preprocessor_config.json already in memory; OpenAI CLIP's mean and std */
export { loadPreprocessorConfig, parsePreprocessorConfig, openaiClipMean, openaiClipStd } from './preprocessor-config';
export type { ImageProcessor, ImageProcessorOptions } from './image-processor';
export { createImageProcessor } from './image-processor';
export type { CropRounding } from './center-crop';
/** @public the Pillow-exact preprocessing steps one by one, for a custom preprocessor */
export { centerCrop, cropOffset, cropRoundings } from './center-crop';
/** @public the Pillow-exact preprocessing steps one by one, for a custom preprocessor */
export { padToSquare, meanBackground } from './pad-to-square';
export type { ResizeTarget } from './resize-output-size';
/** @public the Pillow-exact preprocessing steps one by one, for a custom preprocessor */
export { resizeOutputSize } from './resize-output-size';
export type { ResampleCode, ResampleFilter } from './pillow-filters';
export { resampleNames } from './pillow-filters';
/** @public the Pillow-exact preprocessing steps one by one, for a custom preprocessor */
export { resizePillow } from './pillow-resample';
