import type { Rng } from '../rng';
import type { PairSpec } from './pair-spec';
import { singleSubjectPair, type SingleSubjectVariant } from './single-subject';

const WORDS: readonly (readonly [string, string])[] = [
  ['OPEN', 'OVEN'],
  ['STOP', 'SHOP'],
  ['CAT', 'CAR'],
  ['HOTEL', 'MOTEL'],
  ['SALE', 'SAFE'],
  ['EXIT', 'EDIT'],
  ['BOOK', 'LOOK'],
  ['WEST', 'EAST'],
  ['LIVE', 'LOVE'],
  ['RAIN', 'RUIN'],
  ['MILK', 'SILK'],
  ['PARK', 'PORK'],
];
const NUMBERS: readonly (readonly [string, string])[] = [
  ['24', '42'],
  ['17', '71'],
  ['38', '83'],
  ['105', '150'],
  ['12', '21'],
  ['56', '65'],
  ['3', '8'],
  ['19', '79'],
];
const LETTERS: readonly (readonly [string, string])[] = [
  ['B', 'R'],
  ['E', 'F'],
  ['O', 'Q'],
  ['P', 'R'],
  ['M', 'N'],
  ['C', 'G'],
  ['V', 'Y'],
  ['K', 'X'],
];

const signVariant = (pair: readonly [string, string], what: 'word' | 'number'): SingleSubjectVariant => ({
  kind: 'sign',
  noun: 'sign',
  attribute: 'text',
  values: pair,
  options: pair,
  question: what === 'word' ? 'What word is written on the sign?' : 'What number is written on the sign?',
  statement: (value) => `the sign says ${value}`,
  apply: (object, value) => ({ ...object, text: value }),
  plainPhrase: (color) => `a ${color.name} sign on a post`,
  detailPhrase: (color, value) => `a ${color.name} sign that says ${value}`,
});

const tileVariant = (pair: readonly [string, string]): SingleSubjectVariant => ({
  kind: 'tile',
  noun: 'block',
  attribute: 'text',
  values: pair,
  options: pair,
  question: 'Which letter is on the toy block?',
  statement: (value) => `the toy block shows the letter ${value}`,
  apply: (object, value) => ({ ...object, text: value }),
  plainPhrase: (color) => `a ${color.name} toy block with a letter`,
  detailPhrase: (color, value) => `a ${color.name} toy block with the letter ${value}`,
});

/** Texts: a word, number or letter differs. */
export function generateTexts(rng: Rng): PairSpec {
  const kind = rng.pick(['word', 'number', 'letter'] as const);
  const variant = kind === 'word' ? signVariant(rng.pick(WORDS), 'word') : kind === 'number' ? signVariant(rng.pick(NUMBERS), 'number') : tileVariant(rng.pick(LETTERS));
  return singleSubjectPair(rng, 'Texts', variant);
}
