import { Path2D } from '@napi-rs/canvas';
import { shade } from '../colors';
import { drawStrokeText, strokeTextWidth } from '../stroke-font';
import { ellipse, fillPath, line, outlineColor, paintBody, polygon, rectangle, starPath, strokeOutline, type LocalFrame } from './draw-helpers';

const GLASS_BLUE = '#aee0f5';

/** Car, front towards +x: side view (profile with wheels) or top view (roof and windscreen). */
export function drawCar(frame: LocalFrame): void {
  const { context, object } = frame;
  if (object.view === 'top') {
    const body = new Path2D();
    body.roundRect(-0.95, -0.52, 1.9, 1.04, 0.22);
    for (const [x0, y0] of [
      [-0.7, -0.6],
      [0.4, -0.6],
      [-0.7, 0.5],
      [0.4, 0.5],
    ] as const)
      fillPath(context, rectangle(x0, y0, x0 + 0.3, y0 + 0.1), '#1b1b1b');
    paintBody(frame, body);
    fillPath(context, polygon([0.08, -0.38, 0.42, -0.44, 0.42, 0.44, 0.08, 0.38]), GLASS_BLUE);
    fillPath(context, rectangle(-0.48, -0.38, 0.08, 0.38), shade(object.color.hex, 0.82));
    fillPath(context, polygon([-0.7, -0.4, -0.48, -0.36, -0.48, 0.36, -0.7, 0.4]), GLASS_BLUE);
    fillPath(context, rectangle(0.84, -0.42, 0.93, -0.26), '#ffe45c');
    fillPath(context, rectangle(0.84, 0.26, 0.93, 0.42), '#ffe45c');
    return;
  }
  paintBody(frame, polygon([-0.55, -0.08, -0.4, -0.5, 0.28, -0.5, 0.5, -0.08]), shade(object.color.hex, 0.9));
  fillPath(context, polygon([-0.45, -0.12, -0.34, -0.44, -0.06, -0.44, -0.06, -0.12]), GLASS_BLUE);
  fillPath(context, polygon([0.02, -0.12, 0.02, -0.44, 0.25, -0.44, 0.41, -0.12]), GLASS_BLUE);
  paintBody(frame, polygon([-0.95, -0.1, 0.5, -0.1, 0.95, 0.08, 0.95, 0.45, -0.95, 0.45]));
  for (const x of [-0.55, 0.55]) {
    fillPath(context, ellipse(x, 0.48, 0.22, 0.22), '#1b1b1b');
    fillPath(context, ellipse(x, 0.48, 0.09, 0.09), '#b8b8b8');
  }
  fillPath(context, rectangle(0.84, 0.12, 0.94, 0.24), '#ffe45c');
  fillPath(context, rectangle(-0.94, 0.0, -0.86, 0.14), '#d00000');
}

/** Block arrow pointing +x. */
export function drawArrow(frame: LocalFrame): void {
  paintBody(frame, polygon([-0.92, -0.17, 0.22, -0.17, 0.22, -0.52, 0.95, 0, 0.22, 0.52, 0.22, 0.17, -0.92, 0.17]));
}

/** Mug: side view (optional handle on the right) or top view on a saucer (handle as a tab). */
export function drawCup(frame: LocalFrame): void {
  const { context, object } = frame;
  if (object.view === 'top') {
    fillPath(context, ellipse(-0.1, 0, 0.84, 0.84), '#eeeeee');
    strokeOutline({ ...frame, object: { ...object, dashed: false, color: { name: 'grey', hex: '#bbbbbb' } } }, ellipse(-0.1, 0, 0.84, 0.84));
    if (object.part) paintBody(frame, rectangle(0.45, -0.12, 0.92, 0.12));
    paintBody(frame, ellipse(-0.1, 0, 0.6, 0.6));
    fillPath(context, ellipse(-0.1, 0, 0.47, 0.47), '#5b3a1e');
    return;
  }
  if (object.part) {
    context.save();
    context.strokeStyle = outlineColor(object.color.hex);
    context.lineWidth = 0.2;
    context.beginPath();
    context.arc(0.3, 0.0, 0.34, -Math.PI / 2.4, Math.PI / 2.4);
    context.stroke();
    context.strokeStyle = object.color.hex;
    context.lineWidth = 0.12;
    context.stroke();
    context.restore();
  }
  paintBody(frame, polygon([-0.68, -0.62, 0.38, -0.62, 0.3, 0.7, -0.6, 0.7]));
  fillPath(context, ellipse(-0.15, -0.62, 0.53, 0.08), shade(object.color.hex, 0.6));
}

