import { describe, expect, it } from 'vitest';
import { assertFinite, assertShape, concatBatch, sliceBatch, tensor } from './tensor';

describe('tensor', () => {
  it('checks data length against the shape', () => {
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow('tensor data has 5 values but shape [2, 3] needs 6');
  });
  it('names the shapes in mismatch errors', () => {
    const t = tensor(new Float32Array(24), [1, 24, 1]);
    expect(() => assertShape(t, [null, 256, 1024], 'CLIP features', ['B'])).toThrow('CLIP features has shape [1, 24, 1], expected [B, 256, 1024]');
  });
  it('finds non-finite values', () => {
    const t = tensor(Float32Array.from([0, 1, Number.NaN]), [3]);
    expect(() => assertFinite(t, 'DINOv2 features')).toThrow('DINOv2 features [3] has a non-finite value (NaN) at flat index 2');
  });
  it('slices and concatenates along the batch axis', () => {
    const t = tensor(
      Float32Array.from({ length: 12 }, (_, i) => i),
      [3, 2, 2],
    );
    const parts = [sliceBatch(t, 0, 1), sliceBatch(t, 1, 3)];
    expect(parts[1]!.dims).toEqual([2, 2, 2]);
    expect(concatBatch(parts)).toEqual(t);
  });
});
