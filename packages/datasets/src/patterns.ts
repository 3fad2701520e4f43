/**
 * The nine visual patterns of the MMVP study, in the benchmark's order (the order of the official
 * `scripts/evaluate_vlm.py`: pair p of MMVP-VLM belongs to pattern floor(p / 15)).
 */
export const MMVP_PATTERNS = [
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

export type MmvpPattern = (typeof MMVP_PATTERNS)[number];

// Words that identify each pattern in the type names users meet: the full names above, the paper's
// variants ("Structural and Physical Characteristics", "Text") and the MMVP-VLM folder names
// ("Orientation", "Presence", ..., "Spatial", "Structural_Character", "Camera_Perspective").
const keywords: readonly (readonly string[])[] = [
  ['orientation', 'direction'],
  ['presence', 'features', 'feature'],
  ['state', 'condition'],
  ['quantity', 'count', 'counting'],
  ['positional', 'relational', 'position', 'spatial'],
  ['color', 'colour', 'appearance'],
  ['structural', 'structure', 'physical', 'character', 'characteristics'],
  ['texts', 'text'],
  ['viewpoint', 'perspective', 'camera'],
];

/**
 * Maps a type or folder name to one of the nine patterns by its words (case, spaces, underscores and
 * hyphens ignored). Returns undefined when no pattern or more than one pattern matches.
 */
export function matchPattern(name: string): MmvpPattern | undefined {
  const words = name.toLowerCase().split(/[^a-z]+/).filter((word) => word.length > 0);
  const hits = new Set<number>();
  keywords.forEach((list, index) => {
    if (words.some((word) => list.includes(word))) hits.add(index);
  });
  if (hits.size !== 1) return undefined;
  return MMVP_PATTERNS[[...hits][0]!];
}

/** Folder-name key that ignores case and the space/underscore/hyphen variants. */
export function folderKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}