/** Drinking glass, full (liquid in the object's colour) or empty. */
export function drawGlass(frame: LocalFrame): void {
  const { context, object } = frame;
  const outline = polygon([-0.52, -0.88, 0.52, -0.88, 0.38, 0.88, -0.38, 0.88]);
  fillPath(context, outline, '#eef7fb');
  if (object.state === 'full') {
    const top = -0.55;
    const half = (y: number): number => 0.52 - ((y + 0.88) / 1.76) * 0.14;
    fillPath(context, polygon([-half(top), top, half(top), top, 0.38, 0.88, -0.38, 0.88]), object.color.hex);
    fillPath(context, polygon([-half(top), top, half(top), top, half(top + 0.06), top + 0.06, -half(top + 0.06), top + 0.06]), shade(object.color.hex, 1.35));
  }
  line(context, [-0.36, -0.7, -0.28, 0.7], '#ffffff', 0.06);
  context.save();
  context.strokeStyle = '#5f7380';
  context.lineWidth = 0.06;
  context.stroke(outline);
  context.restore();
}

/** Light bulb, on (yellow, glowing, rays) or off (grey glass). */
export function drawBulb(frame: LocalFrame): void {
  const { context, object } = frame;
  const on = object.state === 'on';
  if (on) {
    fillPath(context, ellipse(0, -0.28, 0.64, 0.64), 'rgba(255, 236, 120, 0.45)');
    for (let i = 0; i < 12; i++) {
      const angle = (i * Math.PI) / 6;
      if (Math.sin(angle) > 0.6) continue; // no rays through the base
      line(context, [0.5 * Math.cos(angle), -0.28 + 0.5 * Math.sin(angle), 0.66 * Math.cos(angle), -0.28 + 0.66 * Math.sin(angle)], '#f2b705', 0.06);
    }
  }
  const glass = ellipse(0, -0.28, 0.44, 0.44);
  fillPath(context, glass, on ? '#ffe45c' : '#d5d9dc');
  context.save();
  context.strokeStyle = on ? '#d99a00' : '#8a9096';
  context.lineWidth = 0.05;
  context.stroke(glass);
  context.restore();
  fillPath(context, polygon([-0.22, 0.08, 0.22, 0.08, 0.2, 0.3, -0.2, 0.3]), on ? '#ffe45c' : '#d5d9dc');
  line(context, [-0.12, 0.1, -0.12, -0.28, -0.04, -0.38, 0.04, -0.28, 0.12, -0.38, 0.12, 0.1], on ? '#e85d04' : '#55595e', 0.04);
  paintBody(frame, rectangle(-0.22, 0.3, 0.22, 0.72));
  for (const y of [0.42, 0.54, 0.66]) line(context, [-0.22, y, 0.22, y], shade(object.color.hex, 0.6), 0.03);
  fillPath(context, rectangle(-0.09, 0.72, 0.09, 0.84), '#333333');
}

/** Chest-like box, open (lid tilted back, dark inside) or closed. */
export function drawBox(frame: LocalFrame): void {
  const { context, object } = frame;
  if (object.state === 'open') {
    paintBody(frame, polygon([-0.62, -0.3, 0.62, -0.3, 0.8, -0.92, -0.8, -0.92]), shade(object.color.hex, 0.85));
    fillPath(context, polygon([-0.75, -0.1, 0.75, -0.1, 0.62, -0.3, -0.62, -0.3]), '#2e2013');
  }
  paintBody(frame, rectangle(-0.75, -0.1, 0.75, 0.8));
  fillPath(context, rectangle(-0.06, -0.1, 0.06, 0.8), shade(object.color.hex, 0.7));
  if (object.state !== 'open') paintBody(frame, rectangle(-0.82, -0.34, 0.82, -0.1), shade(object.color.hex, 0.85));
}

