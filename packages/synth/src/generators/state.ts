import type { Rng } from '../rng';
import type { ObjectKind } from '../scene/scene-types';
import type { PairSpec } from './pair-spec';
import { singleSubjectPair, type SingleSubjectVariant } from './single-subject';

const stateVariant = (
  kind: ObjectKind,
  noun: string,
  values: readonly [string, string],
  options: readonly [string, string],
  question: string,
  statement: (value: string) => string,
  detail: (value: string) => string,
  colorNames?: readonly string[],
): SingleSubjectVariant => ({
  kind,
  noun,
  attribute: 'state',
  values,
  options,
  question,
  statement,
  apply: (object, value) => ({ ...object, state: value }),
  plainPhrase: (color) => (kind === 'glass' ? 'a drinking glass' : kind === 'bulb' ? 'a light bulb' : `a ${color.name} ${noun}`),
  detailPhrase: (color, value) => detail(value).replace('{color}', color.name),
  colorNames,
});

const VARIANTS: readonly SingleSubjectVariant[] = [
  stateVariant(
    'glass',
    'glass',
    ['full', 'empty'],
    ['Full', 'Empty'],
    'Is the glass full or empty?',
    (v) => `the glass is ${v}`,
    (v) => (v === 'full' ? 'a glass full of {color} juice' : 'an empty drinking glass'),
    ['orange', 'red', 'purple', 'green', 'brown'],
  ),
  stateVariant(
    'bulb',
    'light bulb',
    ['on', 'off'],
    ['On', 'Off'],
    'Is the light bulb on or off?',
    (v) => `the light bulb is ${v}`,
    (v) => `a light bulb that is switched ${v}`,
    ['black', 'brown', 'blue', 'red'],
  ),
  stateVariant(
    'box',
    'box',
    ['open', 'closed'],
    ['Open', 'Closed'],
    'Is the box open or closed?',
    (v) => `the box is ${v}`,
    (v) => `an ${v === 'open' ? 'open' : 'closed'} {color} box`.replace('an closed', 'a closed'),
  ),
  stateVariant(
    'house',
    'house',
    ['open', 'closed'],
    ['Open', 'Closed'],
    'Is the door of the house open or closed?',
    (v) => `the door of the house is ${v}`,
    (v) => `a {color} house with its door ${v}`,
    ['white', 'yellow', 'pink', 'red', 'blue', 'green', 'orange', 'purple'],
  ),
  stateVariant(
    'flag',
    'flag',
    ['waving', 'hanging'],
    ['Waving', 'Hanging down'],
    'Is the flag waving in the wind or hanging down?',
    (v) => (v === 'waving' ? 'the flag is waving in the wind' : 'the flag is hanging down'),
    (v) => (v === 'waving' ? 'a {color} flag waving in the wind' : 'a {color} flag hanging down'),
  ),
];

/** State and Condition: open/closed, full/empty, on/off, waving/hanging. */
export function generateState(rng: Rng): PairSpec {
  return singleSubjectPair(rng, 'State and Condition', rng.pick(VARIANTS));
}
