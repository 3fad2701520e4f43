import type { Rng } from '../rng';
import type { Facing, ObjectKind, SceneObject } from '../scene/scene-types';
import { boxOf, overlaps, pairCaptions, pickBackground, randomCenter, sceneWith, surround, type UnitBox } from './compose';
import type { PairSpec } from './pair-spec';

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

const SUBJECTS: readonly { kind: ObjectKind; singular: string; plural: string; colorNames?: readonly string[] }[] = [
  { kind: 'apple', singular: 'apple', plural: 'apples', colorNames: ['red', 'green', 'yellow'] },
  { kind: 'ball', singular: 'ball', plural: 'balls' },
  { kind: 'star', singular: 'star', plural: 'stars' },
  { kind: 'fish', singular: 'fish', plural: 'fish' },
  { kind: 'bird', singular: 'bird', plural: 'birds' },
];

/**
 * Quantity and Count: n vs n + 1 identical objects (2 <= n <= 7, so up to 8). The extra object sits
 * in a free spot; every other object stays where it is.
 */
export function generateQuantity(rng: Rng): PairSpec {
  const subject = rng.pick(SUBJECTS);
  const { background, colors } = pickBackground(rng);
  const allowed = subject.colorNames ? colors.filter((c) => subject.colorNames!.includes(c.name)) : colors;
  const color = rng.pick(allowed.length > 0 ? allowed : colors);
  const fewer = rng.int(2, 7);
  const total = fewer + 1;
  const size = total <= 4 ? rng.uniform(0.08, 0.11) : rng.uniform(0.06, 0.08);
  const facing: Facing = rng.pick(['left', 'right']);
  const items: SceneObject[] = [];
  const boxes: UnitBox[] = [];
  for (let attempt = 0; items.length < total; attempt++) {
    if (attempt > 2000) throw new Error('quantity layout failed'); // cannot happen at these sizes
    const { x, y } = randomCenter(rng, size);
    const box = boxOf({ x, y, size });
    if (boxes.some((b) => overlaps(b, box, 0.025))) continue;
    items.push({ id: `item-${items.length}`, kind: subject.kind, x, y, size, color, facing });
    boxes.push(box);
  }
  const extra = rng.int(0, total - 1);
  const sideWithMore: 0 | 1 = rng.chance(0.5) ? 0 : 1;
  const counts: [number, number] = sideWithMore === 0 ? [total, fewer] : [fewer, total];
  const mains = counts.map((count) => (count === total ? items : items.filter((_, i) => i !== extra))) as [SceneObject[], SceneObject[]];
  const surroundings = surround(rng, background, colors, boxes, [subject.kind, 'ball', 'star', 'flower']);
  const noun = (count: number): string => (count === 1 ? subject.singular : subject.plural);
  const { captions, captionStatesPattern } = pairCaptions(
    rng,
    surroundings,
    () => `some ${color.name} ${subject.plural}`,
    (side) => `${NUMBER_WORDS[counts[side]]} ${color.name} ${noun(counts[side])}`,
  );
  return {
    pattern: 'Quantity and Count',
    subject: subject.plural,
    attribute: 'count',
    values: [String(counts[0]), String(counts[1])],
    question: `How many ${subject.plural} are in the image?`,
    options: [String(fewer), String(total)],
    answers: sideWithMore === 0 ? [1, 0] : [0, 1],
    statements: [0, 1].map((side) => `there are ${NUMBER_WORDS[counts[side]!]} ${noun(counts[side]!)}`) as [string, string],
    captions,
    captionStatesPattern,
    scenes: [sceneWith(surroundings, mains[0]), sceneWith(surroundings, mains[1])],
    changedIds: [`item-${extra}`],
  };
}
