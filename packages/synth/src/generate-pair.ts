import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { generateColor } from './generators/color';
import { generateOrientation } from './generators/orientation';
import type { PairSpec } from './generators/pair-spec';
import { generatePositional } from './generators/positional';
import { generatePresence } from './generators/presence';
import { generateQuantity } from './generators/quantity';
import { generateState } from './generators/state';
import { generateStructural } from './generators/structural';
import { generateTexts } from './generators/texts';
import { generateViewpoint } from './generators/viewpoint';
import { PATTERNS, type PatternName } from './patterns';
import type { Rng } from './rng';
import { objectBox, renderScene, unionBoxes, type RgbPixels } from './scene/render-scene';
import type { PixelBox } from './scene/scene-types';

/** One generator per pattern, in the benchmark's order. */
const GENERATORS: Readonly<Record<PatternName, (rng: Rng) => PairSpec>> = {
  'Orientation and Direction': generateOrientation,
  'Presence of Specific Features': generatePresence,
  'State and Condition': generateState,
  'Quantity and Count': generateQuantity,
  'Positional and Relational Context': generatePositional,
  'Color and Appearance': generateColor,
  'Structural Characteristics': generateStructural,
  Texts: generateTexts,
  'Viewpoint and Perspective': generateViewpoint,
};

/** A rendered pair with its ground truth. */
export interface GeneratedPair extends PairSpec {
  readonly size: number;
  /** Pixel box [x0, y0, x1, y1] (exclusive ends) outside which the two images are identical. */
  readonly region: PixelBox;
  readonly images: readonly [RgbPixels, RgbPixels];
}

/** Smallest image size (pixels per side) MMVP-Synth renders. */
export const SUPPORTED_SIZES_MIN = 64;
/** Largest image size (pixels per side) MMVP-Synth renders. */
export const SUPPORTED_SIZES_MAX = 1024;

/**
 * Generates and renders one pair of `pattern` at `size` x `size` pixels. The two images differ only
 * in the pattern's attribute of the changed object(s); `region` bounds every differing pixel.
 */
export function generatePair(pattern: PatternName, rng: Rng, size = 224): GeneratedPair {
  const generator = GENERATORS[pattern];
  if (!generator) throw new InvalidArgumentError(`unknown pattern '${String(pattern)}'; valid choices: ${listChoices(PATTERNS)}`);
  if (!Number.isInteger(size) || size < SUPPORTED_SIZES_MIN || size > SUPPORTED_SIZES_MAX) {
    throw new InvalidArgumentError(`image size must be an integer from ${SUPPORTED_SIZES_MIN} to ${SUPPORTED_SIZES_MAX}, got ${size}`);
  }
  const spec = generator(rng);
  const boxes = spec.scenes.flatMap((scene) => scene.objects.filter((o) => spec.changedIds.includes(o.id)).map((o) => objectBox(o, size)));
  return {
    ...spec,
    size,
    region: unionBoxes(boxes),
    images: [renderScene(spec.scenes[0], size), renderScene(spec.scenes[1], size)],
  };
}
