// node --test: properties that do not depend on this package's own arithmetic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import component, { createPatchProjectionEncoder } from './index.js';

const solid = (r, g, b) =>
  sharp({ create: { width: 40, height: 24, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

test('is a v1 vision-encoder component', () => {
  assert.equal(component.specificationVersion, 'v1');
  assert.equal(component.kind, 'vision-encoder');
  assert.equal(typeof component.create, 'function');
});

test('a solid image gives identical patch tokens; black gives a zero image and zero tokens at mid grey', async () => {
  const encoder = await createPatchProjectionEncoder({});
  const pixels = await encoder.preprocess([await solid(200, 30, 90)]);
  assert.deepEqual(pixels.dims, [1, 3, 32, 32]);
  assert.ok(Math.abs(pixels.data[0] - (200 / 127.5 - 1)) < 1e-6);
  const tokens = await encoder.encodePixels(pixels, { tokens: 'patch' });
  assert.deepEqual(tokens.dims, [1, 16, 64]);
  for (let n = 1; n < 16; n++) for (let d = 0; d < 64; d++) assert.ok(Math.abs(tokens.data[n * 64 + d] - tokens.data[d]) < 1e-5);
  const grey = await encoder.encodePixels({ data: new Float32Array(3 * 32 * 32), dims: [1, 3, 32, 32] }, { tokens: 'all' });
  assert.deepEqual(grey.dims, [1, 17, 64]);
  assert.ok(grey.data.every((v) => v === 0));
});
