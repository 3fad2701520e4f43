/**
 * The nine visual patterns of the MMVP study, in the benchmark's order (the order of the official
 * `scripts/evaluate_vlm.py`: pair p of MMVP-VLM belongs to pattern floor(p / 15)). One list for the
 * whole project: the loaders, the metrics tables and the synthetic generator all index into it.
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

/** One of the nine MMVP visual patterns. */
export type MmvpPattern = (typeof MMVP_PATTERNS)[number];
