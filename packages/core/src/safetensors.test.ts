import { describe, expect, it } from 'vitest';
import { readNpyFloat32 } from './npy';
import { decodeSafetensors, encodeSafetensors, float16ToFloat32, readSafetensors } from './safetensors';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url).pathname;

describe('safetensors', () => {
  it('reads F32, F16 and BF16 tensors written by tools/make_core_fixtures.py as numpy/torch convert them', async () => {
    const tensors = await readSafetensors(fixture('mixed.safetensors'));
    const expected = await readNpyFloat32(fixture('mixed_expected.npy')); // [3, 2, 3] in sorted-name order
    const names = ['weight_bf16', 'weight_f16', 'weight_f32'];
    expect([...tensors.keys()].sort()).toEqual(names);
    names.forEach((name, i) => {
      const t = tensors.get(name)!;
      expect(t.dims).toEqual([2, 3]);
      expect([...t.data]).toEqual([...expected.data.subarray(i * 6, i * 6 + 6)]);
    });
  });

  it('round-trips float32 tensors', () => {
    const a = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [2, 3] };
    const b = { data: Float32Array.from([-1.5]), dims: [1] };
    const back = decodeSafetensors(encodeSafetensors({ 'model.mm_projector.0.weight': a, b }));
    expect(back.get('model.mm_projector.0.weight')).toEqual(a);
    expect(back.get('b')).toEqual(b);
  });

  it('converts half floats including subnormals and infinities', () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16ToFloat32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(float16ToFloat32(0x7bff)).toBe(65504);
  });

  it('gives clear errors for truncated or foreign files', () => {
    const good = encodeSafetensors({ w: { data: new Float32Array(4), dims: [4] } });
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4), 'w.safetensors')).toThrow(/w\.safetensors: tensor 'w' .* truncated/);
    expect(() => decodeSafetensors(new TextEncoder().encode('not a safetensors file at all'), 'x')).toThrow(/x is not a safetensors file/);
  });
});
