/**
 * runSweep against independent paths: one pipeline per ratio answering as `mmvp ask` does, and the proxy
 * set swept as data (moved from apps/cli/test/sweep.test.ts, same checks on the library: events and the
 * result instead of stderr and the stdout table; the CLI keeps its smoke run, flag errors and the lock).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMmvp } from '@mmvp/datasets';
import { extractChoice } from '@mmvp/metrics';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { renderResults } from '@mmvp/report';
import { writeSynth } from '@mmvp/synth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep, type SweepOptions, type SweepEvent } from './run-sweep';
import { readResults } from '@mmvp/results';
import { PROXY_QUESTION_ROWS as proxyRows, readSweepAnswers as readAnswers, writeProxyFolder } from './sweep-test-fixtures';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const amofConfig = join(repo, 'configs', 'pipelines', 'tiny-amof-0.75.json');

/** runSweep with its events kept. */
async function sweep(options: Omit<SweepOptions, 'onEvent'>) {
  const events: SweepEvent[] = [];
  const result = await runSweep({ ...options, onEvent: (event) => events.push(event) });
  const encoded = events.filter((event) => event.type === 'progress' && event.stage === 'images').at(-1) as Extract<SweepEvent, { type: 'progress' }> | undefined;
  return { result, events, encoded };
}

/** What `mmvp report DIR` renders. */
async function report(folder: string): Promise<string> {
  return renderResults(await readResults(folder));
}