/** Back half of a bowl (drawn before what is inside it). */
export function drawBowl(frame: LocalFrame): void {
  fillPath(frame.context, ellipse(0, 0.05, 0.85, 0.18), shade(frame.object.color.hex, 0.55));
}

/** Front half of a bowl (drawn after what is inside it). */
export function drawBowlRim(frame: LocalFrame): void {
  const path = new Path2D();
  path.ellipse(0, 0.05, 0.85, 0.8, 0, 0, Math.PI);
  path.ellipse(0, 0.05, 0.85, 0.18, 0, Math.PI, 0, true);
  path.closePath();
  paintBody(frame, path);
}

/** Round plate, whole or broken (a crack and a chipped-off piece of the rim). */
export function drawPlate(frame: LocalFrame): void {
  const { context, object } = frame;
  context.save();
  if (object.broken) {
    const clip = new Path2D();
    clip.rect(-1.1, -1.1, 2.2, 2.2);
    clip.moveTo(0.42, -0.82);
    clip.lineTo(0.58, -0.42);
    clip.lineTo(0.98, -0.3);
    clip.lineTo(0.98, -0.98);
    clip.closePath();
    context.clip(clip, 'evenodd');
  }
  paintBody(frame, ellipse(0, 0, 0.9, 0.9));
  fillPath(context, ellipse(0, 0, 0.6, 0.6), shade(object.color.hex, 1.5));
  context.restore();
  if (object.broken) line(context, [-0.25, -0.88, 0.02, -0.45, -0.16, -0.08, 0.12, 0.32, -0.08, 0.88], '#222222', 0.06);
}

/** House with door, windows, and an optional chimney; the door is open or closed. */
export function drawHouse(frame: LocalFrame): void {
  const { context, object } = frame;
  if (object.part) paintBody(frame, rectangle(0.32, -0.82, 0.54, -0.3), object.accent ?? '#9c4a3a');
  paintBody(frame, rectangle(-0.72, -0.12, 0.72, 0.9));
  paintBody(frame, polygon([-0.92, -0.1, 0, -0.86, 0.92, -0.1]), shade(object.color.hex, 0.55));
  for (const x of [-0.55, 0.27]) fillPath(context, rectangle(x, 0.04, x + 0.28, 0.32), GLASS_BLUE);
  if (object.state === 'open') {
    fillPath(context, rectangle(-0.16, 0.38, 0.16, 0.9), '#1a1a1a');
    fillPath(context, polygon([-0.16, 0.38, -0.34, 0.3, -0.34, 0.96, -0.16, 0.9]), '#7a4a24');
  } else {
    fillPath(context, rectangle(-0.16, 0.38, 0.16, 0.9), '#7a4a24');
    fillPath(context, ellipse(0.09, 0.66, 0.03, 0.03), '#f2d60f');
  }
}

/** Flag on a pole: waving (wavy, spread out) or hanging (limp along the pole); optional star. */
export function drawFlag(frame: LocalFrame): void {
  const { context, object } = frame;
  fillPath(context, rectangle(-0.86, -0.9, -0.79, 0.96), '#555555');
  fillPath(context, ellipse(-0.825, -0.92, 0.06, 0.06), '#c9a227');
  if (object.state === 'hanging') {
    const cloth = new Path2D();
    cloth.moveTo(-0.79, -0.84);
    cloth.lineTo(-0.45, -0.84);
    cloth.bezierCurveTo(-0.36, -0.4, -0.5, 0.0, -0.42, 0.3);
    cloth.lineTo(-0.79, 0.36);
    cloth.closePath();
    paintBody(frame, cloth);
    for (const x of [-0.68, -0.56]) line(context, [x, -0.8, x + 0.02, 0.28], shade(object.color.hex, 0.7), 0.03);
    return;
  }
  const cloth = new Path2D();
  const wave = (x: number): number => 0.07 * Math.sin((x + 0.79) * 4.2);
  cloth.moveTo(-0.79, -0.84);
  for (let x = -0.79; x <= 0.9; x += 0.05) cloth.lineTo(x, -0.84 + wave(x));
  for (let x = 0.9; x >= -0.79; x -= 0.05) cloth.lineTo(x, -0.14 + wave(x));
  cloth.closePath();
  paintBody(frame, cloth);
  if (object.part) fillPath(context, starPath(0.05, -0.49, 0.24, 0.1), object.color.hex === '#f8f8f8' || object.color.hex === '#f2d60f' ? '#d62828' : '#ffffff');
}

