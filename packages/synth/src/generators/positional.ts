import type { NamedColor } from '../colors';
import type { Rng } from '../rng';
import type { ObjectKind, SceneObject } from '../scene/scene-types';
import { article, boxOf, pairCaptions, pickBackground, sceneWith, surround } from './compose';
import type { PairSpec } from './pair-spec';

const SIDE_BY_SIDE: readonly { kind: ObjectKind; noun: string }[] = [
  { kind: 'ball', noun: 'ball' },
  { kind: 'cup', noun: 'mug' },
  { kind: 'apple', noun: 'apple' },
  { kind: 'star', noun: 'star' },
  { kind: 'flower', noun: 'flower' },
  { kind: 'car', noun: 'car' },
  { kind: 'bird', noun: 'bird' },
  { kind: 'box', noun: 'box' },
  { kind: 'house', noun: 'house' },
];

/**
 * Positional and Relational Context: left of / right of (the two objects swap places), on / under a
 * table, inside / outside a bowl.
 */
export function generatePositional(rng: Rng): PairSpec {
  const variant = rng.pick(['left-right', 'on-under', 'inside-outside'] as const);
  if (variant === 'left-right') return leftRight(rng);
  return variant === 'on-under' ? onUnder(rng) : insideOutside(rng);
}

function leftRight(rng: Rng): PairSpec {
  const { background, colors } = pickBackground(rng);
  const [a, b] = rng.shuffle(SIDE_BY_SIDE).slice(0, 2) as [(typeof SIDE_BY_SIDE)[number], (typeof SIDE_BY_SIDE)[number]];
  const [colorA, colorB] = rng.shuffle(colors).slice(0, 2) as [NamedColor, NamedColor];
  const size = rng.uniform(0.13, 0.19);
  const gap = rng.uniform(0.04, 0.12);
  const y = background.horizon < 1 ? rng.uniform(Math.max(background.horizon + 0.05, 2 * size + 0.03), 0.97) - size : rng.uniform(size + 0.05, 1 - size - 0.05);
  const leftX = rng.uniform(size + 0.03, 1 - 3 * size - gap - 0.03);
  const rightX = leftX + 2 * size + gap;
  const facing = rng.pick(['left', 'right'] as const);
  const objectA = (x: number): SceneObject => ({ id: 'a', kind: a.kind, x, y, size, color: colorA, facing, view: 'side', part: true, state: 'closed' });
  const objectB = (x: number): SceneObject => ({ id: 'b', kind: b.kind, x, y, size, color: colorB, facing, view: 'side', part: true, state: 'closed' });
  const aLeftFirst = rng.chance(0.5);
  const mains: [SceneObject[], SceneObject[]] = aLeftFirst
    ? [
        [objectA(leftX), objectB(rightX)],
        [objectA(rightX), objectB(leftX)],
      ]
    : [
        [objectA(rightX), objectB(leftX)],
        [objectA(leftX), objectB(rightX)],
      ];
  const values: [string, string] = aLeftFirst ? ['left', 'right'] : ['right', 'left'];
  const surroundings = surround(rng, background, colors, [...mains[0], ...mains[1]].map(boxOf), [a.kind, b.kind]);
  const phraseA = `${article(colorA.name)} ${colorA.name} ${a.noun}`;
  const phraseB = `${article(colorB.name)} ${colorB.name} ${b.noun}`;
  const { captions, captionStatesPattern } = pairCaptions(
    rng,
    surroundings,
    () => `${phraseA} and ${phraseB}`,
    (side) => `${phraseA} to the ${values[side]} of ${phraseB}`,
  );
  return {
    pattern: 'Positional and Relational Context',
    subject: a.noun,
    attribute: `side of the ${b.noun}`,
    values,
    question: `Is the ${a.noun} to the left or to the right of the ${b.noun}?`,
    options: ['Left', 'Right'],
    answers: aLeftFirst ? [0, 1] : [1, 0],
    statements: [`the ${a.noun} is to the ${values[0]} of the ${b.noun}`, `the ${a.noun} is to the ${values[1]} of the ${b.noun}`],
    captions,
    captionStatesPattern,
    scenes: [sceneWith(surroundings, mains[0]), sceneWith(surroundings, mains[1])],
    changedIds: ['a', 'b'],
  };
}

