import type { NamedColor } from '../colors';
import type { PatternName } from '../patterns';
import type { Rng } from '../rng';
import type { Facing, ObjectKind, SceneObject } from '../scene/scene-types';
import { boxOf, pairCaptions, pickBackground, placeOnBackground, sceneWith, surround } from './compose';
import type { PairSpec } from './pair-spec';

/** One binary attribute of one main object: the common shape of most pattern generators. */
export interface SingleSubjectVariant {
  readonly kind: ObjectKind;
  readonly noun: string;
  readonly attribute: string;
  /** The two attribute values, in option order. */
  readonly values: readonly [string, string];
  /** Option texts for the two values. */
  readonly options: readonly [string, string];
  readonly question: string;
  /** MMVP-VLM statement that is true exactly when the object has `value`. */
  readonly statement: (value: string) => string;
  /** The object with the attribute set to `value`. */
  readonly apply: (object: SceneObject, value: string) => SceneObject;
  /** Caption phrase without the detail, e.g. `a red fish`. */
  readonly plainPhrase: (color: NamedColor) => string;
  /** Caption phrase with the detail, e.g. `a red fish facing left`. */
  readonly detailPhrase: (color: NamedColor, value: string) => string;
  /** Fixed attributes of the object (same in both images). */
  readonly base?: Partial<SceneObject>;
  /** Random facings the object may have (same in both images); default right only. */
  readonly facings?: readonly Facing[];
  /** Restrict the object's colour to these names (when available on the background). */
  readonly colorNames?: readonly string[];
  /** Distractor kinds that would make the question confusing (besides the subject's own kind). */
  readonly avoidDistractors?: readonly ObjectKind[];
  /** Captions always state the detail (colour: ordinary alt-text names colours). */
  readonly alwaysStatesDetail?: boolean;
}

/**
 * A pair of scenes with one main object whose attribute takes the variant's two values (which image
 * gets which is random); `variant` may depend on the colours that stand out on the background.
 */
export function singleSubjectPair(rng: Rng, pattern: PatternName, variantOrFactory: SingleSubjectVariant | ((colors: readonly NamedColor[]) => SingleSubjectVariant)): PairSpec {
  const { background, colors } = pickBackground(rng);
  const variant = typeof variantOrFactory === 'function' ? variantOrFactory(colors) : variantOrFactory;
  const allowed = variant.colorNames ? colors.filter((c) => variant.colorNames!.includes(c.name)) : colors;
  const color = rng.pick(allowed.length > 0 ? allowed : colors);
  const size = rng.uniform(0.22, 0.32);
  const { x, y } = placeOnBackground(rng, background, variant.kind, size);
  const facing = rng.pick<Facing>(variant.facings ?? ['right']);
  // Parts that stick out against the background (the chimney) get a colour that contrasts with it.
  const accent = luminance(background.top) < 110 ? '#d9d9d9' : '#5a2a1e';
  const base: SceneObject = { id: 'subject', kind: variant.kind, x, y, size, color, facing, accent, ...variant.base };
  const first: 0 | 1 = rng.chance(0.5) ? 0 : 1;
  const answers: [0 | 1, 0 | 1] = [first, first === 0 ? 1 : 0];
  const values: [string, string] = [variant.values[answers[0]], variant.values[answers[1]]];
  const objects = values.map((value) => variant.apply(base, value)) as [SceneObject, SceneObject];
  const surroundings = surround(rng, background, colors, [boxOf(base)], [variant.kind, ...(variant.avoidDistractors ?? [])]);
  const detailed = (side: 0 | 1): string => variant.detailPhrase(objects[side].color, values[side]);
  const { captions, captionStatesPattern } = pairCaptions(rng, surroundings, variant.alwaysStatesDetail ? detailed : (side) => variant.plainPhrase(objects[side].color), detailed);
  if (variant.alwaysStatesDetail) captionStatesPattern.fill(true);
  return {
    pattern,
    subject: variant.noun,
    attribute: variant.attribute,
    values,
    question: variant.question,
    options: variant.options,
    answers,
    statements: [variant.statement(values[0]), variant.statement(values[1])],
    captions,
    captionStatesPattern,
    scenes: [sceneWith(surroundings, [objects[0]]), sceneWith(surroundings, [objects[1]])],
    changedIds: ['subject'],
  };
}

function luminance(hex: string): number {
  const value = Number.parseInt(hex.slice(1), 16);
  return 0.299 * ((value >> 16) & 255) + 0.587 * ((value >> 8) & 255) + 0.114 * (value & 255);
}
