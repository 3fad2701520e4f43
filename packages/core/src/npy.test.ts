import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from './errors';
import { decodeNpy, encodeNpy, readNpy, readNpyFloat32, writeNpy } from './npy';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const fixture = (name: string) => new URL(name, fixtures).pathname;

describe('.npy files written by numpy (tools/make_core_fixtures.py)', () => {
  it.each(['float32_2x3x4.npy', 'int64_5.npy', 'float64_3x2.npy', 'uint8_2x2x3.npy', 'float32_scalar.npy'])('%s decodes and re-encodes to the very bytes numpy wrote', async (name) => {
    const bytes = await readFile(fixture(name));
    const npy = decodeNpy(bytes, name);
    expect(Buffer.from(encodeNpy(npy.data, npy.dims, npy.dtype)).equals(bytes)).toBe(true);
  });

  it('reads shapes, dtypes and known values', async () => {
    const f32 = await readNpy(fixture('float32_2x3x4.npy'));
    expect(f32.dtype).toBe('float32');
    expect(f32.dims).toEqual([2, 3, 4]);
    const i64 = await readNpy(fixture('int64_5.npy'));
    expect(i64.dtype).toBe('int64');
    expect([...(i64.data as BigInt64Array)]).toEqual([0n, -1n, 2n ** 40n, 7n, 49406n]);
    const u8 = await readNpy(fixture('uint8_2x2x3.npy'));
    expect([...u8.data]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const scalar = await readNpyFloat32(fixture('float32_scalar.npy'));
    expect(scalar.dims).toEqual([]);
    expect([...scalar.data]).toEqual([3.5]);
  });

  it('round-trips float32 and int64 through a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmvp-npy-'));
    const data = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i) * 1e3);
    await writeNpy(join(dir, 'a.npy'), data, [3, 4, 5]);
    const back = await readNpy(join(dir, 'a.npy'));
    expect(back.dims).toEqual([3, 4, 5]);
    expect([...back.data]).toEqual([...data]);
    const ids = BigInt64Array.from([1n, 2n, -3n]);
    await writeNpy(join(dir, 'b.npy'), ids, [1, 3]);
    expect([...(await readNpy(join(dir, 'b.npy'))).data]).toEqual([1n, 2n, -3n]);
  });

  it('writes headers aligned to 64 bytes as the format requires', () => {
    for (const dims of [[1], [7, 3], [2, 576, 5120], [1, 2, 3, 4, 5]]) {
      const bytes = encodeNpy(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
      const headerLength = bytes[8]! | (bytes[9]! << 8);
      expect((10 + headerLength) % 64).toBe(0);
    }
  });

  it('rejects Fortran order, truncation, foreign files and shape mismatches with clear errors', async () => {
    await expect(readNpy(fixture('fortran.npy'))).rejects.toThrow(/Fortran order/);
    const good = await readFile(fixture('float32_2x3x4.npy'));
    expect(() => decodeNpy(good.subarray(0, good.length - 5), 'cut.npy')).toThrow(/cut\.npy is truncated/);
    expect(() => decodeNpy(new TextEncoder().encode('hello world, not numpy'), 'x.npy')).toThrow(/x\.npy is not a \.npy file/);
    await expect(readNpy('/nonexistent/file.npy')).rejects.toSatisfy((e: unknown) => FileFormatError.isInstance(e));
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/5 values do not fill shape \[2, 3\]/);
  });
});
