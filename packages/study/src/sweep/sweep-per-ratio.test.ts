/**
 * The per-ratio sweep (one trained config per ratio, a path with {r}) against separate evaluateMllm runs
 * of each ratio's config, counting the images each encoder encodes (moved from apps/cli/test/sweep.test.ts,
 * same checks on runSweep; the CLI keeps the refusals of bad configs and --ratios, and the lock).
 */
import { copyFile, cp, mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderResults } from '@mmvp/report';
import { writeSynth } from '@mmvp/synth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateMllm } from '../mmvp/evaluate-mllm';
import { runSweep, type SweepEvent } from './run-sweep';
import { readResults } from '@mmvp/results';
import { countingSweepConfigs, readSweepAnswers as readAnswers, type CountingSweepConfigs } from './sweep-test-fixtures';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

describe('runSweep, per-ratio protocol (one trained model per ratio, a pipeline path with {r})', () => {
  const zoo = join(repo, 'models', 'zoo');
  const countingEncoder = join(repo, 'apps', 'cli', 'test', 'fixtures', 'counting-encoder.mjs'); // wraps the encoders, counting the images each encodes
  let scratch: string;
  let configs: string;
  let counts: string;
  const ratios = ['0', '0.5', '1'];

  const counting = () => countingSweepConfigs({ zoo, configs, counts }); // configs and counts are set in beforeAll
  const writeConfig: CountingSweepConfigs['writeConfig'] = (ratio, change) => counting().writeConfig(ratio, change);
  const takeCounts = () => counting().takeCounts();

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-sweep-per-ratio-'));
    configs = join(scratch, 'configs');
    counts = join(scratch, 'encoded.txt');
    await mkdir(configs, { recursive: true });
    // the counting encoder beside the configs; its imports (zod, the encoders) resolve through the CLI's node_modules
    await copyFile(countingEncoder, join(configs, 'counting-encoder.mjs'));
    await symlink(join(repo, 'apps', 'cli', 'node_modules'), join(configs, 'node_modules'));
    await writeSynth({ out: join(scratch, 'data'), size: 64, pairsPerPattern: 1, seed: 3, contactSheets: false, imageFormat: 'png' });
    for (const ratio of ratios) await writeConfig(ratio);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("answers exactly as separate evaluateMllm runs of each ratio's config (what `mmvp eval-mllm` runs), though each image is encoded once for all ratios", async () => {
    const out = join(scratch, 'out');
    await takeCounts();
    const events: SweepEvent[] = [];
    const result = await runSweep({ pipeline: join(configs, 'amof-{r}.json'), ratios: ratios.join(','), data: join(scratch, 'data'), out, onEvent: (event) => events.push(event) });
    // 18 images: each encoded once by each encoder for all three ratios (separate runs: 3 x 18 each, below)
    expect(await takeCounts()).toMatchObject({ clip: 18, dino: 18 });
    expect(result.protocol).toBe('per-ratio');
    const resolved = events.flatMap((event) => (event.type === 'resolved' ? event.lines : []));
    for (const ratio of ratios) expect(resolved).toContain(`r=${ratio}: ${join(configs, `amof-${ratio}.json`)}`);
    const answers = await readAnswers(out);
    expect(answers).toHaveLength(3 * 18);
    const scores = JSON.parse(await readFile(join(out, 'mllm-scores.json'), 'utf8')) as {
      models: { name: string; pairAccuracy: number; pairAccuracyCi95: [number, number]; questionAccuracy: number; questionAccuracyCi95: [number, number] }[];
      comparisons: { a: string; b: string; pairs: number; difference: number; differenceCi95: [number, number]; mcnemarP: number; mcnemarPHolm: number; resolved: boolean }[];
    };
    for (const ratio of ratios) {
      const evalOut = join(scratch, `eval-${ratio}`);
      await evaluateMllm({ pipeline: join(configs, `amof-${ratio}.json`), data: join(scratch, 'data', 'MMVP'), out: evalOut });
      expect(await takeCounts()).toMatchObject({ clip: 18, dino: 18 }); // a separate run encodes every image again
      const separate = (await readFile(join(evalOut, 'answers.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { question_id: number; prompt: string; response: string });
      const swept = answers.filter((a) => a.model === `r=${ratio}`);
      expect(swept.map((a) => a.question_id)).toEqual(separate.map((a) => a.question_id));
      for (const a of separate) {
        const b = swept.find((s) => s.question_id === a.question_id)!;
        expect(b.response, `r=${ratio} question ${a.question_id}`).toBe(a.response);
        expect((b as unknown as { prompt: string }).prompt).toBe(a.prompt); // same prompt style
      }
      const graded = JSON.parse(await readFile(join(evalOut, 'scores.json'), 'utf8')) as { pairAccuracy: number; questionAccuracy: number };
      const model = scores.models.find((m) => m.name === `r=${ratio}`)!;
      expect(model.pairAccuracy).toBeCloseTo(graded.pairAccuracy, 10);
      expect(model.questionAccuracy).toBeCloseTo(graded.questionAccuracy, 10);
      expect(model.pairAccuracyCi95[0]).toBeLessThanOrEqual(model.pairAccuracy);
      expect(model.pairAccuracyCi95[1]).toBeGreaterThanOrEqual(model.pairAccuracy);
      expect(model.questionAccuracyCi95[0]).toBeLessThanOrEqual(model.questionAccuracy);
    }
    // each ratio against r=0 over the same 9 pairs, the difference recomputed from the answers
    expect(scores.comparisons.map((c) => [c.a, c.b, c.pairs])).toEqual([
      ['r=0', 'r=0.5', 9],
      ['r=0', 'r=1', 9],
    ]);
    const pairCorrect = (model: string) => {
      const byPair = new Map<number, boolean>();
      for (const a of answers.filter((x) => x.model === model)) byPair.set(Math.ceil(a.question_id / 2), (byPair.get(Math.ceil(a.question_id / 2)) ?? true) && a.correct);
      return [...byPair.values()].filter(Boolean).length;
    };
    for (const comparison of scores.comparisons) {
      expect(comparison.difference).toBeCloseTo((100 * (pairCorrect(comparison.b) - pairCorrect(comparison.a))) / 9, 10);
      expect(comparison.differenceCi95[0]).toBeLessThanOrEqual(comparison.difference);
      expect(comparison.resolved).toBe((comparison.differenceCi95[0] > 0 || comparison.differenceCi95[1] < 0) && comparison.mcnemarPHolm < 0.05);
    }
    // the two ratios against r=0 are one family: Holm (by hand for m = 2) multiplies the smaller p by 2, the larger by 1, then takes the running maximum
    const [smaller, larger] = [...scores.comparisons].sort((x, y) => x.mcnemarP - y.mcnemarP);
    expect(smaller!.mcnemarPHolm).toBeCloseTo(Math.min(1, 2 * smaller!.mcnemarP), 12);
    expect(larger!.mcnemarPHolm).toBeCloseTo(Math.max(smaller!.mcnemarPHolm, larger!.mcnemarP), 12);
    const sweep = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { protocol: string; pipeline: string; points: { ratio: number; pairAccuracyCi95: [number, number] }[] };
    expect(sweep.protocol).toBe('per-ratio');
    expect(sweep.pipeline).toBe(join(configs, 'amof-{r}.json'));
    expect(sweep.points.map((p) => p.ratio)).toEqual([0, 0.5, 1]);
    expect((await readdir(out)).sort()).toEqual(['.mmvp-run.json', 'answers.jsonl', 'mllm-scores.json', 'run.json', 'sweep-journal.jsonl', 'sweep.json']); // the lock is gone, no scratch left; the journal stays for --resume
    await renderResults(await readResults(out)); // what `mmvp report` renders
  });

  /** A per-ratio sweep expected to fail before any model is loaded and before anything is written. */
  async function expectRefused(pipeline: string, ratiosText: string, message: RegExp): Promise<void> {
    const out = join(scratch, `refused-${Math.random().toString(36).slice(2)}`);
    await takeCounts();
    await expect(runSweep({ pipeline, ratios: ratiosText, data: join(scratch, 'data'), out })).rejects.toThrow(message);
    expect(await readdir(out).catch(() => [])).toEqual([]);
    expect(await takeCounts()).toMatchObject({ calls: 0 });
  }

  it('refuses configs whose encoders differ, naming both configs and what differs, before any model is loaded', async () => {
    const bad = join(scratch, 'bad-encoders');
    await mkdir(bad, { recursive: true });
    const template = join(bad, 'amof-{r}.json');
    // r=0.5's config taps CLIP layer -1 instead of -2
    for (const ratio of ['0', '0.5']) {
      await writeConfig(ratio, (config) => {
        if (ratio === '0.5') config.encoders.clip.tap = { kind: 'layer', layer: -1 };
      });
      await rename(join(configs, `amof-${ratio}.json`), join(bad, `amof-${ratio}.json`));
    }
    await expectRefused(
      template,
      '0,0.5',
      new RegExp(`per-ratio sweep: the encoders of ${join(bad, 'amof-0.json')} and ${join(bad, 'amof-0.5.json')} differ: encoders\\.clip\\.tap \\{"kind":"layer","layer":-2\\} vs \\{"kind":"layer","layer":-1\\}\\. `),
    );
    // r=0.5's SSL model is a copy of tiny-ssl whose config.json differs by one byte
    const ssl = join(bad, 'tiny-ssl-copy');
    await cp(join(zoo, 'tiny-ssl'), ssl, { recursive: true, filter: (source) => !source.includes('.mmvp-cache') });
    await writeFile(join(ssl, 'config.json'), `${await readFile(join(ssl, 'config.json'), 'utf8')} `);
    await writeConfig('0.5', (config) => {
      config.encoders.dino.model = ssl;
    });
    await rename(join(configs, 'amof-0.5.json'), join(bad, 'amof-0.5.json'));
    await expectRefused(
      template,
      '0,0.5',
      /per-ratio sweep: the encoders of \S+amof-0\.json and \S+amof-0\.5\.json differ: encoders\.dino\.model files differ \(\S+tiny-ssl vs \S+tiny-ssl-copy: config\.json sha256 [0-9a-f]{12} vs sha256 [0-9a-f]{12}\)\. Each image is encoded once/,
    );
    for (const ratio of ratios) await writeConfig(ratio); // restore
  });

  it('refuses a ratio without a config file ({r} as written: 0.50 is not 0.5), before any model is loaded', async () => {
    const template = join(configs, 'amof-{r}.json');
    await expectRefused(template, '0,0.25', new RegExp(`r=0\\.25 has no config file: ${join(configs, 'amof-0.25.json').replace(/\./g, '\\.')} does not exist`));
    await expectRefused(template, '0,0.50', /r=0\.50 has no config file: \S+amof-0\.50\.json does not exist/);
  });
});
