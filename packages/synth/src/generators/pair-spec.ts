import type { PatternName } from '../patterns';
import type { Scene } from '../scene/scene-types';

/**
 * What a pattern generator returns: two scenes that differ only in the objects listed in
 * `changedIds` (and only in the pattern's attribute), plus the text about the difference.
 */
export interface PairSpec {
  readonly pattern: PatternName;
  /** Main object the question is about, e.g. `fish`. */
  readonly subject: string;
  /** The attribute that differs, e.g. `facing`. */
  readonly attribute: string;
  /** Each image's value of the attribute. */
  readonly values: readonly [string, string];
  readonly question: string;
  /** Option texts in (a), (b) order. */
  readonly options: readonly [string, string];
  /** Index into `options` of each image's correct answer (different for the two images). */
  readonly answers: readonly [0 | 1, 0 | 1];
  /** MMVP-VLM statements: statement i is true for image i only. */
  readonly statements: readonly [string, string];
  readonly captions: readonly [string, string];
  readonly captionStatesPattern: readonly [boolean, boolean];
  readonly scenes: readonly [Scene, Scene];
  /** Ids of the objects that differ between the two scenes. */
  readonly changedIds: readonly string[];
}
