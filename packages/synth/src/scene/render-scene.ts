import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { createRng } from '../rng';
import { drawBird, drawFish } from './draw-creatures';
import type { LocalFrame } from './draw-helpers';
import { drawApple, drawBush, drawCloud, drawFlower, drawRock, drawStar, drawTree } from './draw-nature';
import { drawArrow, drawBall, drawBowl, drawBowlRim, drawBox, drawBulb, drawCar, drawCup, drawFlag, drawGlass, drawHouse, drawPlate, drawSign, drawTable, drawTile } from './draw-things';
import type { ObjectKind, PixelBox, Scene, SceneObject } from './scene-types';

const DRAW: Readonly<Record<ObjectKind, (frame: LocalFrame) => void>> = {
  fish: drawFish,
  bird: drawBird,
  car: drawCar,
  arrow: drawArrow,
  cup: drawCup,
  glass: drawGlass,
  bulb: drawBulb,
  box: drawBox,
  bowl: drawBowl,
  'bowl-rim': drawBowlRim,
  plate: drawPlate,
  house: drawHouse,
  flag: drawFlag,
  sign: drawSign,
  tile: drawTile,
  ball: drawBall,
  apple: drawApple,
  star: drawStar,
  table: drawTable,
  tree: drawTree,
  cloud: drawCloud,
  flower: drawFlower,
  bush: drawBush,
  rock: drawRock,
};

/** Rendered image: [H, W, 3] uint8 RGB. */
export interface RgbPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const canvases = new Map<number, Canvas>();

/** Pixels of margin around an object's square that anti-aliasing and outlines may touch. */
const BOX_MARGIN = 3;

/**
 * Draws a scene at `size` x `size` pixels. Deterministic: same scene, same pixels (the canvas is
 * cleared and every context state is set explicitly; noise comes from the scene's seed).
 */
export function renderScene(scene: Scene, size: number): RgbPixels {
  let canvas = canvases.get(size);
  if (!canvas) {
    canvas = createCanvas(size, size);
    canvases.set(size, canvas);
  }
  const context = canvas.getContext('2d');
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.globalAlpha = 1;
  context.setLineDash([]);
  const { background } = scene;
  context.fillStyle = background.top;
  context.fillRect(0, 0, size, size);
  if (background.horizon < 1) {
    context.fillStyle = background.bottom;
    context.fillRect(0, Math.round(background.horizon * size), size, size);
  }
  for (const object of scene.objects) drawObject(context, object, size);
  context.setTransform(1, 0, 0, 1, 0, 0);
  const rgba = context.getImageData(0, 0, size, size).data;
  const rgb = new Uint8Array(size * size * 3);
  const noise = scene.noiseAmplitude > 0 ? createRng(scene.noiseSeed, 'noise') : undefined;
  const span = 2 * scene.noiseAmplitude + 1;
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    const n = noise ? Math.floor(noise.next() * span) - scene.noiseAmplitude : 0;
    rgb[q] = clamp(rgba[p]! + n);
    rgb[q + 1] = clamp(rgba[p + 1]! + n);
    rgb[q + 2] = clamp(rgba[p + 2]! + n);
  }
  return { data: rgb, width: size, height: size };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function drawObject(context: SKRSContext2D, object: SceneObject, size: number): void {
  const scale = object.size * size;
  context.save();
  context.setTransform(1, 0, 0, 1, object.x * size, object.y * size);
  if (object.facing === 'up') context.rotate(-Math.PI / 2);
  else if (object.facing === 'down') context.rotate(Math.PI / 2);
  context.scale(object.facing === 'left' ? -scale : scale, scale);
  DRAW[object.kind]({ context, object, pixel: 1 / scale });
  context.restore();
}

/** Pixel box an object can touch (its square plus a small margin), clipped to the image. */
export function objectBox(object: SceneObject, size: number): PixelBox {
  const clip = (v: number): number => Math.max(0, Math.min(size, v));
  return [
    clip(Math.floor((object.x - object.size) * size) - BOX_MARGIN),
    clip(Math.floor((object.y - object.size) * size) - BOX_MARGIN),
    clip(Math.ceil((object.x + object.size) * size) + BOX_MARGIN),
    clip(Math.ceil((object.y + object.size) * size) + BOX_MARGIN),
  ];
}

/** Smallest box containing all given boxes. */
export function unionBoxes(boxes: readonly PixelBox[]): PixelBox {
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}
