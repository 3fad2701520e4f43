export { renderReport, renderResults, writeReport, reportFileName } from './render-report';
/** @public the report's Vega-Lite chart specs, for a researcher's own figures */
export { vlmBarsSpec, mllmBarsSpec, correlationSpec, sweepCurveSpec, tradeOffSpec } from './charts';
/** @public renders a Vega-Lite spec to SVG (the report's charts, a researcher's own) */
export { renderVegaLiteToSvg } from './render-svg';
