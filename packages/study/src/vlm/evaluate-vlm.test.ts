import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateVlm } from './evaluate-vlm';
import type { EvalVlmEvent } from './evaluate-vlm-options';
import { LOCK_FILE, RESULT_FILES } from '@mmvp/results';
import { binaryAccuracyWithInterval } from '@mmvp/metrics';

// MMVP-VLM folder and PyTorch reference of tools/make_vlm_references.py (official rule on the tiny CLIP).
const data = fileURLToPath(new URL('../../../metrics/src/__fixtures__/mmvp-vlm-tiny/', import.meta.url));
const model = fileURLToPath(new URL('../../../../models/tiny-clip/', import.meta.url));

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-vlm-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('evaluateVlm', () => {
  it('scores like the PyTorch reference, reports progress as events, and writes the three files under the lock only when out is given', async () => {
    const reference = JSON.parse(await readFile(join(data, 'reference.json'), 'utf8')) as { logitScale: number; pairs: { correct: boolean }[]; perPattern: Record<string, number>; average: number };
    const events: EvalVlmEvent[] = [];
    const result = await evaluateVlm({ model, data, batchSize: 8, logitScale: reference.logitScale, onEvent: (event) => events.push(event) });
    expect(result.files).toBeUndefined();
    expect(Object.fromEntries(result.document.perPattern.map((row) => [row.pattern, row.score]))).toEqual(reference.perPattern);
    expect(result.document.average).toBeCloseTo(reference.average, 10);
    expect(result.document.correctPairs).toBe(reference.pairs.filter((pair) => pair.correct).length);
    expect(result.document.provenance.tool).toMatch(/^@mmvp\/study \d/);
    expect(events[0]).toMatchObject({ type: 'resolved', pairs: 18, patterns: 9, executionProvider: 'cpu' });
    const done = events.filter((event) => event.type === 'progress').map((event) => (event as { done: number }).done);
    expect(done).toEqual([4, 8, 12, 16, 18]); // batch 8 = 4 pairs per step

    const out = join(scratch, 'out');
    const written = await evaluateVlm({ model, data, out, batchSize: 8, logitScale: reference.logitScale, tool: 'test 1.0' });
    expect((await readdir(out)).sort()).toEqual(['.mmvp-run.json', 'vlm-eval-scores.json', 'vlm-pairs.csv', 'vlm-scores.md']); // lock released
    expect(JSON.parse(await readFile(written.files!.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(written.document)));
    // the file is the one shape its name has in the results-file table, and not the demo's vlm-scores.json
    expect(RESULT_FILES['vlm-eval-scores.json'].schema.safeParse(written.document).success).toBe(true);
    expect(RESULT_FILES['vlm-scores.json'].schema.safeParse(written.document).success).toBe(false);
    expect(await readFile(written.files!.markdown, 'utf8')).toBe(written.markdown);
    // same data, same intervals: the bootstrap is seeded
    expect(written.document.perPatternCi95).toEqual(result.document.perPatternCi95);
    expect(written.document.averageCi95).toEqual(result.document.averageCi95);
    expect(LOCK_FILE).toBe('.mmvp-lock');
  });

  it('writes intervals, vlm-pairs.csv and the Markdown table that agree with the PyTorch run of the official rule', async () => {
    const reference = JSON.parse(await readFile(join(data, 'reference.json'), 'utf8')) as {
      logitScale: number;
      pairs: { qid1: number; qid2: number; pattern: string; probabilityImage1: [number, number]; pred1: string; pred2: string; correct: boolean }[];
    };
    const out = join(scratch, 'files');
    const { document: scores } = await evaluateVlm({ model, data, out, logitScale: reference.logitScale });
    expect(scores.provenance.model.files.vision.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(scores.provenance.packages['onnxruntime-node']).toBe('1.30.0');
    // 95% intervals: per pattern over that pattern's pairs as PyTorch scored them; average and overall contain their estimates
    for (const row of scores.perPattern) {
      const outcomes = reference.pairs.filter((pair) => pair.pattern === row.pattern).map((pair) => pair.correct);
      expect(row.ci95).toEqual(binaryAccuracyWithInterval(outcomes).ci95);
      expect(scores.perPatternCi95[row.pattern]).toEqual(row.ci95);
      expect(row.ci95![0]).toBeLessThanOrEqual(row.score);
      expect(row.ci95![1]).toBeGreaterThanOrEqual(row.score);
    }
    expect(scores.averageCi95![0]).toBeLessThanOrEqual(scores.average);
    expect(scores.averageCi95![1]).toBeGreaterThan(scores.averageCi95![0]);
    expect(scores.skippedPairs).toEqual([]);

    const csv = (await readFile(join(out, 'vlm-pairs.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('qid1,qid2,pattern,pred1,pred2,gt1,gt2,q1score,q2score,correct,logit_t1_i1,logit_t1_i2,logit_t2_i1,logit_t2_i2');
    const rows = csv.slice(1).map((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
    expect(rows).toHaveLength(reference.pairs.length);
    let maxProbabilityDiff = 0;
    rows.forEach((row, i) => {
      const expected = reference.pairs[i]!;
      expect([Number(row[0]), Number(row[1]), row[3], row[4]]).toEqual([expected.qid1, expected.qid2, expected.pred1, expected.pred2]);
      maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(Number(row[7]) - expected.probabilityImage1[0]), Math.abs(Number(row[8]) - expected.probabilityImage1[1]));
    });
    expect(maxProbabilityDiff).toBeLessThan(1e-5);
    const table = await readFile(join(out, 'vlm-scores.md'), 'utf8');
    expect(table).toMatch(/\| Model \| Ori \| Pres \| State \| Qty \| Spat \| Color \| Struct \| Text \| View \| MMVP Average \|/);
    expect(table).toContain(` | ${scores.average.toFixed(1)} [${scores.averageCi95![0].toFixed(1)}, ${scores.averageCi95![1].toFixed(1)}] |`);
    expect(table.split('\n')[2]!.match(/\d+\.\d \[\d+\.\d, \d+\.\d\]/g)).toHaveLength(10);
  });

  it('a missing image leaves out only its pair (skippedPairs, a warning event naming file and line); strict fails', async () => {
    const broken = join(scratch, 'broken');
    await cp(data, broken, { recursive: true });
    await rm(join(broken, 'MMVP_VLM_Images', 'Color', '22.png'));
    const events: EvalVlmEvent[] = [];
    const { document: scores } = await evaluateVlm({ model, data: broken, onEvent: (event) => events.push(event) });
    expect(events.filter((event) => event.type === 'issue')).toEqual([
      { workflow: 'eval-vlm', type: 'issue', issue: { file: join(broken, 'Questions.csv'), line: 23, message: 'image MMVP_VLM_Images/Color/22.jpg (or .jpeg/.png) is missing; pair 11 is skipped' } },
    ]);
    expect(scores.pairs).toBe(17);
    expect(scores.skippedPairs).toEqual([{ pairId: 11, reason: expect.stringMatching(/image MMVP_VLM_Images\/Color\/22\.jpg \(or \.jpeg\/\.png\) is missing/) }]);
    await expect(evaluateVlm({ model, data: broken, strict: true })).rejects.toThrow(/MMVP-VLM folder broken: 1 problem\(s\) \(strict mode\)/);
  });

  it('checks its options before reading anything, naming the key', async () => {
    await expect(evaluateVlm({ model, data, batchSize: 0 })).rejects.toThrow(/evaluateVlm options are invalid: .*batchSize/);
    await expect(evaluateVlm({ model, data, executionProvider: 'tpu' as 'cpu' })).rejects.toThrow(/executionProvider/);
    await expect(evaluateVlm({ model, data, colour: 'red' } as never)).rejects.toThrow(/colour/);
  });

  it('stops when its signal is aborted (before the start or midway) and writes nothing', async () => {
    const before = new AbortController();
    before.abort(new Error('stopped before the start'));
    await expect(evaluateVlm({ model, data, out: join(scratch, 'aborted-1'), abortSignal: before.signal })).rejects.toThrow('stopped before the start');
    expect(await readdir(join(scratch, 'aborted-1'))).toEqual([]);
    const midway = new AbortController();
    const done: number[] = [];
    const onEvent = (event: EvalVlmEvent) => {
      if (event.type !== 'progress') return;
      done.push(event.done);
      midway.abort(new Error('stopped midway'));
    };
    await expect(evaluateVlm({ model, data, out: join(scratch, 'aborted-2'), batchSize: 4, abortSignal: midway.signal, onEvent })).rejects.toThrow('stopped midway');
    expect(done).toEqual([2]);
    expect(await readdir(join(scratch, 'aborted-2'))).toEqual([]);
  });
});
