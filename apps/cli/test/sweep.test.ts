import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMmvp } from '@mmvp/datasets';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmvp, runCli } from './helpers/run-cli';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const amofConfig = join(repo, 'configs', 'pipelines', 'tiny-amof-0.75.json');

describe('mmvp sweep', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-sweep-'));
    const synth = await mmvp('synth', '--out', join(scratch, 'data'), '--size', '64', '--pairs-per-pattern', '1', '--seed', '3', '--no-contact-sheets');
    expect(synth.code).toBe(0);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('answers like a pipeline built for each ratio, though it encodes each image once', async () => {
    const out = join(scratch, 'out');
    const result = await mmvp('sweep', '--pipeline', amofConfig, '--ratios', '0.25,0.75', '--data', join(scratch, 'data'), '--out', out);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('18/18 images x 2 ratios');
    const answers = (await readFile(join(out, 'answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { model: string; question_id: number; response: string; correct: boolean });
    expect(answers).toHaveLength(2 * 18);
    // the independent path: one pipeline per ratio (its own encoders, per-image visual tokens), as `mmvp ask` runs it
    const dataset = await loadMmvp(join(scratch, 'data', 'MMVP'));
    const base = JSON.parse(await readFile(amofConfig, 'utf8'));
    for (const ratio of [0.25, 0.75]) {
      const file = join(repo, 'configs', 'pipelines', `.sweep-test-${ratio}.json`);
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
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { points: { ratio: number; pairAccuracy: number }[] };
    expect(sweep.points.map((point) => point.ratio)).toEqual([0.25, 0.75]);
    const report = await mmvp('report', out);
    expect(report.code).toBe(0);
  });

  it('refuses bad ratios and a pipeline without the A-MoF adapter', async () => {
    const bad = await mmvp('sweep', '--pipeline', amofConfig, '--ratios', '0,1.5', '--data', join(scratch, 'data'), '--out', join(scratch, 'x'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--ratios must be a comma-separated list of DINOv2 ratios in \[0, 1\]/);
    const clipOnly = await mmvp('sweep', '--pipeline', join(repo, 'configs', 'pipelines', 'tiny-clip.json'), '--data', join(scratch, 'data'), '--out', join(scratch, 'y'));
    expect(clipOnly.code).toBe(1);
    expect(clipOnly.stderr).toMatch(/a sweep needs encoders\.clip, encoders\.dino and adapters\.additive/);
  });
});

describe('mmvp sweep: a bad --out fails first', () => {
  it('--out onto a file or under a file fails in one line naming --out before any input or model is read', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mmvp-cli-sweep-out-'));
    try {
      const file = join(folder, 'taken.txt');
      await writeFile(file, 'x');
      const missing = join(folder, 'no-such-input');
      for (const out of [file, join(file, 'sub')]) {
        const result = await runCli(['sweep', '--pipeline', join(missing, 'pipeline.json'), '--data', missing, '--out', out]);
        expect(result.code).toBe(1);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(/^mmvp: InvalidArgumentError: --out .*taken\.txt.*(is a file|not a folder)/);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
