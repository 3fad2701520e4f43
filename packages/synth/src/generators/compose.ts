import { BACKGROUNDS, OBJECT_COLORS, type Background, type NamedColor } from '../colors';
import { createRng, type Rng } from '../rng';
import type { ObjectKind, Scene, SceneObject } from '../scene/scene-types';

/** A normalised box [x0, y0, x1, y1] in fractions of the image side. */
export type UnitBox = readonly [number, number, number, number];

export function boxOf(object: Pick<SceneObject, 'x' | 'y' | 'size'>): UnitBox {
  return [object.x - object.size, object.y - object.size, object.x + object.size, object.y + object.size];
}

export function overlaps(a: UnitBox, b: UnitBox, margin = 0.02): boolean {
  return a[0] < b[2] + margin && b[0] < a[2] + margin && a[1] < b[3] + margin && b[1] < a[3] + margin;
}

/** Random background, and object colours that stand out on it. */
export function pickBackground(rng: Rng): { background: Background; colors: readonly NamedColor[] } {
  const background = rng.pick(BACKGROUNDS);
  return { background, colors: OBJECT_COLORS.filter((c) => !background.avoid.includes(c.name)) };
}

/** A colour by name (for fixed-colour objects such as trees). */
function namedColor(name: string): NamedColor {
  const found = OBJECT_COLORS.find((c) => c.name === name);
  if (found) return found;
  if (name === 'grey') return { name, hex: '#8d8f91' };
  if (name === 'dark green') return { name, hex: '#2f6b2a' };
  throw new RangeError(`unknown colour ${name}`);
}

/** Kinds that stand on the ground when the background has one. */
const GROUNDED: ReadonlySet<ObjectKind> = new Set(['house', 'car', 'tree', 'rock', 'flower', 'bush', 'box', 'table', 'flag', 'sign', 'bulb', 'glass', 'cup', 'plate', 'bowl', 'tile']);

/**
 * A position for an object of half-size `size`: on a background with ground, grounded kinds stand
 * with their bottom on the ground and clouds stay in the sky; otherwise anywhere inside the image.
 */
export function placeOnBackground(rng: Rng, background: Background, kind: ObjectKind, size: number, margin = 0.03): { x: number; y: number } {
  const x = rng.uniform(size + margin, 1 - size - margin);
  if (background.horizon < 1 && GROUNDED.has(kind)) {
    const bottom = rng.uniform(Math.max(background.horizon + 0.05, 2 * size + margin), 1 - margin);
    return { x, y: bottom - size };
  }
  if (background.horizon < 1 && kind === 'cloud') return { x, y: rng.uniform(size + margin, Math.max(size + margin, background.horizon - size)) };
  return { x, y: rng.uniform(size + margin, 1 - size - margin) };
}

/** A random position for an object of half-size `size` fully inside the image (with a margin). */
export function randomCenter(rng: Rng, size: number, margin = 0.03): { x: number; y: number } {
  return { x: rng.uniform(size + margin, 1 - size - margin), y: rng.uniform(size + margin, 1 - size - margin) };
}

interface DistractorKind {
  readonly kind: ObjectKind;
  readonly noun: string;
  readonly fixedColor?: string;
}

const DISTRACTORS: readonly DistractorKind[] = [
  { kind: 'tree', noun: 'tree', fixedColor: 'green' },
  { kind: 'flower', noun: 'flower' },
  { kind: 'rock', noun: 'rock', fixedColor: 'grey' },
  { kind: 'star', noun: 'star' },
  { kind: 'ball', noun: 'ball' },
  { kind: 'cloud', noun: 'cloud', fixedColor: 'white' },
];

export interface Surroundings {
  readonly background: Background;
  /** Drawn before the main objects. */
  readonly distractors: readonly SceneObject[];
  /** Drawn after the main objects (partly occludes a distractor, never a main object). */
  readonly occluders: readonly SceneObject[];
  readonly noiseAmplitude: number;
  readonly noiseSeed: number;
  /** Caption phrases of the distractors, e.g. `a green tree`. */
  readonly phrases: readonly string[];
}

/**
 * Background, 0-3 distractor objects placed away from `reserved` boxes (the main objects in BOTH
 * images), an occluding bush over one distractor now and then, and the pair's shared noise.
 */
