import { describe, expect, it } from 'vitest';
import { centerCrop, cropOffset } from './center-crop';
import { rgbImage } from './rgb-image';
import { padToSquare, meanBackground } from './pad-to-square';
import { resizeOutputSize } from './resize-output-size';

describe('crop, pad and size arithmetic (hand-checked against the Python formulas)', () => {
  it('floors like HF and rounds half to even like torchvision', () => {
    expect(cropOffset(227, 224, 'floor')).toBe(1); // 3 // 2
    expect(cropOffset(227, 224, 'round')).toBe(2); // round(1.5) = 2
    expect(cropOffset(229, 224, 'round')).toBe(2); // round(2.5) = 2 (half to even)
    expect(cropOffset(225, 224, 'round')).toBe(0); // round(0.5) = 0
    expect(cropOffset(221, 224, 'floor')).toBe(-2); // HF pads ceil(3 / 2) = 2 before
    expect(cropOffset(221, 224, 'round')).toBe(-1); // torchvision pads 3 // 2 = 1 before
  });

  it('pads with black where the image is smaller than the crop', () => {
    const image = rgbImage(new Uint8Array(2 * 1 * 3).fill(9), 2, 1);
    const out = centerCrop(image, 3, 2, 'floor'); // 1 row -> 3 rows, image in the middle row
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0]);
  });

  it('computes shortest-edge sizes with truncation', () => {
    expect(resizeOutputSize(300, 225, { shortestEdge: 224 })).toEqual([224, 298]); // int(298.67)
    expect(resizeOutputSize(181, 263, { shortestEdge: 256 })).toEqual([371, 256]); // int(371.98)
    expect(resizeOutputSize(640, 480, { height: 10, width: 20 })).toEqual([10, 20]);
  });

  it("pads to a square with LLaVA's int(mean * 255) colour", () => {
    const background = meanBackground([0.48145466, 0.4578275, 0.40821073]);
    expect(background).toEqual([122, 116, 104]);
    const image = rgbImage(new Uint8Array(3 * 1 * 3).fill(200), 3, 1);
    const square = padToSquare(image, background);
    expect([square.width, square.height]).toEqual([3, 3]);
    expect(Array.from(square.data.subarray(0, 3))).toEqual([122, 116, 104]);
    expect(Array.from(square.data.subarray(9, 18))).toEqual(new Array(9).fill(200)); // middle row (offset (3-1)//2 = 1)
  });
});
