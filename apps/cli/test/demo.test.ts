import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readNpyFloat32 } from '@mmvp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';
import { runCli } from './helpers/run-cli';

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
  configs['llava-clip-seed2'] = configs['llava-clip']!; // a "second seed" with the same weights: its answers must equal seed 1's
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

    // the gold answers of Questions.csv (not answers.jsonl's copy) give the same pair accuracies
    const gold = new Map(
      (await readFile(join(out, 'data', 'MMVP', 'Questions.csv'), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','))
        .map((cells) => [Number(cells[0]), cells[cells.length - 1]!.trim()] as const),
    );
    const pairOutcomes = (name: string) => {
      const mine = answers.filter((answer) => answer.model === name).sort((a, b) => a.question_id - b.question_id);
      const right = (answer: (typeof mine)[number]) => `(${answer.choice})` === gold.get(answer.question_id);
      return Array.from({ length: mine.length / 2 }, (_, i) => right(mine[2 * i]!) && right(mine[2 * i + 1]!));
    };
    type Interval = [number, number];
    const withIntervals = mllm as unknown as {
      models: { name: string; pairAccuracy: number; pairAccuracyCi95: Interval; questionAccuracy: number; questionAccuracyCi95: Interval; perPattern: Record<string, number>; perPatternCi95: Record<string, Interval> }[];
      comparisons: { a: string; b: string; pairs: number; difference: number; differenceCi95: Interval; onlyA: number; onlyB: number; mcnemarP: number; resolved: boolean }[];
      correlations: { pearson: number | null; pearsonCi95?: Interval | null }[];
    };
    const inside = (value: number, [low, high]: Interval) => {
      expect(low).toBeLessThanOrEqual(value + 1e-9);
      expect(high).toBeGreaterThanOrEqual(value - 1e-9);
    };
    for (const model of withIntervals.models) {
      const pairs = pairOutcomes(model.name);
      expect(model.pairAccuracy).toBeCloseTo((100 * pairs.filter(Boolean).length) / pairs.length, 6);
      inside(model.pairAccuracy, model.pairAccuracyCi95);
      inside(model.questionAccuracy, model.questionAccuracyCi95);
      for (const [pattern, score] of Object.entries(model.perPattern)) inside(score, model.perPatternCi95[pattern]!);
    }
    // the paired comparisons the findings state, recomputed from the answers: I-MoF vs CLIP-only, each A-MoF ratio vs r = 0 (not run here)
    expect(withIntervals.comparisons.map((c) => `${c.a}->${c.b}`)).toEqual(['llava-clip->llava-imof']);
    const [imof] = withIntervals.comparisons;
    const clipPairs = pairOutcomes('llava-clip');
    const imofPairs = pairOutcomes('llava-imof');
    const onlyA = clipPairs.filter((right, i) => right && !imofPairs[i]).length;
    const onlyB = clipPairs.filter((right, i) => !right && imofPairs[i]).length;
    expect(imof).toMatchObject({ pairs: 9, onlyA, onlyB });
    expect(imof!.difference).toBeCloseTo((100 * (onlyB - onlyA)) / 9, 6);
    inside(imof!.difference, imof!.differenceCi95);
    expect(imof!.resolved).toBe(imof!.differenceCi95[0] > 0 || imof!.differenceCi95[1] < 0);
    expect(stderr).toContain(imof!.resolved ? `I-MoF ${imof!.difference > 0 ? 'beats' : 'trails'} CLIP-only` : 'I-MoF vs CLIP-only');
    if (!imof!.resolved) expect(stderr).toMatch(/I-MoF vs CLIP-only: [-+]\d+\.\d points \[-?\d+\.\d, -?\d+\.\d\], McNemar p [=<] [\d.]+, 9 pairs; not resolved at this scale/);
    expect(stderr).toMatch(/llava-clip: MMVP pair accuracy \d+\.\d \[\d+\.\d, \d+\.\d\]% \(questions \d+\.\d \[/);
    const vlmIntervals = vlm as unknown as { models: { average: number; averageCi95: Interval; perPattern: Record<string, number>; perPatternCi95: Record<string, Interval> }[] };
    for (const model of vlmIntervals.models) {
      inside(model.average, model.averageCi95);
      // one pair per pattern: Wilson's 1 of 1 is [1 / (1 + z^2), 1] = [20.7, 100], 0 of 1 is [0, 79.3]
      for (const [pattern, score] of Object.entries(model.perPattern)) {
        const [low, high] = model.perPatternCi95[pattern]!;
        expect([low, high].map((v) => v.toFixed(1))).toEqual(score === 100 ? ['20.7', '100.0'] : ['0.0', '79.3']);
      }
    }
    await expect(readFile(join(out, '.mmvp-lock'), 'utf8')).rejects.toThrow(/ENOENT/); // the run lock is released

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).toContain('aria-roledescription="error bar"'); // the intervals drawn
    expect(html).toContain('id="comparisons"');
    const run_ = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { timings: { stage: string }[]; dataset: { seed: number } };
    expect(run_.dataset.seed).toBe(5);
    expect(run_.timings.map((timing) => timing.stage)).toContain('findings 2-3: tiny LLaVA models on MMVP-Synth');
  });

  it('summarises a configuration run with several seeds (seeds.json / seeds.csv), and its seed-averaged comparison matches the paired one', async () => {
    const out = join(scratch, 'out-seeds');
    const { stderr } = await run(
      process.execPath,
      [cli, 'demo', '--out', out, '--zoo', join(scratch, 'zoo'), '--pairs-per-pattern', '1', '--seed', '5', '--models', 'llava-clip,llava-clip-seed2,llava-imof', '--no-report'],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    type Interval = [number, number];
    const mllm = JSON.parse(await readFile(join(out, 'mllm-scores.json'), 'utf8')) as {
      models: { name: string; pairAccuracy: number }[];
      comparisons: { a: string; b: string; difference: number; differenceCi95: Interval }[];
    };
    const seeds = JSON.parse(await readFile(join(out, 'seeds.json'), 'utf8')) as {
      format: string;
      summaries: { configuration: string; seeds: { model: string; pairAccuracy: number }[]; mean: number; sd: number }[];
      comparisons: { a: string; b: string; seedsA: number; seedsB: number; difference: number; differenceCi95: Interval; differenceCi95WithSeeds: Interval; resolved: boolean }[];
    };
    expect(seeds.format).toBe('mmvp-seeds/v1');
    // every seed-averaged comparison carries the interval that counts seeds: at least as wide, around the difference, and resolved rests on it
    for (const c of seeds.comparisons) {
      expect(c.differenceCi95WithSeeds[0]).toBeLessThanOrEqual(Math.min(c.differenceCi95[0], c.difference));
      expect(c.differenceCi95WithSeeds[1]).toBeGreaterThanOrEqual(Math.max(c.differenceCi95[1], c.difference));
      expect(c.resolved).toBe(c.differenceCi95WithSeeds[0] > 0 || c.differenceCi95WithSeeds[1] < 0);
    }
    const clipOnly = mllm.models.find((model) => model.name === 'llava-clip')!;
    expect(mllm.models.find((model) => model.name === 'llava-clip-seed2')!.pairAccuracy).toBe(clipOnly.pairAccuracy); // same weights, same answers
    expect(seeds.summaries).toEqual([expect.objectContaining({ configuration: 'llava-clip', mean: clipOnly.pairAccuracy, sd: 0 })]);
    expect(seeds.summaries[0]!.seeds.map((run) => run.model)).toEqual(['llava-clip', 'llava-clip-seed2']);
    // both seeds answer alike, so the seed-averaged comparison is the seed-1 paired bootstrap, draw for draw
    const paired = mllm.comparisons.find((c) => c.a === 'llava-clip' && c.b === 'llava-imof')!;
    expect(seeds.comparisons).toEqual([expect.objectContaining({ a: 'llava-clip', b: 'llava-imof', seedsA: 2, seedsB: 1, differenceCi95: paired.differenceCi95 })]);
    expect(seeds.comparisons[0]!.difference).toBeCloseTo(paired.difference, 9);
    expect(stderr).toMatch(/llava-clip over 2 seeds: MMVP pair accuracy mean \d+\.\d \[\d+\.\d, \d+\.\d\]% \(interval over pairs\), sd 0\.0/);
    expect(stderr).toMatch(/llava-imof - llava-clip, seed means: [-+]\d+\.\d \[/);
    const csv = (await readFile(join(out, 'seeds.csv'), 'utf8')).trim().split('\n');
    expect(csv.map((line) => line.split(',').slice(0, 3).join(','))).toEqual(['configuration,model,seed', 'llava-clip,llava-clip,1', 'llava-clip,llava-clip-seed2,2', 'llava-clip,mean,1+2']);
  });

  it("mines CLIP-blind pairs with the zoo's calibrated thresholds (zoo.json), as a brute force over `mmvp embed` finds them", async () => {
    // the eval pool of the first test's run (seed 5): embed it with the separate `mmvp embed` command
    const images = join(scratch, 'out', 'data', 'MMVP', 'MMVP Images');
    const files = (await readdir(images)).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10)).map((name) => join(images, name));
    expect(files).toHaveLength(18);
    const embed = async (model: string, name: string) => {
      const path = join(scratch, `${name}.npy`);
      await run(process.execPath, [cli, 'embed', '--model', model, '--pooled', '--out', path, '--image', ...files]);
      const { data, dims } = await readNpyFloat32(path);
      const [n, width] = dims as [number, number];
      const rows = Array.from({ length: n }, (_, i) => data.slice(i * width, (i + 1) * width));
      return rows.map((row) => row.map((v) => v / Math.hypot(...row)));
    };
    const clip = await embed(join(scratch, 'zoo', 'tiny-clip'), 'clip');
    const ssl = await embed(join(scratch, 'zoo', 'tiny-ssl'), 'ssl');
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
    const all: { a: number; b: number; clip: number; ssl: number }[] = [];
    for (let a = 0; a < files.length; a++) for (let b = a + 1; b < files.length; b++) all.push({ a, b, clip: cosine(clip[a]!, clip[b]!), ssl: cosine(ssl[a]!, ssl[b]!) });
    // thresholds between observed values, so a few pairs pass and float rounding cannot move one across
    const clips = all.map((pair) => pair.clip).sort((x, y) => x - y);
    const ssls = all.map((pair) => pair.ssl).sort((x, y) => x - y);
    const clipMin = (clips[Math.floor(clips.length * 0.7)]! + clips[Math.floor(clips.length * 0.7) + 1]!) / 2;
    const dinoMax = (ssls[Math.floor(ssls.length * 0.6)]! + ssls[Math.floor(ssls.length * 0.6) + 1]!) / 2;
    const expected = all.filter((pair) => pair.clip > clipMin && pair.ssl < dinoMax);
    expect(expected.length).toBeGreaterThan(0);

    const zoo = join(scratch, 'zoo-calibrated');
    await cp(join(scratch, 'zoo'), zoo, { recursive: true });
    await writeFile(join(zoo, 'zoo.json'), JSON.stringify({ format: 'mmvp-zoo/v1', blindPairs: { clipMin, dinoMax, calibration: 'test values' } }));
    const out = join(scratch, 'out-calibrated');
    const { stderr } = await run(process.execPath, [cli, 'demo', '--out', out, '--zoo', zoo, '--pairs-per-pattern', '1', '--seed', '5', '--models', 'llava-clip', '--no-report']);
    expect(stderr).toContain(`CLIP cos > ${clipMin}, SSL cos < ${dinoMax}; thresholds from ${join(zoo, 'zoo.json')} (test values)`);
    const rows = (await readFile(join(out, 'blind-pairs.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const name = (file: string) => file.split('/').pop();
    const mined = rows.map(([imageA, imageB, clipSimilarity, dinoSimilarity]) => ({ a: name(imageA!), b: name(imageB!), clip: Number(clipSimilarity), ssl: Number(dinoSimilarity) }));
    const sortKey = (pair: { a?: string; b?: string }) => `${pair.a}|${pair.b}`;
    expect(mined.map(sortKey).sort()).toEqual(
      expected
        .map((pair) => ({ a: name(files[pair.a]!), b: name(files[pair.b]!) }))
        .map(sortKey)
        .sort(),
    );
    for (const pair of expected) {
      const row = mined.find((m) => m.a === name(files[pair.a]!) && m.b === name(files[pair.b]!))!;
      expect(row.clip).toBeCloseTo(pair.clip, 3);
      expect(row.ssl).toBeCloseTo(pair.ssl, 3);
    }
    // ranked by the gap CLIP - SSL, largest first
    const gaps = mined.map((pair) => pair.clip - pair.ssl);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeLessThanOrEqual(gaps[i - 1]! + 2e-4);

    // the command line overrides the zoo's values; a malformed zoo.json names the file and the field
    const flagged = await run(process.execPath, [cli, 'demo', '--out', join(scratch, 'out-flag'), '--zoo', zoo, '--pairs-per-pattern', '1', '--seed', '5', '--models', 'llava-clip', '--no-report', '--clip-min', '0.99']);
    expect(flagged.stderr).toMatch(new RegExp(`CLIP cos > 0\\.99, SSL cos < ${dinoMax}; thresholds from CLIP: command line; SSL: .*zoo\\.json`));
    await writeFile(join(zoo, 'zoo.json'), JSON.stringify({ format: 'mmvp-zoo/v1', blindPairs: { clipMin: 'high', dinoMax, calibration: 'x' } }));
    const bad = await run(process.execPath, [cli, 'demo', '--out', join(scratch, 'out-bad'), '--zoo', zoo, '--models', 'llava-clip']).catch((error: { code: number; stderr: string }) => error);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/zoo\.json.*blindPairs\.clipMin/);
  });

  it('refuses --out onto a file in one line, and a folder another live run holds', async () => {
    await expectOutFolderRefusedFirst('demo', (missing, out) => ['--zoo', missing, '--out', out]);
    const held = join(scratch, 'held');
    await mkdir(held, { recursive: true });
    await writeFile(join(held, '.mmvp-lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'demo', startedAt: new Date().toISOString() }));
    const refused = await runCli(['demo', '--out', held, '--zoo', join(scratch, 'zoo'), '--pairs-per-pattern', '1', '--models', 'llava-clip', '--no-report']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is in use by 'demo' \(pid \d+/);
    await expect(readdir(join(held))).resolves.toEqual(['.mmvp-lock']); // nothing written
  });

  it("--llava-pairs-per-pattern gives the LLaVA models their own larger set; finding 1 and the correlation stay on the first pairs' scenes", async () => {
    const args = ['--zoo', join(scratch, 'zoo'), '--pairs-per-pattern', '2', '--seed', '5', '--models', 'llava-clip', '--no-report'];
    const one = join(scratch, 'out-one-set');
    const own = join(scratch, 'out-llava-set');
    await run(process.execPath, [cli, 'demo', '--out', one, ...args]);
    const { stderr } = await run(process.execPath, [cli, 'demo', '--out', own, ...args, '--llava-pairs-per-pattern', '3']);
    expect(stderr).toContain('2 pairs x 9 patterns, 36 questions, 64 px; LLaVA models: their own set of 3 pairs x 9 patterns, 54 questions');
    // finding 1 is untouched: the same MMVP-VLM scores
    expect(await readFile(join(own, 'vlm-scores.json'), 'utf8')).toBe(await readFile(join(one, 'vlm-scores.json'), 'utf8'));
    // the LLaVA model answered 54 MMVP questions; on the first 2 pairs of each pattern it answered exactly as on the one-set run's scenes
    type Answer = { question_id: number; pattern: string; question: string; response: string; correct: boolean };
    const answers = async (out: string) =>
      (await readFile(join(out, 'answers.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Answer)
        .filter((answer) => !answer.question.startsWith('Which object'));
    const small = await answers(one);
    const large = await answers(own);
    expect(small).toHaveLength(36);
    expect(large).toHaveLength(54);
    const firstPairs = large.filter((answer) => Math.floor((answer.question_id - 1) / 2) % 3 < 2);
    const strip = ({ question_id: _id, ...rest }: Answer & { image?: string }) => ({ ...rest, image: undefined });
    expect(firstPairs.map(strip)).toEqual(small.map(strip));
    // so the correlation, computed on those scenes, is the one-set run's
    const correlations = async (out: string) => (JSON.parse(await readFile(join(out, 'mllm-scores.json'), 'utf8')) as { correlations: { pearson: number | null; pearsonCi95?: unknown }[] }).correlations;
    const [mine] = await correlations(own);
    const [theirs] = await correlations(one);
    expect(mine?.pearson).toEqual(theirs?.pearson);
    expect(mine?.pearsonCi95).toEqual(theirs?.pearsonCi95);
    // fewer LLaVA pairs than finding 1's are refused in one line
    const refused = await run(process.execPath, [cli, 'demo', '--out', join(scratch, 'out-fewer'), ...args, '--llava-pairs-per-pattern', '1']).catch((error: { code: number; stderr: string }) => error);
    expect((refused as { stderr: string }).stderr).toMatch(/^mmvp: InvalidArgumentError: runDemo options are invalid: llavaPairsPerPattern: must be at least pairsPerPattern \(2\).* \(given 1\)\n$/);
  });

  it('names the missing zoo folder and the valid configurations', async () => {
    const missing = await run(process.execPath, [cli, 'demo', '--out', join(scratch, 'x'), '--zoo', join(scratch, 'nozoo')]).catch((error: { code: number; stderr: string }) => error);
    expect((missing as { code: number }).code).toBe(1);
    expect((missing as { stderr: string }).stderr).toMatch(/the zoo has no .*nozoo.*tiny-clip; rebuild it with tools\/zoo/);
    const unknown = await run(process.execPath, [cli, 'demo', '--out', join(scratch, 'x'), '--zoo', join(scratch, 'zoo'), '--models', 'llava-foo']).catch((error: { code: number; stderr: string }) => error);
    expect((unknown as { stderr: string }).stderr).toMatch(/^mmvp: InvalidArgumentError: --models 'llava-foo' is not valid; valid choices: 'llava-clip', 'llava-clip-seed2', 'llava-clip-seed3', 'llava-amof-0',/);
  });
});
