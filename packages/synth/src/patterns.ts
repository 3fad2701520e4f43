import { MMVP_PATTERNS, type MmvpPattern } from '@mmvp/core';

/** The nine visual patterns in the benchmark's order (the one list in @mmvp/core). */
export const PATTERNS = MMVP_PATTERNS;

/** One of the nine MMVP visual patterns (the name MMVP-Synth generates for). */
export type PatternName = MmvpPattern;

/**
 * MMVP-VLM folder (and `Type` column) name per pattern. The real release's README names the first
 * (`Orientation`) and last (`Camera_Perspective`) folders and elides the rest; the middle names here
 * follow the public MMVP_VLM dataset as we remember it and are read back only through the CSV's type
 * column (as the official script does), so a loader never has to know them.
 */
export const VLM_FOLDERS: Readonly<Record<PatternName, string>> = {
  'Orientation and Direction': 'Orientation',
  'Presence of Specific Features': 'Presence',
  'State and Condition': 'State',
  'Quantity and Count': 'Quantity',
  'Positional and Relational Context': 'Spatial',
  'Color and Appearance': 'Color',
  'Structural Characteristics': 'Structural_Character',
  Texts: 'Text',
  'Viewpoint and Perspective': 'Camera_Perspective',
};

/** Index (0-8) of a pattern in the benchmark's order. */
export function patternIndex(pattern: PatternName): number {
  return PATTERNS.indexOf(pattern);
}
