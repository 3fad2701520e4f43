/** @public which extraction rule decided a choice, for auditing the rule grader */
export { extractChoice, extractChoiceDetailed } from './extract-choice';
export type { ExtractedChoice, ExtractionResult, ExtractionRule } from './extract-choice';
export { createLlmJudge } from './llm-judge';
export type { JudgeVerdict, LlmJudge, LlmJudgeOptions } from './llm-judge';
/** @public the LLM judge's prompt and reply parsing, to reproduce or audit the judge elsewhere */
export { JUDGE_SYSTEM_MESSAGE, ORIGINAL_JUDGE, buildJudgeMessages, parseJudgeReply } from './judge-prompt';
export type { ChatMessage } from './judge-prompt';
export type { JudgeCacheEntry } from './judge-cache';
/** @public thrown by createLlmJudge, for instanceof */
export { JudgeRequestError } from './judge-request-error';
export { gradeAnswers } from './grade-answers';
export type { GradableAnswer, GradableQuestion, GradedQuestion, Grader } from './grade-answers';
export { pairAccuracy } from './pair-accuracy';
export type { AccuracySummary, GradedResult } from './pair-accuracy';
export { patternTable } from './pattern-table';
export type { PatternRow } from './pattern-table';
export { scoreMmvpVlm } from './mmvp-vlm-score';
export type { VlmPairLogits, VlmPairScore, VlmPatternScore, VlmScores } from './mmvp-vlm-score';
/** @public SigLIP-style sigmoid scoring of MMVP-VLM pairs */
export { sigmoidChoices, sigmoidScores } from './mmvp-vlm-sigmoid';
/** @public POPE's yes/no reading of one reply */
export { pope, popeAnswer } from './pope';
export type { PopeScores } from './pope';
export { pearson } from './pearson';
/** @public the MMVP score tables as CSV and Markdown */
export { summarizeMmvp, gradedCsv, scoresMarkdown } from './mmvp-scores';
export type { MmvpScores } from './mmvp-scores';
export { evaluateMmvpVlm } from './evaluate-mmvp-vlm';
export type { VlmEvaluation, VlmEvaluationOptions, VlmPairInput, VlmPairRow, VlmSkippedPair, VlmStatementInput } from './evaluate-mmvp-vlm';
/** @public statistics a researcher calls on their own counts (docs/statistics.md) */
export { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, accuracyWithIntervals, bootstrapMeanPercent, comparePairAccuracy, pairCorrectById, formatWithInterval, mcnemarExact } from './bootstrap';
export type { AccuracyIntervalOptions, AccuracyWithIntervals, BootstrapOptions, PairedComparison, ProportionIntervalMethod } from './bootstrap';
/** @public statistics a researcher calls on their own counts (docs/statistics.md) */
export { clopperPearsonInterval, wilsonInterval, wilsonIntervalForRate } from './proportion-interval';
export type { PercentInterval } from './proportion-interval';
/** @public statistics a researcher calls on their own counts (docs/statistics.md) */
export { clusteredWilsonInterval, stratifiedWilsonInterval } from './clustered-interval';
export type { ClusteredRate, StratifiedRate } from './clustered-interval';
/** @public power analysis a researcher calls to size a comparison (docs/statistics.md) */
export { connorMinimumDetectableDifference, connorPairedTestPower, connorPairsNeeded, minimumDetectableDifference, pairedTestPower, pairsNeeded, planPairedComparison, resolvableDifference } from './power';
export type { PairedComparisonPlan, PowerSettings } from './power';
/** @public statistics a researcher calls on their own p-values (docs/statistics.md) */
export { holmAdjust, holmAdjustComparisons } from './holm';
export { compareAcrossSeeds } from './seed-variance';
export type { SeedAwareComparison } from './seed-variance';
export { binaryAccuracyWithInterval, meanOfGroupsWithInterval } from './binary-interval';
export type { MeanOfGroupsWithInterval, PercentWithInterval } from './binary-interval';
