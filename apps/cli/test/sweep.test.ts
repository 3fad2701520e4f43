import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireRunFolderLock } from '@mmvp/results';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmvp } from './helpers/run-cli';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';
import { countingSweepConfigs, readSweepAnswers as readAnswers, writeProxyFolder, type CountingSweepConfigs } from '@mmvp/study/testing';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const amofConfig = join(repo, 'configs', 'pipelines', 'tiny-amof-0.75.json');

describe('mmvp sweep', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-sweep-'));
    const synth = await mmvp('synth', '--out', join(scratch, 'data'), '--size', '64', '--pairs-per-pattern', '1', '--seed', '3', '--no-contact-sheets', '--image-format', 'png');
    expect(synth.code).toBe(0);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  // That the sweep answers like one pipeline per ratio, and its proxy accuracy against the proxy set swept
  // as data, are checked on runSweep in packages/study/src/sweep/sweep-against-pipelines.test.ts; here,
  // what the command passes on and prints.
  it('smoke: --limit, --proxy-data and --proxy-limit are passed on; prints the ratio lines and the table; the folder renders', async () => {
    const proxy = join(scratch, 'proxy');
    await writeProxyFolder(proxy, join(scratch, 'data', 'MMVP', 'MMVP Images'));
    const out = join(scratch, 'out-proxy-limit');
    const result = await mmvp('sweep', '--pipeline', amofConfig, '--ratios', '0.75', '--data', join(scratch, 'data'), '--limit', '1', '--proxy-data', proxy, '--proxy-limit', '2', '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('encoded 6/6 images (once for all 1 ratios)'); // 2 of --data, 4 of the proxy set
    expect(result.stderr).toMatch(/r=0\.75: MMVP pair accuracy .*; proxy accuracy \d+\.\d% \(4 questions, 95% CI \[\d+\.\d, \d+\.\d\]\)/);
    expect(result.stdout).toContain('protocol fixed-adapter');
    expect(result.stdout.trim().split('\n').at(-1)).toBe(out);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { command: string };
    expect(run.command).toContain(`--proxy-data ${proxy} --proxy-limit 2`);
    const answers = await readAnswers(out);
    expect(answers.filter((a) => a.model === 'r=0.75').map((a) => a.question_id)).toEqual([1, 2]);
    expect(answers.filter((a) => a.model === 'r=0.75 [proxy]').map((a) => a.question_id)).toEqual([1, 2, 3, 4]);
    const report = await mmvp('report', out);
    expect(report.code).toBe(0);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('r=0.75 [proxy]');
  });

  // The proxy folder's checks (missing, no Questions.csv, no image folder) are proved on runSweep in
  // packages/study/src/sweep/run-sweep.test.ts; here, the flag name in the line and --proxy-limit's own rule.
  it('a missing --proxy-data folder fails in one line naming the flag, before anything is encoded; --proxy-limit needs --proxy-data', async () => {
    const data = join(scratch, 'data');
    const out = join(scratch, 'bad-proxy');
    const result = await mmvp('sweep', '--pipeline', amofConfig, '--data', data, '--proxy-data', join(scratch, 'no-such-proxy'), '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^mmvp: FileFormatError: --proxy-data \S*no-such-proxy: MMVP folder \S*no-such-proxy\/MMVP cannot be read .*expected a folder with Questions\.csv and 'MMVP Images\/'$/);
    expect(await readdir(out).catch(() => [])).toEqual([]); // not even the folder is created (m21)
    const limitAlone = await mmvp('sweep', '--pipeline', amofConfig, '--data', data, '--proxy-limit', '2', '--out', join(scratch, 'bad-proxy-limit'));
    expect(limitAlone.code).toBe(1);
    expect(limitAlone.stderr.trim()).toBe('mmvp: InvalidArgumentError: --proxy-limit needs --proxy-data');
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
    await expectOutFolderRefusedFirst('sweep', (missing, out) => ['--pipeline', join(missing, 'pipeline.json'), '--data', missing, '--out', out]);
  });
});

describe('mmvp sweep: the per-ratio protocol (one trained model per ratio, a --pipeline path with {r})', () => {
  const zoo = join(repo, 'models', 'zoo');
  const countingEncoder = fileURLToPath(new URL('./fixtures/counting-encoder.mjs', import.meta.url));
  let scratch: string;
  let configs: string;
  let counts: string;
  const ratios = ['0', '0.5', '1'];

  const counting = () => countingSweepConfigs({ zoo, configs, counts }); // configs and counts are set in beforeAll
  const writeConfig: CountingSweepConfigs['writeConfig'] = (ratio, change) => counting().writeConfig(ratio, change);
  const takeCounts = () => counting().takeCounts();

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-sweep-per-ratio-'));
    configs = join(scratch, 'configs');
    counts = join(scratch, 'encoded.txt');
    await mkdir(configs, { recursive: true });
    // the counting encoder beside the configs; its imports (zod, the encoders) resolve through the CLI's node_modules
    await copyFile(countingEncoder, join(configs, 'counting-encoder.mjs'));
    await symlink(join(repo, 'apps', 'cli', 'node_modules'), join(configs, 'node_modules'));
    const synth = await mmvp('synth', '--out', join(scratch, 'data'), '--size', '64', '--pairs-per-pattern', '1', '--seed', '3', '--no-contact-sheets', '--image-format', 'png');
    expect(synth.code).toBe(0);
    for (const ratio of ratios) await writeConfig(ratio);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  // That the per-ratio sweep answers exactly as separate eval-mllm runs, encoding each image once, is checked
  // on runSweep and evaluateMllm in packages/study/src/sweep/sweep-per-ratio.test.ts.

  /** Runs a sweep expected to fail in one line before any model is loaded and before anything is written. */
  async function expectRefused(args: string[], message: RegExp): Promise<void> {
    const out = join(scratch, `refused-${Math.random().toString(36).slice(2)}`);
    await takeCounts();
    const result = await mmvp('sweep', '--data', join(scratch, 'data'), '--out', out, ...args);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(await readdir(out).catch(() => [])).toEqual([]); // flag errors come before --out is even created
    expect(await takeCounts()).toMatchObject({ calls: 0 });
  }

  // A ratio without a config file and configs whose encoders differ are refused on runSweep
  // (packages/study/src/sweep/sweep-per-ratio.test.ts), a malformed ratio list on parseRatios (ratios.test.ts).
  it('refuses {r} without --ratios in one line before any model is loaded', async () => {
    await expectRefused(['--pipeline', join(configs, 'amof-{r}.json')], /^mmvp: InvalidArgumentError: --pipeline \S+amof-\{r\}\.json has \{r\} \(one config per ratio\), so --ratios is required/);
  });

  it('holds the run folder lock: a folder locked by another live run is refused before any model is loaded', async () => {
    const out = join(scratch, 'locked');
    const lock = await acquireRunFolderLock(out, 'eval-mllm');
    try {
      const result = await mmvp('sweep', '--pipeline', join(configs, 'amof-{r}.json'), '--ratios', '0,1', '--data', join(scratch, 'data'), '--out', out);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(new RegExp(`^mmvp: RunFolderLockedError: ${out} is in use by 'eval-mllm' \\(pid ${process.pid} on `));
      expect(result.stderr).not.toContain('sweep: encoded');
      expect((await readdir(out)).sort()).toEqual(['.mmvp-lock', '.mmvp-run.json']); // the holder's lock and claim; the sweep wrote nothing
    } finally {
      await lock.release();
    }
  });
});
