export { loadMmvp } from './mmvp-loader';
export type { LoadMmvpOptions, MmvpDataset, MmvpItem, MmvpItemPair, SkippedPair } from './mmvp-loader';
export { readMmvpQuestions, LABEL_SETS } from './mmvp-questions';
export type { Choice, LabelSet, LabelCorrection, MmvpLoadOptions, MmvpQuestion, MmvpQuestionPair, MmvpQuestionSet } from './mmvp-questions';
export { loadMmvpVlm } from './mmvp-vlm-loader';
export type { MmvpVlmDataset, MmvpVlmPair, MmvpVlmStatement, SkippedVlmPair } from './mmvp-vlm-loader';
export { loadPope } from './pope-loader';
export type { LoadPopeOptions, PopeDataset, PopeQuestion, SkippedPopeQuestion } from './pope-loader';
export { readAnswers } from './answers-file';
export type { AnswerLine, ReadAnswersOptions } from './answers-file';
export { readPatternMap } from './pattern-map';
export { readJsonLines } from './jsonl';
export type { JsonLine, BrokenJsonLine } from './jsonl';
export { formatIssue } from './dataset-issues';
export type { DatasetIssue, LoadOptions } from './dataset-issues';
export { readPeerAnswers } from './peer-answers';
export type { PeerAnswerRecord, PeerAnswers, PeerAnswersFormat } from './peer-answers';

export type { TextEncoding } from './text-file';
