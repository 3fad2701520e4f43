import { describe, expect, it } from 'vitest';
import { argmax, createRandom, sampleTopP } from './sampling';

describe('sampling', () => {
  it('argmax picks the first maximum, like torch.argmax', () => {
    expect(argmax(Float32Array.from([0, 3, 1, 3]))).toBe(1);
  });

  it('top-p keeps only the nucleus', () => {
    // probabilities ~ [0.64, 0.24, 0.09, 0.03]: topP 0.6 keeps only token 0, 0.85 keeps 0 and 1
    const logits = Float32Array.from([Math.log(0.64), Math.log(0.24), Math.log(0.09), Math.log(0.03)]);
    const random = createRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(sampleTopP(logits, 1, 0.6, random));
    expect([...seen]).toEqual([0]);
    const seen2 = new Set<number>();
    for (let i = 0; i < 500; i++) seen2.add(sampleTopP(logits, 1, 0.85, random));
    expect([...seen2].sort()).toEqual([0, 1]);
  });

  it('matches the softmax frequencies at temperature 1', () => {
    const logits = Float32Array.from([0, Math.log(3)]); // p = [0.25, 0.75]
    const random = createRandom(11);
    let ones = 0;
    for (let i = 0; i < 20000; i++) ones += sampleTopP(logits, 1, 1, random);
    expect(ones / 20000).toBeGreaterThan(0.73);
    expect(ones / 20000).toBeLessThan(0.77);
  });

  it('rejects bad settings with the valid range', () => {
    expect(() => sampleTopP(Float32Array.from([1]), 0, 1, Math.random)).toThrow(/temperature must be > 0/);
    expect(() => sampleTopP(Float32Array.from([1]), 1, 1.5, Math.random)).toThrow(/topP must be in \(0, 1\]/);
  });
});
