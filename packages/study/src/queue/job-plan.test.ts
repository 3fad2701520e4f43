import { describe, expect, it } from 'vitest';
import { jobId, planShards } from './job-plan';

describe('planShards', () => {
  it('cuts items into shards of the given size in order, hand-checked', () => {
    expect(planShards([1, 2, 3, 4, 5, 6, 7], 3).map((shard) => shard.items)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(planShards([1, 2, 3, 4, 5, 6, 7], 3).map((shard) => shard.shard)).toEqual([0, 1, 2]);
  });

  it('never splits a group (an MMVP pair): a shard grows past the size rather than cut one', () => {
    // questions 1..6 in pairs (1,2) (3,4) (5,6); a shard of 3 questions holds one pair, never half of one
    const pairs = planShards([1, 2, 3, 4, 5, 6], 3, (id) => String(Math.ceil(id / 2)));
    expect(pairs.map((shard) => shard.items)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    // a pair whose partner was skipped (question 3 alone) is its own group
    expect(planShards([1, 2, 4, 5, 6], 4, (id) => String(Math.ceil(id / 2))).map((shard) => shard.items)).toEqual([
      [1, 2, 4],
      [5, 6],
    ]);
  });

  it('is deterministic: the same items and size give the same shards (so --resume finds the same job ids)', () => {
    const items = Array.from({ length: 101 }, (_, index) => index);
    expect(planShards(items, 7)).toEqual(planShards(items, 7));
  });
});

describe('jobId', () => {
  it('is <run id>:<kind>:<shard>, the three-part form BullMQ accepts as a custom id', () => {
    expect(jobId('0123456789abcdef', 'eval-mllm', 12)).toBe('0123456789abcdef-eval-mllm-12');
  });
});
