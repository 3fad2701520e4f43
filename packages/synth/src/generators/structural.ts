import type { Rng } from '../rng';
import type { ObjectKind } from '../scene/scene-types';
import type { PairSpec } from './pair-spec';
import { singleSubjectPair, type SingleSubjectVariant } from './single-subject';

const stripedVariant = (kind: ObjectKind, noun: string): SingleSubjectVariant => ({
  kind,
  noun,
  attribute: 'surface',
  values: ['striped', 'plain'],
  options: ['Striped', 'Plain'],
  question: `Is the ${noun} striped or plain?`,
  statement: (value) => (value === 'striped' ? `the ${noun} has stripes` : `the ${noun} is plain without stripes`),
  apply: (object, value) => ({ ...object, striped: value === 'striped' }),
  plainPhrase: (color) => `a ${color.name} ${noun}`,
  detailPhrase: (color, value) => (value === 'striped' ? `a ${color.name} striped ${noun}` : `a plain ${color.name} ${noun}`),
  facings: ['left', 'right'],
  base: { state: 'waving', view: 'side' },
  colorNames: ['red', 'blue', 'green', 'purple', 'orange', 'brown'],
});

const outlineVariant = (kind: ObjectKind, noun: string): SingleSubjectVariant => ({
  kind,
  noun,
  attribute: 'outline',
  values: ['solid', 'dashed'],
  options: ['Solid', 'Dashed'],
  question: `Is the outline of the ${noun} solid or dashed?`,
  statement: (value) => `the ${noun} has a ${value} outline`,
  apply: (object, value) => ({ ...object, dashed: value === 'dashed' }),
  plainPhrase: (color) => `a ${color.name} ${noun}`,
  detailPhrase: (color, value) => `a ${color.name} ${noun} with a ${value} outline`,
  colorNames: ['yellow', 'orange', 'pink', 'green', 'red'],
});

const VARIANTS: readonly SingleSubjectVariant[] = [
  stripedVariant('ball', 'ball'),
  stripedVariant('fish', 'fish'),
  stripedVariant('flag', 'flag'),
  outlineVariant('star', 'star'),
  outlineVariant('arrow', 'arrow'),
  {
    kind: 'plate',
    noun: 'plate',
    attribute: 'condition',
    values: ['whole', 'broken'],
    options: ['Whole', 'Broken'],
    question: 'Is the plate whole or broken?',
    statement: (value) => `the plate is ${value}`,
    apply: (object, value) => ({ ...object, broken: value === 'broken' }),
    plainPhrase: (color) => `a ${color.name} plate`,
    detailPhrase: (color, value) => (value === 'broken' ? `a broken ${color.name} plate` : `a whole ${color.name} plate`),
    colorNames: ['blue', 'green', 'red', 'purple', 'orange', 'yellow'],
  },
];

/** Structural Characteristics: striped vs plain, solid vs dashed outline, whole vs broken. */
export function generateStructural(rng: Rng): PairSpec {
  return singleSubjectPair(rng, 'Structural Characteristics', rng.pick(VARIANTS));
}