/** Signboard on a post with a word or number drawn in the stroke font. */
export function drawSign(frame: LocalFrame): void {
  const { context, object } = frame;
  fillPath(context, rectangle(-0.06, 0.1, 0.06, 0.96), '#6b5b4b');
  paintBody(frame, rectangle(-0.92, -0.72, 0.92, 0.16));
  drawCenteredText(frame, object.text ?? '', 0, -0.28, 1.5, 0.48);
}

/** Toy letter block: a square tile with one big character. */
export function drawTile(frame: LocalFrame): void {
  paintBody(frame, rectangle(-0.82, -0.82, 0.82, 0.82));
  frame.context.save();
  frame.context.strokeStyle = shade(frame.object.color.hex, 1.4);
  frame.context.lineWidth = 0.05;
  frame.context.strokeRect(-0.66, -0.66, 1.32, 1.32);
  frame.context.restore();
  drawCenteredText(frame, frame.object.text ?? '', 0, 0, 1.1, 0.95);
}

function drawCenteredText(frame: LocalFrame, text: string, cx: number, cy: number, maxWidth: number, maxHeight: number): void {
  const { context, object } = frame;
  const height = Math.min(maxHeight, (maxHeight * maxWidth) / Math.max(strokeTextWidth(text, maxHeight), 1e-6));
  const width = strokeTextWidth(text, height);
  context.strokeStyle = isLight(object.color.hex) ? '#111111' : '#ffffff';
  drawStrokeText(context, text, cx - width / 2, cy - height / 2, height, 1.1);
}

function isLight(hex: string): boolean {
  const value = Number.parseInt(hex.slice(1), 16);
  const luma = 0.299 * ((value >> 16) & 255) + 0.587 * ((value >> 8) & 255) + 0.114 * (value & 255);
  return luma > 150;
}

/** Table: side view (top slab on two legs) or top view (the table top with wood grain). */
export function drawTable(frame: LocalFrame): void {
  const { context, object } = frame;
  if (object.view === 'top') {
    paintBody(frame, rectangle(-0.92, -0.62, 0.92, 0.62));
    for (const y of [-0.35, -0.05, 0.25]) line(context, [-0.8, y, 0.8, y + 0.06], shade(object.color.hex, 0.75), 0.03);
    return;
  }
  paintBody(frame, rectangle(-0.84, -0.22, -0.72, 0.95), shade(object.color.hex, 0.8));
  paintBody(frame, rectangle(0.72, -0.22, 0.84, 0.95), shade(object.color.hex, 0.8));
  paintBody(frame, rectangle(-0.95, -0.36, 0.95, -0.18));
}

/** Ball with a seam (striped and dashed variants come from paintBody). */
export function drawBall(frame: LocalFrame): void {
  const { context, object } = frame;
  paintBody(frame, ellipse(0, 0, 0.9, 0.9));
  context.save();
  context.strokeStyle = outlineColor(object.color.hex);
  context.lineWidth = 0.04;
  context.beginPath();
  context.arc(-1.35, 0, 1.2, -0.6, 0.6);
  context.stroke();
  context.restore();
  fillPath(context, ellipse(0.3, -0.35, 0.16, 0.1), 'rgba(255,255,255,0.55)');
}