function onUnder(rng: Rng): PairSpec {
  const { background, colors } = pickBackground(rng);
  const [tableColor, ballColor] = rng.shuffle(colors).slice(0, 2) as [NamedColor, NamedColor];
  const tableSize = rng.uniform(0.26, 0.33);
  const tx = rng.uniform(tableSize + 0.03, 1 - tableSize - 0.03);
  const ty = rng.uniform(Math.max(tableSize + 0.2, 0.5), 1 - tableSize - 0.03);
  const ballSize = tableSize * rng.uniform(0.22, 0.3);
  const bx = tx + rng.uniform(-0.3, 0.3) * tableSize;
  const table: SceneObject = { id: 'table', kind: 'table', x: tx, y: ty, size: tableSize, color: tableColor, view: 'side' };
  const onY = ty - 0.36 * tableSize - ballSize * 0.92;
  const underY = ty + 0.95 * tableSize - ballSize * 0.92;
  const ball = (y: number): SceneObject => ({ id: 'ball', kind: 'ball', x: bx, y, size: ballSize, color: ballColor });
  const onFirst = rng.chance(0.5);
  const values: [string, string] = onFirst ? ['on', 'under'] : ['under', 'on'];
  const balls = values.map((v) => ball(v === 'on' ? onY : underY)) as [SceneObject, SceneObject];
  const surroundings = surround(rng, background, colors, [boxOf(table), boxOf(balls[0]), boxOf(balls[1])], ['ball', 'table']);
  const phrase = `${article(ballColor.name)} ${ballColor.name} ball and ${article(tableColor.name)} ${tableColor.name} table`;
  const { captions, captionStatesPattern } = pairCaptions(
    rng,
    surroundings,
    () => phrase,
    (side) => `${article(ballColor.name)} ${ballColor.name} ball ${values[side]} ${article(tableColor.name)} ${tableColor.name} table`,
  );
  return {
    pattern: 'Positional and Relational Context',
    subject: 'ball',
    attribute: 'relation to the table',
    values,
    question: 'Is the ball on the table or under the table?',
    options: ['On the table', 'Under the table'],
    answers: onFirst ? [0, 1] : [1, 0],
    statements: [`the ball is ${values[0]} the table`, `the ball is ${values[1]} the table`],
    captions,
    captionStatesPattern,
    scenes: [sceneWith(surroundings, [table, balls[0]]), sceneWith(surroundings, [table, balls[1]])],
    changedIds: ['ball'],
  };
}

function insideOutside(rng: Rng): PairSpec {
  const { background, colors } = pickBackground(rng);
  const [bowlColor, ballColor] = rng.shuffle(colors).slice(0, 2) as [NamedColor, NamedColor];
  const bowlSize = rng.uniform(0.2, 0.25);
  const ballSize = bowlSize * rng.uniform(0.42, 0.5);
  const outsideLeft = rng.chance(0.5);
  const span = 2 * bowlSize + 2 * ballSize + 0.04;
  const start = rng.uniform(0.03, 1 - span - 0.03);
  const bowlX = outsideLeft ? start + 2 * ballSize + 0.04 + bowlSize : start + bowlSize;
  const outsideX = outsideLeft ? start + ballSize : start + 2 * bowlSize + 0.04 + ballSize;
  const bowlY = rng.uniform(bowlSize + 0.18, 1 - bowlSize - 0.03);
  const bowl: SceneObject = { id: 'bowl', kind: 'bowl', x: bowlX, y: bowlY, size: bowlSize, color: bowlColor };
  const rim: SceneObject = { ...bowl, id: 'bowl-rim', kind: 'bowl-rim' };
  const groundY = bowlY + 0.85 * bowlSize - ballSize;
  const insideY = bowlY + 0.05 * bowlSize - ballSize * 0.35;
  const inFirst = rng.chance(0.5);
  const values: [string, string] = inFirst ? ['inside', 'outside'] : ['outside', 'inside'];
  const balls = values.map((v) => ({ id: 'ball', kind: 'ball', x: v === 'inside' ? bowlX : outsideX, y: v === 'inside' ? insideY : groundY, size: ballSize, color: ballColor }) as SceneObject) as [
    SceneObject,
    SceneObject,
  ];
  const surroundings = surround(rng, background, colors, [boxOf(bowl), boxOf(balls[0]), boxOf(balls[1])], ['ball']);
  const { captions, captionStatesPattern } = pairCaptions(
    rng,
    surroundings,
    () => `${article(ballColor.name)} ${ballColor.name} ball and ${article(bowlColor.name)} ${bowlColor.name} bowl`,
    (side) => `${article(ballColor.name)} ${ballColor.name} ball ${values[side] === 'inside' ? 'in' : 'next to'} ${article(bowlColor.name)} ${bowlColor.name} bowl`,
  );
  return {
    pattern: 'Positional and Relational Context',
    subject: 'ball',
    attribute: 'relation to the bowl',
    values,
    question: 'Is the ball inside or outside the bowl?',
    options: ['Inside', 'Outside'],
    answers: inFirst ? [0, 1] : [1, 0],
    statements: [`the ball is ${values[0]} the bowl`, `the ball is ${values[1]} the bowl`],
    captions,
    captionStatesPattern,
    scenes: [sceneWith(surroundings, [bowl, balls[0], rim]), sceneWith(surroundings, [bowl, balls[1], rim])],
    changedIds: ['ball'],
  };
}
