export { renderReport, renderResults, writeReport, reportFileName, maxGalleryPairs } from './render-report';
export { readResults, parseBlindPairs, parseAnswers } from './read-results';
export { writeRunInfo, writeVlmScores, writeMllmScores, writeSweep, writeSeeds, writeBlindPairs, appendAnswers } from './write-results';
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
export type { RunInfo, RunInfoInput, MllmScores, Sweep, SweepPoint, BlindPair, AnswerRecord, ResultsBundle, PopeReport, SeedsFile } from './results-schema';
export { workflowFileNames } from './results-schema';
export { vlmBarsSpec, mllmBarsSpec, correlationSpec, sweepCurveSpec, tradeOffSpec } from './charts';
export { renderVegaLiteToSvg } from './render-svg';
export { inlineImage, maxInlineImageBytes } from './inline-image';
export { formatCsv } from './csv';
