import { createCanvas, ImageData, type SKRSContext2D } from '@napi-rs/canvas';
import type { GeneratedPair } from './generate-pair';
import { encodePng } from './png';
import { drawStrokeText } from './stroke-font';

const THUMB = 168;
const GAP = 8;
const TEXT_WIDTH = 560;
const LINE = 15;
const TEXT_HEIGHT = 9;

/**
 * A PNG showing pairs side by side (first image left) with their question, options, each image's
 * correct answer and statement, for checking by eye. The red frame is the recorded changed region.
 */
export function renderContactSheet(title: string, pairs: readonly GeneratedPair[]): Buffer {
  const rowHeight = THUMB + GAP;
  const width = GAP + 2 * (THUMB + GAP) + TEXT_WIDTH;
  const height = 34 + pairs.length * rowHeight + GAP;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.strokeStyle = '#000000';
  drawStrokeText(context, title, GAP, 10, 14, 1);
  pairs.forEach((pair, row) => {
    const top = 34 + row * rowHeight;
    pair.images.forEach((image, side) => {
      const left = GAP + side * (THUMB + GAP);
      drawPixels(context, image, left, top);
      const scale = THUMB / pair.size;
      context.strokeStyle = 'rgba(255, 0, 0, 0.8)';
      context.lineWidth = 1;
      const [x0, y0, x1, y1] = pair.region;
      context.strokeRect(left + x0 * scale + 0.5, top + y0 * scale + 0.5, (x1 - x0) * scale - 1, (y1 - y0) * scale - 1);
    });
    const letters = ['(a)', '(b)'];
    const lines = [
      pair.question,
      `(a) ${pair.options[0]}   (b) ${pair.options[1]}`,
      `left: ${letters[pair.answers[0]]} ${pair.options[pair.answers[0]]}  [${pair.attribute} = ${pair.values[0]}]`,
      `right: ${letters[pair.answers[1]]} ${pair.options[pair.answers[1]]}  [${pair.attribute} = ${pair.values[1]}]`,
      `vlm 1: ${pair.statements[0]}`,
      `vlm 2: ${pair.statements[1]}`,
      ...wrap(`caption 1: ${pair.captions[0]}`, 60),
      ...(pair.captions[1] === pair.captions[0] ? ['caption 2: (same)'] : wrap(`caption 2: ${pair.captions[1]}`, 60)),
    ];
    context.strokeStyle = '#111111';
    lines.slice(0, 11).forEach((text, i) => drawStrokeText(context, text, GAP + 2 * (THUMB + GAP), top + 4 + i * LINE, TEXT_HEIGHT, 0.9));
  });
  const rgba = context.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    rgb[q] = rgba[p]!;
    rgb[q + 1] = rgba[p + 1]!;
    rgb[q + 2] = rgba[p + 2]!;
  }
  return encodePng(rgb, width, height);
}

function drawPixels(context: SKRSContext2D, image: { data: Uint8Array; width: number; height: number }, left: number, top: number): void {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0, q = 0; q < image.data.length; p += 4, q += 3) {
    rgba[p] = image.data[q]!;
    rgba[p + 1] = image.data[q + 1]!;
    rgba[p + 2] = image.data[q + 2]!;
    rgba[p + 3] = 255;
  }
  const source = createCanvas(image.width, image.height);
  source.getContext('2d').putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
  context.save();
  context.imageSmoothingEnabled = true;
  context.drawImage(source, left, top, THUMB, THUMB);
  context.restore();
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current.length > 0 && current.length + 1 + word.length > width) {
      lines.push(current);
      current = `  ${word}`;
    } else current = current.length > 0 ? `${current} ${word}` : word;
  }
  if (current.length > 0) lines.push(current);
  return lines;
}
