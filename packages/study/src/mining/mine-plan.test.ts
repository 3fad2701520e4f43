import type { EmbeddingStore, MiningModel, ShardInput } from '@mmvp/mining';
import { describe, expect, it } from 'vitest';
import { mineCommitter, planMine } from './mine-plan';

/** A store in memory: holds the paths of its appended shards. */
function memoryStore(held: readonly string[], shards: number) {
  const appended: ShardInput[] = [];
  const store = {
    get shardCount() {
      return shards + appended.length;
    },
    has: (path: string) => held.includes(path) || appended.some((shard) => shard.images.some((image) => image.path === path)),
    appendShard: async (input: ShardInput) => void appended.push(input),
  };
  return { store: store as unknown as EmbeddingStore, appended };
}
const model = (key: 'clip' | 'dino', dimension: number) => ({ key, identity: { dimension } }) as unknown as MiningModel;
const models = [model('clip', 2), model('dino', 3)];
const base64 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');
const line = (path: string, row: number) => JSON.stringify({ path, run_identity: 'id', image: { path, sha256: 'x', size: 1, mtimeMs: 1 }, embeddings: { clip: base64([row, row + 0.5]), dino: base64([row, -row, 1]) } });

describe('mining plan and commit', () => {
  it('plans the images the store lacks in shards numbered from its next shard', async () => {
    const { store } = memoryStore(['/p/b.png'], 3);
    const paths = ['/p/a.png', '/p/b.png', '/p/c.png', '/p/d.png'];
    const plan = await planMine({ store, paths, clip: models[0]!, dino: models[1]!, batchSize: 2, shardSize: 2 });
    expect(plan.todo).toEqual(['/p/a.png', '/p/c.png', '/p/d.png']);
    expect(plan.skipped).toBe(1);
    expect(plan.shards).toEqual([
      { shard: 3, items: ['/p/a.png', '/p/c.png'] },
      { shard: 4, items: ['/p/d.png'] },
    ]);
    expect(plan.jobData(plan.shards[0]!, { runId: 'r', pipeline: {} as never, dataRoot: '/p' }).images).toEqual(['a.png', 'c.png']);
  });

  it('appends shards strictly in plan order, whatever order they are committed in, with their embedding rows', async () => {
    const { store, appended } = memoryStore([], 0);
    const committer = mineCommitter(store, models);
    await committer.commit(1, [line('/p/c.png', 3)]);
    expect(appended).toHaveLength(0); // shard 1 waits for shard 0
    await committer.commit(0, [line('/p/a.png', 1), line('/p/b.png', 2)]);
    expect(appended.map((shard) => shard.images.map((image) => image.path))).toEqual([['/p/a.png', '/p/b.png'], ['/p/c.png']]);
    expect([...appended[0]!.embeddings['clip']!]).toEqual([1, 1.5, 2, 2.5]); // [rows, D]
    expect([...appended[1]!.embeddings['dino']!]).toEqual([3, -3, 1]);
    expect(committer.committed()).toEqual({ embedded: 3, errors: 0 });
  });

  it('refuses a result whose embedding has the wrong width, naming the image', async () => {
    const { store } = memoryStore([], 0);
    const bad = JSON.stringify({ path: '/p/a.png', run_identity: 'id', image: { path: '/p/a.png', sha256: 'x', size: 1, mtimeMs: 1 }, embeddings: { clip: base64([1]), dino: base64([1, 2, 3]) } });
    await expect(mineCommitter(store, models).commit(0, [bad])).rejects.toThrow("mine result for /p/a.png: 'clip' embedding has 4 bytes, expected 8");
  });
});
