/**
 * The nine visual patterns of the MMVP study, in the benchmark's order (the order of
 * `scripts/evaluate_vlm.py`: pair p of MMVP-VLM belongs to pattern floor(p / 15)).
 */
export const PATTERNS = [
  'Orientation and Direction',
  'Presence of Specific Features',
  'State and Condition',
  'Quantity and Count',
  'Positional and Relational Context',
  'Color and Appearance',
  'Structural Characteristics',
  'Texts',
  'Viewpoint and Perspective',
] as const;

export type PatternName = (typeof PATTERNS)[number];

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
