import type { Background, NamedColor } from '../colors';

/** Every object class the scenes can draw. Most have a clear front or a part that can change. */
export type ObjectKind =
  | 'fish'
  | 'bird'
  | 'car'
  | 'arrow'
  | 'cup'
  | 'glass'
  | 'bulb'
  | 'box'
  | 'bowl'
  | 'bowl-rim'
  | 'plate'
  | 'house'
  | 'flag'
  | 'sign'
  | 'tile'
  | 'ball'
  | 'apple'
  | 'star'
  | 'table'
  | 'tree'
  | 'cloud'
  | 'flower'
  | 'bush'
  | 'rock';

/** Which way an object faces. */
export type Facing = 'left' | 'right' | 'up' | 'down';

/**
 * One drawn object. Geometry is in fractions of the image side (so a scene renders at any size):
 * the object is drawn inside the square [x - size, x + size] x [y - size, y + size].
 */
export interface SceneObject {
  /** Stable id within a pair: the same id in both scenes is the same object. */
  readonly id: string;
  readonly kind: ObjectKind;
  readonly x: number;
  readonly y: number;
  /** Half of the object's square extent, as a fraction of the image side. */
  readonly size: number;
  readonly color: NamedColor;
  readonly facing?: Facing;
  /** The kind's optional part is present (cup handle, fish fin, house chimney, flag star, bird crest). */
  readonly part?: boolean;
  /** Kind-specific state: open|closed (box, house door), full|empty (glass), on|off (bulb), waving|hanging (flag). */
  readonly state?: string;
  readonly striped?: boolean;
  readonly dashed?: boolean;
  readonly broken?: boolean;
  readonly text?: string;
  readonly view?: 'side' | 'top';
  /** Colour of a small part that must stand out on the background (the house's chimney). */
  readonly accent?: string;
}

/** Everything a rendered image shows: background, objects and noise. */
export interface Scene {
  readonly background: Background;
  /** Drawn in order (later objects occlude earlier ones). */
  readonly objects: readonly SceneObject[];
  /** Per-pixel noise amplitude (0 = none) and its seed; both images of a pair share them. */
  readonly noiseAmplitude: number;
  readonly noiseSeed: number;
}

/** Pixel box [x0, y0, x1, y1], x1/y1 exclusive. */
export type PixelBox = readonly [number, number, number, number];
