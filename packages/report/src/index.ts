export { renderReport, renderResults, writeReport, reportFileName } from './render-report';
export { readResults } from './read-results';
export { writeRunInfo, writeVlmScores, writeMllmScores, writeSweep, writeSeeds, writeBlindPairs, appendAnswers } from './write-results';
/** @public the results folder's file schemas, for tools that write or read a results folder */
export {
  resultsFormat,
  resultFileNames,
  runInfoSchema,
  vlmScoresSchema,
  mllmScoresSchema,
  mixtureStrategySchema,
  sweepSchema,
  sweepPointSchema,
  blindPairSchema,
  blindPairColumns,
  answerRecordSchema,
  seedsSchema,
} from './results-schema';
export type { RunInfo, RunInfoInput, MllmScores, Sweep, BlindPair, AnswerRecord, ResultsBundle, PopeReport, SeedsFile } from './results-schema';
export { workflowFileNames } from './results-schema';
/** @public the report's Vega-Lite chart specs, for a researcher's own figures */
export { vlmBarsSpec, mllmBarsSpec, correlationSpec, sweepCurveSpec, tradeOffSpec } from './charts';
/** @public renders a Vega-Lite spec to SVG (the report's charts, a researcher's own) */
export { renderVegaLiteToSvg } from './render-svg';
export { formatCsv } from './csv';
