import type { SKRSContext2D } from '@napi-rs/canvas';

/**
 * Letters and digits drawn as strokes (polylines on a 4 x 6 grid), so text looks the same on every
 * machine: no system font, no font-rendering differences, byte-identical output by seed.
 * Lower-case input is drawn upper-case; characters without a glyph are drawn as a space.
 */
const GLYPHS: Readonly<Record<string, string>> = {
  A: '0,6 0,2 2,0 4,2 4,6|0,4 4,4',
  B: '0,0 0,6 3,6 4,5 4,4 3,3 0,3|0,0 3,0 4,1 4,2 3,3',
  C: '4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5',
  D: '0,0 0,6 2,6 4,4 4,2 2,0 0,0',
  E: '4,0 0,0 0,6 4,6|0,3 3,3',
  F: '4,0 0,0 0,6|0,3 3,3',
  G: '4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5 4,3 2,3',
  H: '0,0 0,6|4,0 4,6|0,3 4,3',
  I: '1,0 3,0|2,0 2,6|1,6 3,6',
  J: '4,0 4,5 3,6 1,6 0,5',
  K: '0,0 0,6|4,0 0,4|1,3 4,6',
  L: '0,0 0,6 4,6',
  M: '0,6 0,0 2,3 4,0 4,6',
  N: '0,6 0,0 4,6 4,0',
  O: '1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0',
  P: '0,6 0,0 3,0 4,1 4,2 3,3 0,3',
  Q: '1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0|2,4 4,6',
  R: '0,6 0,0 3,0 4,1 4,2 3,3 0,3|2,3 4,6',
  S: '4,1 3,0 1,0 0,1 0,2 1,3 3,3 4,4 4,5 3,6 1,6 0,5',
  T: '0,0 4,0|2,0 2,6',
  U: '0,0 0,5 1,6 3,6 4,5 4,0',
  V: '0,0 2,6 4,0',
  W: '0,0 1,6 2,3 3,6 4,0',
  X: '0,0 4,6|4,0 0,6',
  Y: '0,0 2,3 4,0|2,3 2,6',
  Z: '0,0 4,0 0,6 4,6',
  '0': '1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0|3.5,0.8 0.5,5.2',
  '1': '1,1 2,0 2,6|1,6 3,6',
  '2': '0,1 1,0 3,0 4,1 4,2 0,6 4,6',
  '3': '0,1 1,0 3,0 4,1 4,2 3,3 4,4 4,5 3,6 1,6 0,5|1,3 3,3',
  '4': '3,6 3,0 0,4 4,4',
  '5': '4,0 0,0 0,3 3,3 4,4 4,5 3,6 0,6',
  '6': '3,0 1,0 0,1 0,5 1,6 3,6 4,5 4,4 3,3 0,3',
  '7': '0,0 4,0 1,6',
  '8': '1,0 3,0 4,1 4,2 3,3 1,3 0,4 0,5 1,6 3,6 4,5 4,4 3,3|1,3 0,2 0,1 1,0',
  '9': '4,3 1,3 0,2 0,1 1,0 3,0 4,1 4,5 3,6 1,6',
  '?': '0,1 1,0 3,0 4,1 4,2 2,3 2,4|2,5.5 2,6',
  '.': '2,5.5 2,6',
  ',': '2,5.4 1.4,6.6',
  "'": '2,0 2,1.5',
  '-': '1,3 3,3',
  '(': '3,0 2,1 2,5 3,6',
  ')': '1,0 2,1 2,5 1,6',
  '/': '4,0 0,6',
  ':': '2,1.5 2,2|2,4.5 2,5',
  '+': '2,1.5 2,4.5|0.5,3 3.5,3',
  '!': '2,0 2,4|2,5.5 2,6',
  '"': '1.3,0 1.3,1.5|2.7,0 2.7,1.5',
};

const parsed: ReadonlyMap<string, readonly (readonly [number, number])[][]> = new Map(
  Object.entries(GLYPHS).map(([char, spec]) => [char, spec.split('|').map((stroke) => stroke.split(' ').map((point) => point.split(',').map(Number) as unknown as [number, number]))]),
);

/** Horizontal advance per character, in grid units (glyph 4 wide + 2 gap). */
const ADVANCE = 6;

/** Width in pixels of `text` drawn with cap height `height`. */
export function strokeTextWidth(text: string, height: number): number {
  const unit = height / 6;
  return text.length === 0 ? 0 : (text.length * ADVANCE - 2) * unit;
}

/** Whether every character of `text` has a glyph (spaces allowed). */
export function hasGlyphs(text: string): boolean {
  return [...text.toUpperCase()].every((c) => c === ' ' || parsed.has(c));
}

/**
 * Draws `text` with its top-left corner at (x, y) and cap height `height` px, in the current
 * strokeStyle; the line width is `weight` x height/6.
 */
export function drawStrokeText(context: SKRSContext2D, text: string, x: number, y: number, height: number, weight = 0.9): void {
  const unit = height / 6;
  context.save();
  context.lineWidth = weight * unit;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.beginPath();
  let cursor = x;
  for (const char of text.toUpperCase()) {
    const strokes = parsed.get(char);
    if (strokes) {
      for (const stroke of strokes) {
        stroke.forEach(([gx, gy], i) => {
          const px = cursor + gx * unit;
          const py = y + gy * unit;
          if (i === 0) context.moveTo(px, py);
          else context.lineTo(px, py);
        });
      }
    }
    cursor += ADVANCE * unit;
  }
  context.stroke();
  context.restore();
}
