import type { PipelineConfig } from '@mmvp/pipeline';
import { describe, expect, it } from 'vitest';
import { planShards } from '../queue/job-plan';
import { memorySweepJournal } from './sweep-journal';
import type { SweepQuestion } from './sweep-data';
import { commitSweepLines, planSweep } from './sweep-plan';

const question = (id: number, image: string): SweepQuestion => ({
  id,
  pairId: Math.ceil(id / 2),
  imagePath: `/data/${image}.png`,
  question: `q${id}`,
  optionsText: '(a) yes (b) no',
  options: ['yes', 'no'],
  answer: 'a',
});
const config = { decoder: { prompt: 'original' } } as unknown as PipelineConfig;
const plans = [
  { ratio: { value: 0, text: '0' }, config },
  { ratio: { value: 0.5, text: '0.5' }, config },
];
// 5 images (the proxy adds one new image and asks about an old one), 2 questions on image a
const data = [question(1, 'a'), question(2, 'a'), question(3, 'b'), question(4, 'c'), question(5, 'd')];
const proxyQuestions = [question(1, 'e'), question(2, 'b')];

describe('planSweep', () => {
  it("cuts shards exactly as the queue's planner did (same shard numbers, so a queue run resumed across versions finds its jobs)", () => {
    for (const [batchSize, chunksPerShard] of [
      [2, 1],
      [2, 2],
      [3, 4],
      [1, 3],
    ] as const) {
      const plan = planSweep({ protocol: 'per-ratio', plans, data, proxyQuestions, batchSize, chunksPerShard });
      const reference = planShards(plan.targets, 1, (target) => `${target.ratioIndex}:${Math.floor(target.chunk / chunksPerShard)}`);
      expect(plan.shards).toEqual(reference);
      expect(plan.targets).toHaveLength(2 * (data.length + proxyQuestions.length));
    }
  });

  it("orders images data first, then the proxy's new ones, and a job carries its chunks' images relative to the data root", () => {
    const plan = planSweep({ protocol: 'fixed-adapter', plans, data, proxyQuestions, batchSize: 2, chunksPerShard: 2 });
    expect(plan.images).toEqual(['/data/a.png', '/data/b.png', '/data/c.png', '/data/d.png', '/data/e.png']);
    const job = plan.jobData(plan.shards[0]!, { runId: 'run', runIdentity: 'id', dataRoot: '/data', pipelines: [] });
    expect(job.chunks.map((chunk) => chunk.images)).toEqual([
      ['a.png', 'b.png'],
      ['c.png', 'd.png'],
    ]);
    // image b: data question 3 then proxy question 2, at row 1 of the first chunk
    expect(job.chunks[0]!.targets.map((target) => [target.set, target.id, target.b])).toEqual([
      ['data', 1, 0],
      ['data', 2, 0],
      ['data', 3, 1],
      ['proxy', 2, 1],
    ]);
  });

  it('a committed shard counts as done; the journal answers what was committed', async () => {
    const plan = planSweep({ protocol: 'per-ratio', plans, data, proxyQuestions, batchSize: 2, chunksPerShard: 1 });
    const journal = memorySweepJournal();
    const first = plan.shards[0]!;
    const lines = first.items.map((target) => JSON.stringify({ ratio: '0', set: target.set, id: target.id, prompt: target.prompt, response: `answer ${target.id}`, run_identity: 'id' }));
    await commitSweepLines(journal, lines);
    const done = plan.doneIn(journal);
    expect(first.items.every((target) => done.has(plan.keyOf(target)))).toBe(true);
    expect(plan.shards.slice(1).some((shard) => shard.items.some((target) => done.has(plan.keyOf(target))))).toBe(false);
    expect(journal.answered('0', 'data', 2)).toEqual({ prompt: first.items[1]!.prompt, response: 'answer 2' });
  });
});
