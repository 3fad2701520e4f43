import type { Rng } from '../rng';
import type { ObjectKind } from '../scene/scene-types';
import type { PairSpec } from './pair-spec';
import { singleSubjectPair, type SingleSubjectVariant } from './single-subject';

const partVariant = (kind: ObjectKind, noun: string, part: string, question: string, has: string, hasNot: string): SingleSubjectVariant => ({
  kind,
  noun,
  attribute: part,
  values: ['yes', 'no'],
  options: ['Yes', 'No'],
  question,
  statement: (value) => (value === 'yes' ? has : hasNot),
  apply: (object, value) => ({ ...object, part: value === 'yes' }),
  plainPhrase: (color) => `a ${color.name} ${noun}`,
  detailPhrase: (color, value) => `a ${color.name} ${noun} ${value === 'yes' ? 'with' : 'without'} a ${part}`,
  facings: kind === 'house' || kind === 'flag' ? ['right'] : ['left', 'right'],
  base: { view: 'side', state: kind === 'flag' ? 'waving' : 'closed' },
  avoidDistractors: kind === 'flag' ? ['star'] : [],
  colorNames: kind === 'house' ? ['white', 'yellow', 'pink', 'red', 'blue', 'green', 'orange', 'purple'] : undefined,
});

const VARIANTS: readonly SingleSubjectVariant[] = [
  partVariant('cup', 'mug', 'handle', 'Does the mug have a handle?', 'the mug has a handle', 'the mug has no handle'),
  partVariant('fish', 'fish', 'fin', 'Does the fish have a fin on its back?', 'the fish has a fin on its back', 'the fish has no fin on its back'),
  partVariant('house', 'house', 'chimney', 'Does the house have a chimney?', 'the house has a chimney', 'the house has no chimney'),
  partVariant('flag', 'flag', 'star', 'Is there a star on the flag?', 'there is a star on the flag', 'there is no star on the flag'),
  partVariant('bird', 'bird', 'crest', 'Does the bird have a crest on its head?', 'the bird has a crest on its head', 'the bird has no crest on its head'),
];

/** Presence of Specific Features: a part of the object is there or missing. */
export function generatePresence(rng: Rng): PairSpec {
  return singleSubjectPair(rng, 'Presence of Specific Features', rng.pick(VARIANTS));
}