export function surround(rng: Rng, background: Background, colors: readonly NamedColor[], reserved: readonly UnitBox[], avoidKinds: readonly ObjectKind[]): Surroundings {
  const sky = background.horizon < 1 || background.phrase.includes('light blue');
  const kinds = DISTRACTORS.filter((d) => !avoidKinds.includes(d.kind) && !(d.kind === 'cloud' && (background.avoid.includes('white') || !sky)));
  const wanted = rng.int(0, 3);
  const placed: SceneObject[] = [];
  const phrases: string[] = [];
  const taken = [...reserved];
  const usedKinds = new Set<ObjectKind>();
  for (let attempt = 0; attempt < 40 && placed.length < wanted; attempt++) {
    const kind = rng.pick(kinds);
    if (usedKinds.has(kind.kind)) continue; // one of each kind: captions never have to count them
    const size = rng.uniform(0.07, 0.12);
    const { x, y } = placeOnBackground(rng, background, kind.kind, size, 0.01);
    const box = boxOf({ x, y, size });
    if (taken.some((t) => overlaps(t, box, 0.03))) continue;
    const flowerColors = colors.filter((c) => !['black', 'brown', 'white', 'green'].includes(c.name));
    const color = kind.fixedColor ? namedColor(kind.fixedColor) : rng.pick(kind.kind === 'flower' && flowerColors.length > 0 ? flowerColors : colors);
    usedKinds.add(kind.kind);
    placed.push({ id: `distractor-${placed.length}`, kind: kind.kind, x, y, size, color, facing: 'right' });
    phrases.push(`${article(color.name)} ${color.name} ${kind.noun}`);
    taken.push(box);
  }
  const occluders: SceneObject[] = [];
  const target = placed.find((p) => p.kind !== 'cloud');
  if (target && !background.avoid.includes('green') && rng.chance(0.4)) {
    const size = target.size * 0.8;
    const bush: SceneObject = { id: 'occluder', kind: 'bush', x: target.x + rng.uniform(-0.3, 0.3) * target.size, y: target.y + target.size * 0.6, size, color: namedColor('dark green') };
    if (!reserved.some((r) => overlaps(r, boxOf(bush), 0.01)) && bush.y + size < 1 && bush.x - size > 0 && bush.x + size < 1) occluders.push(bush);
  }
  const noisy = rng.chance(0.5);
  return {
    background,
    distractors: placed,
    occluders,
    noiseAmplitude: noisy ? rng.int(2, 6) : 0,
    noiseSeed: rng.int(0, 2 ** 31),
    phrases,
  };
}

/** A scene from the surroundings and this image's main objects. */
export function sceneWith(surroundings: Surroundings, main: readonly SceneObject[]): Scene {
  return {
    background: surroundings.background,
    objects: [...surroundings.distractors, ...main, ...surroundings.occluders],
    noiseAmplitude: surroundings.noiseAmplitude,
    noiseSeed: surroundings.noiseSeed,
  };
}

export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

const PREFIXES = ['', '', 'A picture of ', 'An illustration of ', 'Cartoon of ', 'Clip art of '];

/**
 * Alt-text style caption: "<main phrase>, <distractors> <background phrase>." The main phrase is the
 * generator's honest description; it rarely includes the changed detail.
 */
function caption(rng: Rng, mainPhrase: string, surroundings: Surroundings): string {
  const mentioned = surroundings.phrases.filter(() => rng.chance(0.7));
  const things = [mainPhrase, ...mentioned];
  const list = things.length === 1 ? things[0]! : `${things.slice(0, -1).join(', ')} and ${things[things.length - 1]}`;
  const prefix = rng.pick(PREFIXES);
  const text = `${prefix}${list} ${surroundings.background.phrase}`.replace(/\ba ([aeiou])/gi, 'an $1');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** How often a caption states the changed detail (web alt-text rarely does). */
const CAPTION_DETAIL_RATE = 1 / 8;

/**
 * The two captions of a pair: `plain` describes the image without the detail, `detailed(side)`
 * with it; each image independently states the detail with probability CAPTION_DETAIL_RATE.
 */
export function pairCaptions(rng: Rng, surroundings: Surroundings, plain: (side: 0 | 1) => string, detailed: (side: 0 | 1) => string): { captions: [string, string]; captionStatesPattern: [boolean, boolean] } {
  const states: [boolean, boolean] = [rng.chance(CAPTION_DETAIL_RATE), rng.chance(CAPTION_DETAIL_RATE)];
  // Same caption randomness for both sides, so two plain captions come out identical.
  const captionSeed = rng.int(0, 2 ** 31);
  const make = (side: 0 | 1): string => {
    const local = seededCopy(captionSeed);
    return caption(local, states[side] ? detailed(side) : plain(side), surroundings);
  };
  return { captions: [make(0), make(1)], captionStatesPattern: states };
}

function seededCopy(seed: number): Rng {
  return createRng(seed, 'caption');
}

export function capitalize(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
