import { describe, expect, it } from 'vitest';
import { generatePair } from './generate-pair';
import { PATTERNS, type PatternName } from './patterns';
import { createRng } from './rng';
import type { RgbPixels } from './scene/render-scene';
import type { Scene } from './scene/scene-types';

/** Bounding box [x0, y0, x1, y1) of the pixels where two images differ, or undefined when identical. */
function differenceBox(a: RgbPixels, b: RgbPixels): [number, number, number, number] | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 3;
      if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
    }
  }
  return x0 === Infinity ? undefined : [x0, y0, x1, y1];
}

function hexToRgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Differing pixels of `image` that are far from both background colours (i.e. show an object). */
function objectPixelsAmongDifferences(image: RgbPixels, other: RgbPixels, scene: Scene): number {
  const backgrounds = [hexToRgb(scene.background.top), hexToRgb(scene.background.bottom)];
  let count = 0;
  for (let p = 0; p < image.width * image.height; p++) {
    const i = p * 3;
    if (image.data[i] === other.data[i] && image.data[i + 1] === other.data[i + 1] && image.data[i + 2] === other.data[i + 2]) continue;
    const far = backgrounds.every(([r, g, b]) => Math.abs(image.data[i]! - r) + Math.abs(image.data[i + 1]! - g) + Math.abs(image.data[i + 2]! - b) > 40);
    if (far) count++;
  }
  return count;
}

const PAIRS_PER_PATTERN = 12;

