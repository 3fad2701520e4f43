export { renderReport, renderResults, writeReport, reportFileName, maxGalleryPairs } from './render-report';
export { vlmBarsSpec, mllmBarsSpec, correlationSpec, sweepCurveSpec, tradeOffSpec } from './charts';
export { renderVegaLiteToSvg } from './render-svg';
export { inlineImage, maxInlineImageBytes } from './inline-image';
