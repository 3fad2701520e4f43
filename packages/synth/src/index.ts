export { PATTERNS, VLM_FOLDERS, patternIndex } from './patterns';
export type { PatternName } from './patterns';
export type { TrainRecord } from './train-record';
