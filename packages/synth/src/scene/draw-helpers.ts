import { Path2D, type SKRSContext2D } from '@napi-rs/canvas';
import { shade } from '../colors';
import type { SceneObject } from './scene-types';

/** Drawing context in the object's local frame: [-1, 1]^2, front towards +x. */
export interface LocalFrame {
  readonly context: SKRSContext2D;
  readonly object: SceneObject;
  /** One pixel in local units (for line widths that should stay visible at any size). */
  readonly pixel: number;
}

export function polygon(points: readonly number[]): Path2D {
  const path = new Path2D();
  for (let i = 0; i < points.length; i += 2) {
    if (i === 0) path.moveTo(points[i]!, points[i + 1]!);
    else path.lineTo(points[i]!, points[i + 1]!);
  }
  path.closePath();
  return path;
}

export function ellipse(cx: number, cy: number, rx: number, ry: number): Path2D {
  const path = new Path2D();
  path.ellipse(cx, cy, rx, ry, 0, 0, Math.PI * 2);
  return path;
}

export function rectangle(x0: number, y0: number, x1: number, y1: number): Path2D {
  const path = new Path2D();
  path.rect(x0, y0, x1 - x0, y1 - y0);
  return path;
}

export function starPath(cx: number, cy: number, outer: number, inner: number): Path2D {
  const points: number[] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push(cx + radius * Math.cos(angle), cy + radius * Math.sin(angle));
  }
  return polygon(points);
}

/** Outline colour of an object: a darker shade (or mid grey for black objects). */
export function outlineColor(hex: string): string {
  return hex === '#222222' ? '#777777' : shade(hex, 0.5);
}

/**
 * Fills `path` with the object's colour, adds stripes when `object.striped`, and strokes the outline
 * (dashed when `object.dashed`). This is where the Structural Characteristics pattern lives.
 */
export function paintBody(frame: LocalFrame, path: Path2D, fill = frame.object.color.hex): void {
  const { context, object } = frame;
  context.fillStyle = fill;
  context.fill(path);
  if (object.striped) {
    context.save();
    context.clip(path);
    context.fillStyle = stripeColor(fill);
    for (let y = -1; y < 1; y += 0.36) context.fillRect(-1, y, 2, 0.18);
    context.restore();
  }
  strokeOutline(frame, path);
}

function stripeColor(fill: string): string {
  return fill === '#f8f8f8' || fill === '#f2d60f' ? '#222222' : '#f8f8f8';
}

export function strokeOutline(frame: LocalFrame, path: Path2D): void {
  const { context, object, pixel } = frame;
  context.save();
  context.strokeStyle = outlineColor(object.color.hex);
  // An explicit `dashed: false` (the outline is the pair's attribute) gets the same width as dashed.
  context.lineWidth = object.dashed === undefined ? Math.max(2 * pixel, 0.05) : Math.max(3 * pixel, 0.08);
  context.lineJoin = 'round';
  if (object.dashed) {
    context.setLineDash([0.16, 0.12]);
    context.lineCap = 'butt';
  }
  context.stroke(path);
  context.restore();
}

export function fillPath(context: SKRSContext2D, path: Path2D, color: string): void {
  context.fillStyle = color;
  context.fill(path);
}

export function line(context: SKRSContext2D, points: readonly number[], color: string, width: number): void {
  context.save();
  context.strokeStyle = color;
  context.lineWidth = width;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.beginPath();
  for (let i = 0; i < points.length; i += 2) {
    if (i === 0) context.moveTo(points[i]!, points[i + 1]!);
    else context.lineTo(points[i]!, points[i + 1]!);
  }
  context.stroke();
  context.restore();
}
