import type { Rng } from '../rng';
import type { PairSpec } from './pair-spec';
import { singleSubjectPair, type SingleSubjectVariant } from './single-subject';

const facingVariant = (kind: 'fish' | 'bird' | 'car', noun: string): SingleSubjectVariant => ({
  kind,
  noun,
  attribute: 'facing',
  values: ['left', 'right'],
  options: ['Left', 'Right'],
  question: `Is the ${noun} facing left or right?`,
  statement: (value) => `the ${noun} is facing ${value}`,
  apply: (object, value) => ({ ...object, facing: value as 'left' | 'right' }),
  plainPhrase: (color) => `a ${color.name} ${noun}`,
  detailPhrase: (color, value) => `a ${color.name} ${noun} facing ${value}`,
  base: { view: 'side' },
});

const arrowVariant = (axis: 'horizontal' | 'vertical'): SingleSubjectVariant => {
  const values = axis === 'horizontal' ? (['left', 'right'] as const) : (['up', 'down'] as const);
  return {
    kind: 'arrow',
    noun: 'arrow',
    attribute: 'direction',
    values,
    options: axis === 'horizontal' ? ['Left', 'Right'] : ['Up', 'Down'],
    question: `Is the arrow pointing ${values[0]} or ${values[1]}?`,
    statement: (value) => `the arrow is pointing ${value}`,
    apply: (object, value) => ({ ...object, facing: value as 'left' | 'right' | 'up' | 'down' }),
    plainPhrase: (color) => `a ${color.name} arrow`,
    detailPhrase: (color, value) => `a ${color.name} arrow pointing ${value}`,
  };
};

const VARIANTS: readonly SingleSubjectVariant[] = [facingVariant('fish', 'fish'), facingVariant('bird', 'bird'), facingVariant('car', 'car'), arrowVariant('horizontal'), arrowVariant('vertical')];

/** Orientation and Direction: the same object facing (or pointing) the other way. */
export function generateOrientation(rng: Rng): PairSpec {
  return singleSubjectPair(rng, 'Orientation and Direction', rng.pick(VARIANTS));
}
