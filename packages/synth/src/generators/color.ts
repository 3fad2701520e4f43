import type { Rng } from '../rng';
import type { ObjectKind } from '../scene/scene-types';
import { capitalize } from './compose';
import type { PairSpec } from './pair-spec';
import { singleSubjectPair } from './single-subject';

const SUBJECTS: readonly { kind: ObjectKind; noun: string }[] = [
  { kind: 'car', noun: 'car' },
  { kind: 'ball', noun: 'ball' },
  { kind: 'cup', noun: 'mug' },
  { kind: 'fish', noun: 'fish' },
  { kind: 'bird', noun: 'bird' },
  { kind: 'star', noun: 'star' },
  { kind: 'box', noun: 'box' },
  { kind: 'flag', noun: 'flag' },
];

/**
 * Color and Appearance: one object's colour (two colours that both stand out on the background).
 * Captions name the colour, as ordinary alt-text does.
 */
export function generateColor(rng: Rng): PairSpec {
  const subject = rng.pick(SUBJECTS);
  return singleSubjectPair(rng, 'Color and Appearance', (colors) => {
    const [first, second] = rng.shuffle(colors.filter((c) => c.name !== 'white' && c.name !== 'black')).slice(0, 2);
    return {
      kind: subject.kind,
      noun: subject.noun,
      attribute: 'color',
      values: [first!.name, second!.name],
      options: [capitalize(first!.name), capitalize(second!.name)],
      question: `What color is the ${subject.noun}?`,
      statement: (value) => `the ${subject.noun} is ${value}`,
      apply: (object, value) => ({ ...object, color: value === first!.name ? first! : second! }),
      plainPhrase: (color) => `a ${color.name} ${subject.noun}`,
      detailPhrase: (color) => `a ${color.name} ${subject.noun}`,
      facings: ['left', 'right'],
      // The flag's star would change colour with the cloth (white or red), so colour flags have none.
      base: { view: 'side', part: subject.kind !== 'flag', state: subject.kind === 'flag' ? 'waving' : 'closed' },
      alwaysStatesDetail: true,
    };
  });
}
