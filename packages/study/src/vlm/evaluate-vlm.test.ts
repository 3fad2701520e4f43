import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateVlm } from './evaluate-vlm';
import type { EvalVlmEvent } from './evaluate-vlm-options';
import { LOCK_FILE, RESULT_FILES } from '@mmvp/results';

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

  it('checks its options before reading anything, naming the key', async () => {
    await expect(evaluateVlm({ model, data, batchSize: 0 })).rejects.toThrow(/evaluateVlm options is invalid: .*batchSize/);
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
