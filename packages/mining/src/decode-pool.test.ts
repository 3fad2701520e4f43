import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProcessor } from './__fixtures__/fake-encoders';
import { makeNoiseImages } from './__fixtures__/make-collection';
import { DecodePool } from './decode-pool';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mmvp-decode-pool-'));
  await makeNoiseImages(dir, 30);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DecodePool', () => {
  it('keeps at most `lookahead` images in flight ahead of a slow consumer, and yields in input order', async () => {
    for (const workers of [0, 2]) {
      const pool = new DecodePool([fakeProcessor], workers);
      let submitted = 0;
      const decode = pool.decode.bind(pool);
      pool.decode = (path: string) => {
        submitted++;
        return decode(path);
      };
      const paths = Array.from({ length: 30 }, (_, i) => join(dir, `noise-${String(i).padStart(3, '0')}.png`));
      const lookahead = 3;
      let consumed = 0;
      const order: string[] = [];
      for await (const result of pool.decodeInOrder(paths, lookahead)) {
        // the bounded queue: `lookahead` in flight plus the one result in the consumer's hand
        expect(submitted).toBeLessThanOrEqual(consumed + 1 + lookahead);
        order.push(result.path);
        consumed++;
        await new Promise((resolve) => setTimeout(resolve, 5)); // a consumer slower than decoding
      }
      await pool.close();
      expect(order).toEqual(paths);
      expect(submitted).toBe(30);
    }
  });
});
