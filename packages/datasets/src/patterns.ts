import { MMVP_PATTERNS, type MmvpPattern } from '@mmvp/core';

// The nine patterns (in the benchmark's order) live in @mmvp/core; re-exported for this package's users.
export { MMVP_PATTERNS, type MmvpPattern };

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
  const words = name
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word.length > 0);
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
