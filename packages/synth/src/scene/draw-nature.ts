import { shade } from '../colors';
import { ellipse, fillPath, line, paintBody, polygon, rectangle, starPath, type LocalFrame } from './draw-helpers';

export function drawApple(frame: LocalFrame): void {
  const { context } = frame;
  line(context, [0, -0.55, 0.08, -0.9], '#6b4226', 0.07);
  fillPath(context, ellipse(0.3, -0.72, 0.2, 0.09), '#2a9d3f');
  paintBody(frame, polygon(applePoints()));
  fillPath(context, ellipse(-0.3, -0.2, 0.12, 0.2), 'rgba(255,255,255,0.45)');
}

function applePoints(): number[] {
  const points: number[] = [];
  for (let i = 0; i < 48; i++) {
    const t = (i / 48) * Math.PI * 2;
    const r = 0.78 - 0.12 * Math.max(0, -Math.sin(t)) ** 6 * 2;
    points.push(r * Math.cos(t), 0.12 + 0.8 * r * Math.sin(t));
  }
  return points;
}

export function drawStar(frame: LocalFrame): void {
  paintBody(frame, starPath(0, 0.06, 0.95, 0.4));
}

export function drawTree(frame: LocalFrame): void {
  const { context } = frame;
  fillPath(context, rectangle(-0.12, 0.2, 0.12, 0.96), '#7a4a24');
  const canopy = shade(frame.object.color.hex, 1);
  for (const [cx, cy, r] of [
    [0, -0.35, 0.58],
    [-0.4, -0.02, 0.4],
    [0.4, -0.02, 0.4],
  ] as const)
    fillPath(context, ellipse(cx, cy, r, r), canopy);
  fillPath(context, ellipse(-0.15, -0.5, 0.2, 0.14), shade(canopy, 1.25));
}

export function drawCloud(frame: LocalFrame): void {
  for (const [cx, cy, r] of [
    [-0.5, 0.15, 0.35],
    [0, -0.05, 0.5],
    [0.5, 0.15, 0.35],
  ] as const)
    fillPath(frame.context, ellipse(cx, cy, r, r * 0.8), '#fdfdfd');
}

export function drawFlower(frame: LocalFrame): void {
  const { context, object } = frame;
  line(context, [0, 0, 0, 0.95], '#2a7d2f', 0.08);
  fillPath(context, ellipse(0.22, 0.55, 0.2, 0.08), '#2a9d3f');
  for (let i = 0; i < 6; i++) {
    const angle = (i * Math.PI) / 3;
    fillPath(context, ellipse(0.3 * Math.cos(angle), -0.35 + 0.3 * Math.sin(angle), 0.2, 0.2), object.color.hex);
  }
  fillPath(context, ellipse(0, -0.35, 0.16, 0.16), '#f2d60f');
}

export function drawBush(frame: LocalFrame): void {
  const color = frame.object.color.hex;
  for (const [cx, cy, r] of [
    [-0.5, 0.4, 0.45],
    [0.05, 0.25, 0.6],
    [0.5, 0.45, 0.45],
  ] as const)
    fillPath(frame.context, ellipse(cx, cy, r, r), color);
  fillPath(frame.context, ellipse(0.05, 0.1, 0.25, 0.15), shade(color, 1.2));
}

export function drawRock(frame: LocalFrame): void {
  fillPath(frame.context, polygon([-0.9, 0.6, -0.6, 0.0, -0.1, -0.3, 0.5, -0.15, 0.9, 0.6]), '#8d8f91');
  fillPath(frame.context, polygon([-0.5, 0.05, -0.1, -0.22, 0.2, -0.12, -0.2, 0.1]), '#a9abad');
}
