import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const models = join(repo, 'models');

/**
 * A reduced demo end to end: 1 pair per pattern, three LLaVA configurations. The zoo here is
 * assembled from the committed random-weight fixtures (models/tiny-clip, models/tiny-mof,
 * models/tiny-llama) in the zoo's folder layout, so this tests the demo's plumbing and its
 * bookkeeping, not the trained models: the scores are recomputed here from answers.jsonl and the
 * CLIP text-image scores by the separate `mmvp eval-vlm` command, and must agree.
 */
async function fixtureZoo(zoo: string): Promise<void> {
  await cp(join(models, 'tiny-clip'), join(zoo, 'tiny-clip'), { recursive: true });
  await cp(join(models, 'tiny-mof', 'tiny-dinov2-64'), join(zoo, 'tiny-ssl'), { recursive: true });
  const clip = { use: '@mmvp/encoder-clip', model: '../tiny-clip', tap: { kind: 'layer', layer: -2 }, tokens: 'patch' };
  const dino = { use: '@mmvp/encoder-dinov2', model: '../tiny-ssl', tap: { kind: 'prenorm' }, tokens: 'patch', pixels: 'clip' };
  const decoder = { modelPath: join(models, 'tiny-llama'), template: 'llava_v1', prompt: 'lmms', maxNewTokens: 4, temperature: 0 };
  const adapter = (file: string, prefix: string) => ({ type: 'mlp2x_gelu', weights: join(models, 'tiny-mof', file), prefix });
  const configs: Record<string, object> = {
    'llava-clip': { encoders: { clip }, adapters: { clip: adapter('llava-mm_projector.safetensors', 'model.mm_projector') }, strategy: { name: 'clip' } },
    'llava-amof-0.5': {
      encoders: { clip, dino },
      adapters: { additive: adapter('amof-mm_projector.safetensors', 'model.mm_projector') },
      strategy: { name: 'additive', dinoRatio: 0.5 },
    },
    'llava-imof': {
      encoders: { clip, dino: { ...dino, model: join(models, 'tiny-dinov2') } },
      adapters: { clip: adapter('imof-projectors.safetensors', 'model.mm_projector'), dino: adapter('imof-projectors.safetensors', 'model.dino_mm_projector') },
      strategy: { name: 'interleaved' },
    },
  };
  for (const [name, config] of Object.entries(configs)) {
    await mkdir(join(zoo, name), { recursive: true });
    await writeFile(join(zoo, name, 'pipeline.json'), JSON.stringify({ name, ...config, decoder }, null, 2));
  }
}

describe('mmvp demo (reduced, fixture zoo)', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-demo-'));
    await fixtureZoo(join(scratch, 'zoo'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes every result file and the report, with scores that agree with the answers', async () => {
    const out = join(scratch, 'out');
    const { stdout, stderr } = await run(process.execPath, [cli, 'demo', '--out', out, '--zoo', join(scratch, 'zoo'), '--pairs-per-pattern', '1', '--seed', '5', '--models', 'llava-clip,llava-amof-0.5,llava-imof'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout.trim()).toBe(join(out, 'report.html'));
    expect(stderr).toContain('demo: timing summary');
    expect(stderr).toMatch(/llava-clip: MMVP pair accuracy/);

    const answers = (await readFile(join(out, 'answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { model: string; question_id: number; answer: string; choice: string; correct: boolean; pattern: string });
    expect(answers).toHaveLength(3 * 18);
    for (const answer of answers) expect(answer.correct).toBe(`(${answer.choice})` === answer.answer);

    // pair accuracy recomputed from answers.jsonl: questions (2i-1, 2i) form pair i
    const mllm = JSON.parse(await readFile(join(out, 'mllm-scores.json'), 'utf8')) as { models: { name: string; pairAccuracy: number; perPattern: Record<string, number> }[] };
    for (const model of mllm.models) {
      const mine = answers.filter((answer) => answer.model === model.name).sort((a, b) => a.question_id - b.question_id);
      let pairs = 0;
      for (let i = 0; i < mine.length; i += 2) if (mine[i]!.correct && mine[i + 1]!.correct) pairs++;
      expect(model.pairAccuracy).toBeCloseTo((100 * pairs) / 9, 6);
      for (let i = 0; i < mine.length; i += 2) expect(model.perPattern[mine[i]!.pattern]).toBe(mine[i]!.correct && mine[i + 1]!.correct ? 100 : 0);
    }
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { points: { model: string; ratio: number; pairAccuracy: number }[]; references: { model: string }[] };
    expect(sweep.points).toEqual([expect.objectContaining({ model: 'llava-amof-0.5', ratio: 0.5, pairAccuracy: mllm.models[1]!.pairAccuracy })]);
    expect(sweep.references.map((reference) => reference.model)).toEqual(['llava-clip', 'llava-imof']);

    // the CLIP text-image scores agree with the separate eval-vlm command on the same generated data
    const vlm = JSON.parse(await readFile(join(out, 'vlm-scores.json'), 'utf8')) as { models: { name: string; perPattern: Record<string, number>; average: number }[] };
    const evalOut = join(scratch, 'eval-vlm');
    const evaluated = await run(process.execPath, [cli, 'eval-vlm', '--model', join(scratch, 'zoo', 'tiny-clip'), '--data', join(out, 'data', 'MMVP_VLM'), '--out', evalOut, '--json'], { maxBuffer: 16 * 1024 * 1024 });
    const reference = JSON.parse(evaluated.stdout) as { average: number };
    expect(vlm.models[0]!.name).toBe('tiny-clip');
    expect(vlm.models[0]!.average).toBeCloseTo(reference.average, 6);
    expect(vlm.models.map((model) => model.name)).toEqual(['tiny-clip', 'tiny-clip (image-only probe)', 'tiny-ssl (image-only probe)']);

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    const run_ = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { timings: { stage: string }[]; dataset: { seed: number } };
    expect(run_.dataset.seed).toBe(5);
    expect(run_.timings.map((timing) => timing.stage)).toContain('findings 2-3: tiny LLaVA models on MMVP-Synth');
  });

  it('names the missing zoo folder and the valid configurations', async () => {
    const missing = await run(process.execPath, [cli, 'demo', '--out', join(scratch, 'x'), '--zoo', join(scratch, 'nozoo')]).catch((error: { code: number; stderr: string }) => error);
    expect((missing as { code: number }).code).toBe(1);
    expect((missing as { stderr: string }).stderr).toMatch(/the zoo has no .*nozoo.*tiny-clip; rebuild it with tools\/zoo/);
    const unknown = await run(process.execPath, [cli, 'demo', '--out', join(scratch, 'x'), '--zoo', join(scratch, 'zoo'), '--models', 'llava-foo']).catch((error: { code: number; stderr: string }) => error);
    expect((unknown as { stderr: string }).stderr).toMatch(/--models: unknown configuration\(s\) llava-foo; choose from llava-clip, llava-amof-0/);
  });
});