describe('runSweep, fixed adapter (the tiny A-MoF pipeline)', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-sweep-independent-'));
    await writeSynth({ out: join(scratch, 'data'), size: 64, pairsPerPattern: 1, seed: 3, contactSheets: false, imageFormat: 'png' });
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('answers like a pipeline built for each ratio, though it encodes each image once', async () => {
    const out = join(scratch, 'out');
    const { result, events, encoded } = await sweep({ pipeline: amofConfig, ratios: '0.25,0.75', data: join(scratch, 'data'), out });
    expect(encoded).toMatchObject({ done: 18, total: 18 }); // 'encoded 18/18 images (once for all 2 ratios)'
    expect(result.protocol).toBe('fixed-adapter');
    const answers = (await readFile(join(out, 'answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { model: string; question_id: number; response: string; correct: boolean });
    expect(answers).toHaveLength(2 * 18);
    // the independent path: one pipeline per ratio (its own encoders, per-image visual tokens), as `mmvp ask` runs it
    const dataset = await loadMmvp(join(scratch, 'data', 'MMVP'));
    const base = JSON.parse(await readFile(amofConfig, 'utf8'));
    for (const ratio of [0.25, 0.75]) {
      const file = join(repo, 'configs', 'pipelines', `.sweep-library-test-${ratio}.json`);
      await writeFile(file, JSON.stringify({ ...base, strategy: { ...base.strategy, dinoRatio: ratio } }));
      try {
        const pipeline = await createPipeline(await loadPipelineConfig(file));
        for (const question of dataset.questions) {
          const answer = await pipeline.ask({ image: question.imagePath, question: question.question, options: question.optionsText });
          const swept = answers.find((a) => a.model === `r=${ratio}` && a.question_id === question.id);
          expect(swept?.response).toBe(answer.text);
        }
        await pipeline.dispose();
      } finally {
        await rm(file, { force: true });
      }
    }
    const sweepDocument = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as {
      protocol: string;
      proxy: { name: string; description: string };
      points: { ratio: number; pairAccuracy: number; instructionFollowing: number | null; pairAccuracyCi95: [number, number]; instructionFollowingCi95: null }[];
    };
    expect(sweepDocument.protocol).toBe('fixed-adapter');
    expect(sweepDocument.points.map((point) => point.ratio)).toEqual([0.25, 0.75]);
    for (const point of sweepDocument.points) {
      expect(point.pairAccuracyCi95[0]).toBeLessThanOrEqual(point.pairAccuracy);
      expect(point.pairAccuracyCi95[1]).toBeGreaterThanOrEqual(point.pairAccuracy);
      expect(point.instructionFollowingCi95).toBeNull();
    }
    // without a proxy set: the proxy axis is not measured, and nothing of the proxy shows
    expect(sweepDocument.points.map((point) => point.instructionFollowing)).toEqual([null, null]);
    expect(sweepDocument.proxy.description).toMatch(/^not measured by mmvp sweep/);
    expect(answers.some((a) => a.model.includes('[proxy]'))).toBe(false);
    const resolved = events.flatMap((event) => (event.type === 'resolved' ? event.lines : []));
    expect(resolved.join('\n')).not.toMatch(/proxy/); // what the CLI prints before the ratio lines
    expect(result.ratios.map((ratio) => [ratio.instructionFollowing, ratio.proxyQuestions])).toEqual([
      [null, 0],
      [null, 0],
    ]); // so no ratio line says 'proxy accuracy'
    await report(out);
  });

  it('proxy: instructionFollowing is the per-question accuracy on that set (recomputed from its answers), whose answers match sweeping it as data', async () => {
    const proxy = join(scratch, 'proxy');
    await writeProxyFolder(proxy, join(scratch, 'data', 'MMVP', 'MMVP Images'));
    const out = join(scratch, 'out-proxy');
    const command = `mmvp sweep --pipeline ${amofConfig} --ratios 0.25,0.75 --data ${join(scratch, 'data')} --out ${out} --proxy-data ${proxy}`;
    // batchSize 5: a chunk holds images of both sets (16-18 of data with proxy 1-2), unlike the data run below
    const { result, encoded } = await sweep({ pipeline: amofConfig, ratios: '0.25,0.75', data: join(scratch, 'data'), proxy: { data: proxy }, out, batchSize: 5, command });
    expect(encoded).toMatchObject({ done: 26, total: 26 }); // 18 + 8 images, each encoded once
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { timings: { stage: string }[]; command: string };
    expect(run.timings[0]!.stage).toBe('encode 26 images once');
    expect(run.command).toContain(`--proxy-data ${proxy}`);
    const answers = await readAnswers(out);
    expect(answers).toHaveLength(2 * 18 + 2 * 8);
    const sweepDocument = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as {
      proxy: { name: string; description: string };
      points: { model: string; ratio: number; instructionFollowing: number | null; instructionFollowingCi95: [number, number] | null }[];
    };
    expect(sweepDocument.proxy.name).toContain('proxy');
    expect(sweepDocument.proxy.description).toContain(proxy);
    expect(sweepDocument.proxy.description).toMatch(/per-question accuracy/);
    const independent = join(scratch, 'out-proxy-as-data');
    await sweep({ pipeline: amofConfig, ratios: '0.25,0.75', data: proxy, out: independent });
    const independentAnswers = await readAnswers(independent);
    const independentScores = JSON.parse(await readFile(join(independent, 'mllm-scores.json'), 'utf8')) as { models: { name: string; questionAccuracy: number }[] };
    for (const ratio of [0.25, 0.75]) {
      const proxyAnswers = answers.filter((a) => a.model === `r=${ratio} [proxy]`);
      expect(proxyAnswers.map((a) => a.question_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      // recomputed from the responses with our own gold answers and options (not the sweep's `correct`)
      const correct = proxyAnswers.filter((a) => {
        const row = proxyRows[a.question_id - 1]!;
        expect(a.question).toBe(row.question);
        return extractChoice(a.response, row.options) === row.answer;
      }).length;
      const point = sweepDocument.points.find((p) => p.ratio === ratio)!;
      expect(point.instructionFollowing).toBeCloseTo((100 * correct) / proxyRows.length, 10);
      expect(point.instructionFollowingCi95![0]).toBeLessThanOrEqual(point.instructionFollowing!);
      expect(point.instructionFollowingCi95![1]).toBeGreaterThanOrEqual(point.instructionFollowing!);
      // what `r=<ratio>: ...; proxy accuracy X% (8 questions, 95% CI [...])` prints
      const ratioResult = result.ratios.find((r) => r.ratio === ratio)!;
      expect([ratioResult.instructionFollowing, ratioResult.proxyQuestions]).toEqual([point.instructionFollowing, 8]);
      expect(ratioResult.instructionFollowingCi95).toEqual(point.instructionFollowingCi95);
      // the independent path: the same pipeline at the same ratio answering the proxy set as data
      for (const a of proxyAnswers) {
        const same = independentAnswers.find((b) => b.model === `r=${ratio}` && b.question_id === a.question_id);
        expect(same?.response).toBe(a.response);
        expect(same?.correct).toBe(a.correct);
      }
      expect(independentScores.models.find((m) => m.name === `r=${ratio}`)!.questionAccuracy).toBeCloseTo(point.instructionFollowing!, 10);
      // the main set's answers are unchanged by the proxy set sharing the batches
      const mainAnswers = answers.filter((a) => a.model === `r=${ratio}`);
      expect(mainAnswers).toHaveLength(18);
    }
    // proxy limit: only the first pairs of the proxy set, same answers
    const limited = join(scratch, 'out-proxy-limit');
    await sweep({ pipeline: amofConfig, ratios: '0.75', data: join(scratch, 'data'), limit: 1, proxy: { data: proxy, limit: 2 }, out: limited });
    const limitedProxy = (await readAnswers(limited)).filter((a) => a.model === 'r=0.75 [proxy]');
    expect(limitedProxy.map((a) => a.question_id)).toEqual([1, 2, 3, 4]);
    for (const a of limitedProxy) expect(a.response).toBe(answers.find((b) => b.model === 'r=0.75 [proxy]' && b.question_id === a.question_id)!.response);
    const html = await report(out);
    expect(html).toContain('r=0.25 [proxy]');
    expect(html).toContain(sweepDocument.proxy.name);
  });
});