describe.each(PATTERNS.map((p) => [p]))('%s', (pattern: PatternName) => {
  const pairs = Array.from({ length: PAIRS_PER_PATTERN }, (_, j) => generatePair(pattern, createRng(11, 'test', pattern, j), j % 4 === 3 ? 336 : 224));

  it('the two images differ, and only inside the recorded changed region', () => {
    for (const pair of pairs) {
      const box = differenceBox(pair.images[0], pair.images[1]);
      expect(box, `${pair.question} ${pair.values.join('/')}`).toBeDefined();
      const [x0, y0, x1, y1] = box!;
      const [r0, s0, r1, s1] = pair.region;
      expect(x0).toBeGreaterThanOrEqual(r0);
      expect(y0).toBeGreaterThanOrEqual(s0);
      expect(x1).toBeLessThanOrEqual(r1);
      expect(y1).toBeLessThanOrEqual(s1);
      // The region is the changed object(s), not the whole image.
      expect((r1 - r0) * (s1 - s0)).toBeLessThan(0.75 * pair.size * pair.size);
    }
  });

  it('records one question with two different answers, two values and two statements', () => {
    for (const pair of pairs) {
      expect(pair.pattern).toBe(pattern);
      expect(pair.values[0]).not.toBe(pair.values[1]);
      expect(new Set(pair.answers)).toEqual(new Set([0, 1]));
      expect(pair.options[0]).not.toBe(pair.options[1]);
      expect(pair.statements[0]).not.toBe(pair.statements[1]);
      expect(pair.question.endsWith('?')).toBe(true);
      expect(pair.images[0].width).toBe(pair.size);
    }
  });

  it('answers and statements agree with the recorded attribute values', () => {
    // Independent table: which option text means which recorded value.
    const optionFor: Record<string, (value: string) => string> = {
      facing: (v) => v,
      direction: (v) => v,
      handle: (v) => v,
      fin: (v) => v,
      chimney: (v) => v,
      star: (v) => v,
      crest: (v) => v,
      state: (v) => ({ hanging: 'hanging down' })[v] ?? v,
      count: (v) => v,
      'relation to the table': (v) => `${v} the table`,
      'relation to the bowl': (v) => v,
      color: (v) => v,
      surface: (v) => v,
      outline: (v) => v,
      condition: (v) => v,
      text: (v) => v,
      view: (v) => ({ top: 'from above', side: 'from the side' })[v] ?? v,
    };
    for (const pair of pairs) {
      const attribute = pair.attribute.startsWith('side of the ') ? 'facing' : pair.attribute;
      const expected = optionFor[attribute];
      expect(expected, `attribute ${pair.attribute}`).toBeDefined();
      for (const side of [0, 1] as const) {
        expect(pair.options[pair.answers[side]].toLowerCase()).toBe(expected!(pair.values[side]).toLowerCase());
        const statementWord =
          pair.values[side] === 'striped'
            ? 'stripes'
            : pair.values[side] === 'yes'
              ? 'has a'
              : pair.values[side] === 'no'
                ? ' no '
                : attribute === 'count'
                  ? ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'][Number(pair.values[side])]!
                  : attribute === 'view'
                    ? pair.values[side] === 'top'
                      ? 'above'
                      : 'side'
                    : pair.values[side];
        const statement = pair.statements[side].replace('there is a star', 'has a star').replace('there is no star', ' no star');
        expect(statement.toLowerCase(), pair.statements[side]).toContain(statementWord.toLowerCase());
      }
    }
  });

  it('the images show the recorded values (pixel checks where an attribute adds or removes paint)', () => {
    for (const pair of pairs) {
      const objectPixels = [0, 1].map((side) => objectPixelsAmongDifferences(pair.images[side]!, pair.images[1 - side]!, pair.scenes[side]!));
      if (['handle', 'fin', 'chimney', 'crest'].includes(pair.attribute)) {
        const withPart = pair.values.indexOf('yes');
        expect(objectPixels[withPart]!).toBeGreaterThan(objectPixels[1 - withPart]!);
      }
      if (pair.attribute === 'star') {
        // The star is painted on the cloth: among the differing pixels of the image with the star,
        // most are the star's paint (white, or red on a white/yellow flag); without it, none are.
        const withStar = pair.values.indexOf('yes');
        const cloth = pair.scenes[withStar]!.objects.find((o) => o.id === 'subject')!.color.hex;
        const starPaint = hexToRgb(cloth === '#f8f8f8' || cloth === '#f2d60f' ? '#d62828' : '#ffffff');
        const fraction = (side: number): number => {
          const image = pair.images[side]!;
          const other = pair.images[1 - side]!;
          let near = 0;
          let differing = 0;
          for (let i = 0; i < image.data.length; i += 3) {
            if (image.data[i] === other.data[i] && image.data[i + 1] === other.data[i + 1] && image.data[i + 2] === other.data[i + 2]) continue;
            differing++;
            if (Math.abs(image.data[i]! - starPaint[0]) + Math.abs(image.data[i + 1]! - starPaint[1]) + Math.abs(image.data[i + 2]! - starPaint[2]) <= 24) near++;
          }
          return near / differing;
        };
        expect(fraction(withStar)).toBeGreaterThan(0.5);
        expect(fraction(1 - withStar)).toBeLessThan(0.05);
      }
      if (pair.attribute === 'count') {
        const more = Number(pair.values[0]) > Number(pair.values[1]) ? 0 : 1;
        expect(objectPixels[more]!).toBeGreaterThan(3 * objectPixels[1 - more]!);
      }
      if (pair.attribute === 'color') {
        // The most frequent differing colour in each image is (close to) the named colour's paint.
        for (const side of [0, 1] as const) {
          const paint = hexToRgb(pair.scenes[side].objects.find((o) => o.id === 'subject')!.color.hex);
          const image = pair.images[side];
          const other = pair.images[1 - side]!;
          let near = 0;
          let differing = 0;
          for (let i = 0; i < image.data.length; i += 3) {
            if (image.data[i] === other.data[i] && image.data[i + 1] === other.data[i + 1] && image.data[i + 2] === other.data[i + 2]) continue;
            differing++;
            if (Math.abs(image.data[i]! - paint[0]) + Math.abs(image.data[i + 1]! - paint[1]) + Math.abs(image.data[i + 2]! - paint[2]) <= 24) near++;
          }
          expect(near / differing, `${pair.values[side]}`).toBeGreaterThan(0.4);
        }
      }
    }
  });
});

describe('generatePair', () => {
  it('is deterministic by seed and changes with the seed', () => {
    for (const pattern of PATTERNS) {
      const a = generatePair(pattern, createRng(5, pattern), 224);
      const b = generatePair(pattern, createRng(5, pattern), 224);
      expect(Buffer.from(a.images[0].data).equals(Buffer.from(b.images[0].data))).toBe(true);
      expect(Buffer.from(a.images[1].data).equals(Buffer.from(b.images[1].data))).toBe(true);
      expect(a.question).toBe(b.question);
      const c = generatePair(pattern, createRng(6, pattern), 224);
      expect(Buffer.from(a.images[0].data).equals(Buffer.from(c.images[0].data))).toBe(false);
    }
  });

  it('rejects an unknown pattern and a bad size with the valid choices', () => {
    expect(() => generatePair('Shape' as PatternName, createRng(1), 224)).toThrow(/valid choices: 'Orientation and Direction'/);
    expect(() => generatePair('Texts', createRng(1), 10)).toThrow(/size must be an integer from 64 to 1024/);
  });
});
