import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSynth } from '@mmvp/synth';
import { loadPipelineConfig } from '@mmvp/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep, type SweepEvent } from './run-sweep';
import type { SweepQuestion } from './sweep-data';

const zoo = fileURLToPath(new URL('../../../../models/zoo/', import.meta.url));
const zooConfig = (ratio: string) => join(zoo, `llava-amof-${ratio}`, 'pipeline.json');

describe('runSweep (library)', () => {
  let scratch: string;
  let data: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-sweep-'));
    data = join(scratch, 'data');
    await writeSynth({ out: data, seed: 7, size: 64, split: 'eval', pairsPerPattern: 1, contactSheets: false, overwrite: true });
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('pipelineFor: one zoo model per ratio; events in order; intervals, comparisons vs r=0 (listed second) and documents', async () => {
    const events: SweepEvent['type'][] = [];
    const asked: [number, string][] = [];
    const result = await runSweep({
      pipelineFor: (ratio, text) => {
        asked.push([ratio, text]);
        return text === '1' ? loadPipelineConfig(zooConfig(text)) : zooConfig(text); // a loaded config or a path
      },
      ratios: [1, 0],
      data,
      limit: 4,
      onEvent: (event) => events.push(event.type),
    });
    expect(asked).toEqual([
      [1, '1'],
      [0, '0'],
    ]);
    expect(result.protocol).toBe('per-ratio');
    expect(result.images).toBe(8);
    expect(events[0]).toBe('resolved');
    expect(events.filter((type) => type === 'ratio-finished')).toHaveLength(2);
    expect(events).not.toContain('written'); // no `out`: nothing written
    expect(result.files).toEqual([]);
    expect(result.baseline).toBe('r=0');
    const [one, zero] = result.ratios;
    expect(zero!.comparison).toBeUndefined();
    expect(one!.comparison!.baseline).toBe('r=0');
    expect(one!.comparison!.pairs).toBe(4);
    for (const ratio of result.ratios) {
      expect(ratio.pairs).toBe(4);
      expect(ratio.pairAccuracyCi95[0]).toBeLessThanOrEqual(ratio.pairAccuracy);
      expect(ratio.pairAccuracyCi95[1]).toBeGreaterThanOrEqual(ratio.pairAccuracy);
      expect(ratio.instructionFollowing).toBeNull();
    }
    expect(result.documents.mllmScores.comparisons).toHaveLength(1);
    expect(result.documents.sweep.protocol).toBe('per-ratio');
    expect(result.documents.answers).toHaveLength(2 * 8);
  });

  it('refuses a per-ratio config whose dinoRatio is not its ratio, before loading any model', async () => {
    await expect(runSweep({ pipelineFor: () => zooConfig('0.75'), ratios: '0.5', data })).rejects.toThrow(
      `${zooConfig('0.75')} is the config for r=0.5, but its strategy is additive with dinoRatio 0.75; a per-ratio config must be strategy 'additive' with dinoRatio 0.5`,
    );
  });

  it('an empty question set is refused before any model is loaded (there is no accuracy or interval to give)', async () => {
    const none: SweepQuestion[] = [];
    await expect(runSweep({ pipeline: zooConfig('0.5'), ratios: '0.5', data: { questions: none, path: 'empty set' } })).rejects.toThrow(
      /^data: empty set has no usable question pairs \(every pair was skipped; see the warnings above\); a sweep needs at least one pair to score \(and to give an interval for\)$/,
    );
    const empty = join(scratch, 'empty');
    await mkdir(join(empty, 'MMVP Images'), { recursive: true });
    await writeFile(join(empty, 'Questions.csv'), 'Index,Question,Options,Correct Answer\n');
    await expect(runSweep({ pipeline: zooConfig('0.5'), ratios: '0.5', data, proxy: { data: empty } })).rejects.toThrow(/proxy data \S+empty: \S+empty\/Questions\.csv has a header but no question rows/);
  });

  it('a missing or invalid proxy folder is refused naming it (with the name the caller gives) and what is missing; nothing is written', async () => {
    const noQuestions = join(scratch, 'proxy-empty'); // exists, no Questions.csv
    await mkdir(noQuestions, { recursive: true });
    const noImages = join(scratch, 'proxy-no-images'); // Questions.csv but no 'MMVP Images/'
    await mkdir(noImages, { recursive: true });
    await writeFile(join(noImages, 'Questions.csv'), 'Index,Question,Options,Correct Answer\n1,Q?,(a) x (b) y,(a)\n2,Q?,(a) x (b) y,(b)\n');
    const cases: [string, RegExp][] = [
      [join(scratch, 'no-such-proxy'), /^--proxy-data \S*no-such-proxy: MMVP folder \S*no-such-proxy\/MMVP cannot be read .*expected a folder with Questions\.csv and 'MMVP Images\/'$/],
      [noQuestions, /^--proxy-data \S*proxy-empty: MMVP folder \S*proxy-empty\/MMVP cannot be read .*expected a folder with Questions\.csv and 'MMVP Images\/'$/],
      [noImages, /^--proxy-data \S*proxy-no-images: \S*proxy-no-images has no image folder; expected 'MMVP Images\/'/],
    ];
    for (const [index, [folder, message]] of cases.entries()) {
      const out = join(scratch, `bad-proxy-${index}`);
      const events: SweepEvent[] = [];
      await expect(runSweep({ pipeline: zooConfig('0.5'), ratios: '0.5', data, out, proxy: { data: folder }, inputNames: { proxy: '--proxy-data' }, onEvent: (event) => events.push(event) })).rejects.toThrow(message);
      expect(events.filter((event) => event.type === 'resolved')).toEqual([]); // no encoder or decoder loaded
      expect(await readdir(out).catch(() => [])).toEqual([]); // not even the folder is created (m21)
    }
  });

  it('needs exactly one of pipeline and pipelineFor, and checks its options', async () => {
    await expect(runSweep({ ratios: '0', data })).rejects.toThrow(/give exactly one of pipeline .* and pipelineFor/);
    await expect(runSweep({ pipeline: zooConfig('0'), pipelineFor: () => zooConfig('0'), ratios: '0', data })).rejects.toThrow(/give exactly one of pipeline/);
    await expect(runSweep({ pipeline: zooConfig('0'), ratios: '0', data, batchSize: 0 })).rejects.toThrow(/batchSize/);
  });

  it('an aborted sweep writes no result file, keeps the answers so far in its journal, releases the lock, and --resume finishes it', async () => {
    const out = join(scratch, 'aborted');
    const controller = new AbortController();
    const run = runSweep({
      pipeline: join(zoo, 'llava-amof-{r}', 'pipeline.json'),
      ratios: '0,1',
      data,
      out,
      abortSignal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'ratio-started' && event.ratio === 1) controller.abort(new Error('stopped by the test'));
      },
    });
    await expect(run).rejects.toThrow('stopped by the test');
    expect((await readdir(out)).sort()).toEqual(['.mmvp-run.json', 'sweep-journal.jsonl']);
    const [header, ...answers] = (await readFile(join(out, 'sweep-journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(header.identity).toMatchObject({ protocol: 'per-ratio', ratios: '0,1' });
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((answer: { ratio: string }) => answer.ratio === '0')).toBe(true); // r=1 was stopped before its first batch
    const events: string[] = [];
    const resumed = await runSweep({ pipeline: join(zoo, 'llava-amof-{r}', 'pipeline.json'), ratios: '0,1', data, out, resume: true, onEvent: (event) => events.push(event.type) });
    expect(events[0]).toBe('resumed'); // before the encoders load
    expect(resumed.ratios.map((ratio) => ratio.text)).toEqual(['0', '1']);
    expect((await readdir(out)).sort()).toEqual(['.mmvp-run.json', 'answers.jsonl', 'mllm-scores.json', 'run.json', 'sweep-journal.jsonl', 'sweep.json']);
  });

  it('--resume after an adapter or LLM file was replaced in place (a retrained checkpoint at the same path) is refused: the journal hashes the model files (#31.3)', async () => {
    const models = join(scratch, 'zoo-copy');
    for (const name of ['llava-amof-0', 'llava-amof-1', 'tiny-clip', 'tiny-ssl']) await cp(join(zoo, name), join(models, name), { recursive: true });
    const out = join(scratch, 'replaced');
    const options = { pipeline: join(models, 'llava-amof-{r}', 'pipeline.json'), ratios: '0,1', data, limit: 2, out };
    await runSweep(options);
    const journal = await readFile(join(out, 'sweep-journal.jsonl'), 'utf8');
    await runSweep({ ...options, resume: true }); // the same files: resumes
    for (const file of ['mm_projector.safetensors', join('onnx', 'decoder_model_merged.onnx')]) {
      const path = join(models, 'llava-amof-1', file);
      const original = await readFile(path);
      await writeFile(path, await readFile(join(models, 'llava-amof-0', file))); // r=0's weights, a valid checkpoint, at r=1's path
      await expect(runSweep({ ...options, resume: true }), file).rejects.toThrow(/^--resume: modelFiles differ\(s\) from the sweep in .*; answers of different settings must not be mixed; use another --out$/);
      await writeFile(path, original);
    }
    expect(await readFile(join(out, 'sweep-journal.jsonl'), 'utf8')).toBe(journal); // nothing appended
  });

  it('with out: writes the four files whole, validated by the report schema', async () => {
    const out = join(scratch, 'written');
    const result = await runSweep({ pipeline: join(zoo, 'llava-amof-{r}', 'pipeline.json'), ratios: '0,0.75', data, limit: 2, out, command: 'test', modelName: (_, text) => `llava-amof-${text}` });
    expect(result.files.map((file) => file.slice(out.length + 1))).toEqual(['answers.jsonl', 'mllm-scores.json', 'sweep.json', 'run.json']);
    expect((await readdir(out)).sort()).toEqual(['.mmvp-run.json', 'answers.jsonl', 'mllm-scores.json', 'run.json', 'sweep-journal.jsonl', 'sweep.json']);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { command: string; models: { name: string; path: string }[]; notes: string[] };
    expect(run.command).toBe('test');
    expect(run.models).toEqual([
      { name: 'llava-amof-0', path: zooConfig('0') },
      { name: 'llava-amof-0.75', path: zooConfig('0.75') },
    ]);
    const scores = JSON.parse(await readFile(join(out, 'mllm-scores.json'), 'utf8')) as { models: { name: string }[]; comparisons: { a: string; b: string }[] };
    expect(scores.models.map((m) => m.name)).toEqual(['llava-amof-0', 'llava-amof-0.75']);
    expect(scores.comparisons.map((c) => [c.a, c.b])).toEqual([['llava-amof-0', 'llava-amof-0.75']]);
    await expect(runSweep({ pipeline: join(zoo, 'llava-amof-{r}', 'pipeline.json'), ratios: '0,1', data, modelName: () => 'same' })).rejects.toThrow(
      "modelName gives 'same' to two ratios; each ratio needs its own model name",
    );
    expect(run.notes[0]).toMatch(/^Protocol per-ratio/);
  });
});
