import type { Rng } from '../rng';
import type { ObjectKind } from '../scene/scene-types';
import type { PairSpec } from './pair-spec';
import { singleSubjectPair, type SingleSubjectVariant } from './single-subject';

const viewVariant = (kind: ObjectKind, noun: string): SingleSubjectVariant => ({
  kind,
  noun,
  attribute: 'view',
  values: ['top', 'side'],
  options: ['From above', 'From the side'],
  question: `Is the ${noun} seen from above or from the side?`,
  statement: (value) => (value === 'top' ? `the ${noun} is seen from above` : `the ${noun} is seen from the side`),
  apply: (object, value) => ({ ...object, view: value as 'top' | 'side' }),
  plainPhrase: (color) => `a ${color.name} ${noun}`,
  detailPhrase: (color, value) => (value === 'top' ? `a ${color.name} ${noun} seen from above` : `a side view of a ${color.name} ${noun}`),
  facings: ['left', 'right'],
  base: { part: true },
});

// A table from above is just a rectangle to a person, so only objects with a recognisable top view.
const VARIANTS: readonly SingleSubjectVariant[] = [viewVariant('car', 'car'), viewVariant('cup', 'mug')];

/** Viewpoint and Perspective: the same object seen from above vs from the side. */
export function generateViewpoint(rng: Rng): PairSpec {
  return singleSubjectPair(rng, 'Viewpoint and Perspective', rng.pick(VARIANTS));
}
