/**
 * Issue #13's property: for eval-mllm, sweep, mine and pope, a run killed at a random point
 * (SIGKILL, or SIGINT) and then resumed leaves the same files as an uninterrupted run, byte for byte
 * once timestamps and the folder's own path are set aside; and two runs started into one folder at
 * once always leave exactly one run's complete results; a second workflow into a finished folder is
 * refused and leaves every byte of the first, a Redis restarted empty ends in a completed run or a
 * one-line failure in bounded time, and a config naming code outside its folder runs nothing (#31). Kill points are drawn from a seeded
 * generator and placed by progress (lines or shards on disk), never by time.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@mmvp/core';
import { startLocalRedisServer } from '@mmvp/study/testing';
import { startCli, startWorkerProcess } from './helpers/distributed';
import { cliPath, mmvp } from './helpers/run-cli';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const tinyPipeline = join(repo, 'configs/pipelines/tiny-clip.json');
const zooRatio = join(repo, 'models/zoo/llava-amof-{r}/pipeline.json');

/** Seeded, so the kill points are the same on every run of the suite. */
const random = seededRandom;

interface Workflow {
  readonly name: string;
  /** The command line for a run into `out` (`resume` adds the flag). */
  args(out: string, resume: boolean): string[];
  /** Progress on disk: answers written, shards stored. */
  progress(out: string): Promise<number>;
  /** The count an uninterrupted run ends with. */
  total: number;
}

async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else files.push(path);
  }
  return files;
}

/** Keys whose values are clocks, durations or process details: set aside in the comparison. */
const VOLATILE_KEYS = new Set(['createdAt', 'startedAt', 'finishedAt', 'updatedAt', 'timings', 'seconds', 'pid', 'host']);
const isVolatile = (key: string) => VOLATILE_KEYS.has(key) || key.endsWith('Seconds');
/** Files that hold durations: a manifest's size and hash of them change with the clock too. */
const TIMED_FILES = new Set(['summary.json']);

function normalize(text: string, out: string): string {
  const withoutPath = text.split(out).join('<OUT>');
  try {
    const strip = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(strip);
      if (value === null || typeof value !== 'object') return value;
      const timedFile = TIMED_FILES.has(String((value as { name?: unknown }).name));
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => !isVolatile(key) && !(timedFile && (key === 'sha256' || key === 'bytes')))
          .map(([key, v]) => [key, strip(v)]),
      );
    };
    return JSON.stringify(strip(JSON.parse(withoutPath)));
  } catch {
    return withoutPath; // not JSON: compared as text (JSONL, CSV, Markdown, binary)
  }
}

/** Every result file of a folder, normalised, by relative path (the lock file must be gone). */
async function snapshot(out: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of (await listFiles(out)).sort()) {
    const name = relative(out, file);
    if (name.endsWith('.png') || name.endsWith('.html')) {
      files.set(name, (await readFile(file)).toString('base64'));
      continue;
    }
    files.set(name, normalize(await readFile(file, 'utf8'), out));
  }
  return files;
}

function run(args: readonly string[]): { done: Promise<{ code: number | null; signal: string | null; stderr: string }>; kill(signal: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { done, kill: (signal) => child.kill(signal) };
}

/** Starts a run, kills it once `progress` reaches `at` (or lets it finish), then resumes until it exits 0. */
async function killAndResume(workflow: Workflow, out: string, at: number, signal: NodeJS.Signals): Promise<{ killed: boolean; resumes: number }> {
  const child = run(workflow.args(out, false));
  let exited = false;
  void child.done.then(() => (exited = true));
  while (!exited && (await workflow.progress(out)) < at) await new Promise((resolve) => setTimeout(resolve, 10));
  const killed = !exited;
  if (killed) child.kill(signal);
  const first = await child.done;
  if (!killed) expect(first.code, first.stderr).toBe(0);
  let resumes = 0;
  for (;;) {
    const resumed = await mmvp(...workflow.args(out, true));
    resumes++;
    if (resumed.code === 0) break;
    expect(resumes, `resume ${resumes} of ${workflow.name} failed: ${resumed.stderr}`).toBeLessThan(3);
  }
  return { killed, resumes };
}

let scratch: string;
let workflows: Workflow[];
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-kill-resume-'));
  const data = join(scratch, 'synth');
  const synth = await mmvp('synth', '--out', data, '--pairs-per-pattern', '2', '--size', '64', '--image-format', 'png', '--no-contact-sheets');
  expect(synth.code, synth.stderr).toBe(0);
  // a POPE folder as released, on the synth images
  const pope = join(scratch, 'pope');
  await mkdir(join(pope, 'val2014'), { recursive: true });
  const images = (await readdir(join(data, 'MMVP', 'MMVP Images'))).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10)).slice(0, 6);
  for (const [i, image] of images.entries()) await cp(join(data, 'MMVP', 'MMVP Images', image), join(pope, 'val2014', `COCO_val2014_${String(i + 1).padStart(12, '0')}.png`));
  for (const [s, split] of ['random', 'popular', 'adversarial'].entries()) {
    const lines = ['dog', 'cat', 'car', 'cup', 'tree', 'bird'].map((object, i) =>
      JSON.stringify({ question_id: i + 1, image: `COCO_val2014_${String(((i + s) % 6) + 1).padStart(12, '0')}.png`, text: `Is there a ${object} in the image?`, label: (i + s) % 2 === 0 ? 'yes' : 'no' }),
    );
    await writeFile(join(pope, `coco_pope_${split}.json`), `${lines.join('\n')}\n`);
  }
  const imagesDir = join(data, 'MMVP', 'MMVP Images');
  workflows = [
    {
      name: 'eval-mllm',
      args: (out, resume) => ['eval-mllm', '--pipeline', tinyPipeline, '--data', join(data, 'MMVP'), '--out', out, ...(resume ? ['--resume'] : [])],
      progress: (out) => lineCount(join(out, 'answers.jsonl')),
      total: 36,
    },
    {
      name: 'sweep',
      args: (out, resume) => ['sweep', '--pipeline', zooRatio, '--ratios', '0,1', '--data', data, '--out', out, '--batch-size', '2', ...(resume ? ['--resume'] : [])],
      progress: async (out) => Math.max(0, (await lineCount(join(out, 'sweep-journal.jsonl'))) - 1),
      total: 72,
    },
    {
      name: 'mine',
      args: (out, resume) => [
        'mine',
        '--clip',
        join(repo, 'models/zoo/tiny-clip'),
        '--dino',
        join(repo, 'models/zoo/tiny-ssl'),
        '--images',
        imagesDir,
        '--out',
        out,
        '--shard-size',
        '8',
        '--batch-size',
        '4',
        '--workers',
        '0',
        ...(resume ? ['--resume'] : []),
      ],
      progress: async (out) => (await listFiles(join(out, 'store'))).filter((file) => file.endsWith('.npy')).length,
      total: 10, // 36 images in shards of 8: 5 shards, a CLIP and a DINOv2 .npy each
    },
    {
      name: 'pope',
      args: (out, resume) => ['pope', '--pipeline', tinyPipeline, '--data', pope, '--out', out, ...(resume ? ['--resume'] : [])],
      progress: (out) => lineCount(join(out, 'pope-answers.jsonl')),
      total: 18,
    },
  ];
}, 120_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('killed at random points and resumed, every workflow leaves the uninterrupted run’s files', () => {
  for (const [index, name] of ['eval-mllm', 'sweep', 'mine', 'pope'].entries()) {
    it(`${name}: SIGKILL and SIGINT at seeded progress points`, async () => {
      const workflow = workflows.find((w) => w.name === name)!;
      const reference = join(scratch, `${name}-reference`);
      const clean = await mmvp(...workflow.args(reference, false));
      expect(clean.code, clean.stderr).toBe(0);
      // the normaliser sets aside only what differs between two clean runs (clocks, the folder path)
      const twin = join(scratch, `${name}-twin`);
      expect((await mmvp(...workflow.args(twin, false))).code).toBe(0);
      const expected = await snapshot(reference);
      expect(await snapshot(twin)).toEqual(expected);
      expect(expected.size).toBeGreaterThan(2);

      const draw = random(2024 + index);
      let killedRuns = 0;
      for (const signal of ['SIGKILL', 'SIGINT', 'SIGKILL'] as const) {
        const at = 1 + Math.floor(draw() * (workflow.total - 1)); // somewhere strictly inside the run
        const out = join(scratch, `${name}-${signal}-${at}`);
        const { killed } = await killAndResume(workflow, out, at, signal);
        if (killed) killedRuns++;
        await expect(stat(join(out, '.mmvp-lock'))).rejects.toThrow(); // no lock left behind
        expect(await snapshot(out), `${name} killed (${signal}) at progress ${at}`).toEqual(expected);
      }
      expect(killedRuns, 'at least one run was actually interrupted').toBeGreaterThan(0);
    }, 300_000);
  }
});

describe('two runs started into one folder at once', () => {
  for (const name of ['eval-mllm', 'sweep', 'mine', 'pope']) {
    it(`${name}: exactly one run's complete results remain; the other is refused by the lock`, async () => {
      const workflow = workflows.find((w) => w.name === name)!;
      const expected = await snapshot(join(scratch, `${name}-reference`));
      const out = join(scratch, `${name}-concurrent`);
      const [a, b] = await Promise.all([run(workflow.args(out, false)).done, run(workflow.args(out, false)).done]);
      const outcomes = [a, b].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
      expect(outcomes[0]!.code, outcomes[0]!.stderr).toBe(0);
      // the other either met the lock, or (started after the first finished) found the finished run and refused to overwrite it
      expect(outcomes[1]!.code).toBe(1);
      expect(outcomes[1]!.stderr).toMatch(/RunFolderLockedError|already has|holds the answers|--resume|already exists/);
      expect(await snapshot(out)).toEqual(expected);
    }, 120_000);
  }
});

/** Every file of a folder, raw bytes (base64), by relative path. */
async function rawBytes(out: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of (await listFiles(out)).sort()) files.set(relative(out, file), (await readFile(file)).toString('base64'));
  return files;
}

describe('a second workflow into a finished folder (#31.1, #31.2)', () => {
  it("is refused in one line naming the folder's workflow, and every byte of the first run stays", async () => {
    for (const owner of ['eval-mllm', 'sweep', 'mine', 'pope']) {
      const folder = join(scratch, `${owner}-reference`);
      await stat(folder).catch(async () => expect((await mmvp(...workflows.find((w) => w.name === owner)!.args(folder, false))).code).toBe(0));
      const before = await rawBytes(folder);
      for (const other of workflows.filter((w) => w.name !== owner)) {
        for (const resume of [false, true]) {
          const second = await mmvp(...other.args(folder, resume));
          expect(second.code, `${other.name} into a ${owner} folder: ${second.stderr}`).toBe(1);
          expect(second.stderr.trim().split('\n'), second.stderr).toHaveLength(1);
          expect(second.stderr).toContain(`--out ${folder} holds ${owner === 'eval-mllm' ? 'an' : 'a'} ${owner} run`);
          expect(second.stderr).toContain('choose another --out');
          expect(await rawBytes(folder), `${other.name}${resume ? ' --resume' : ''} into a ${owner} folder`).toEqual(before);
        }
      }
    }
  }, 300_000);
});

describe('a Redis restarted empty mid-run (#31.6)', () => {
  it('ends in a completed run (the lost jobs enqueued again) or a one-line failure, within a bounded time', async () => {
    const server = await startLocalRedisServer(); // no AOF: Redis's default, a restart loses every job
    const out = join(scratch, 'eval-mllm-redis-empty');
    const worker = startWorkerProcess(server.url);
    const coordinator = startCli([...workflows.find((w) => w.name === 'eval-mllm')!.args(out, false), '--queue', server.url, '--shard-size', '2']);
    try {
      while ((await lineCount(join(out, 'answers.jsonl'))) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await server.start();
      const bound = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 120_000));
      const ended = await Promise.race([coordinator.exited, bound]);
      expect(ended, coordinator.stderr()).not.toBe('timeout');
      const { code } = ended as { code: number | null };
      if (code === 0) {
        expect(await readFile(join(out, 'answers.jsonl'), 'utf8')).toBe(await readFile(join(scratch, 'eval-mllm-reference', 'answers.jsonl'), 'utf8').catch(() => readFile(join(out, 'answers.jsonl'), 'utf8')));
        expect(await lineCount(join(out, 'answers.jsonl'))).toBe(36);
      } else {
        expect(coordinator.stderr().trim().split('\n').at(-1)).toMatch(/--resume/);
      }
    } finally {
      await coordinator.stop();
      await worker.stop();
      await server.stop();
    }
  }, 180_000);
});

describe("a config's `use` runs no code unless it is an installed package or a file inside the config folder (#31.9)", () => {
  /** Configs whose encoder `use` points at a module that writes `marker`, in the four refused forms. */
  async function evilConfigs(name: string) {
    const root = join(scratch, name);
    const configs = join(root, 'configs');
    await mkdir(configs, { recursive: true });
    const marker = join(root, 'marker');
    const source = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`;
    const evil = join(root, 'evil.mjs');
    await writeFile(evil, source);
    const base = JSON.parse(await readFile(tinyPipeline, 'utf8')) as { encoders: { clip: Record<string, unknown> }; adapters: { clip: { weights: string } }; decoder: { modelPath: string } };
    base.encoders.clip['model'] = join(repo, 'models/tiny-clip');
    base.adapters.clip.weights = join(dirname(tinyPipeline), base.adapters.clip.weights);
    base.decoder.modelPath = join(dirname(tinyPipeline), base.decoder.modelPath);
    const uses = [`data:text/javascript,${encodeURIComponent(source)}`, evil, '../evil.mjs', pathToFileURL(evil).href];
    const paths: string[] = [];
    for (const [index, use] of uses.entries()) {
      const path = join(configs, `evil-${index}.json`);
      await writeFile(path, JSON.stringify({ ...base, encoders: { clip: { ...base.encoders.clip, use } } }));
      paths.push(path);
    }
    return { marker, paths, uses, evil, configs };
  }

  it('in one process: eval-mllm, pope and ask refuse each form in one line; the marker stays absent', async () => {
    const { marker, paths } = await evilConfigs('evil-one-process');
    for (const path of paths) {
      for (const args of [
        ['eval-mllm', '--pipeline', path, '--data', join(scratch, 'synth', 'MMVP'), '--out', join(scratch, 'evil-out')],
        ['pope', '--pipeline', path, '--data', join(scratch, 'pope'), '--out', join(scratch, 'evil-out')],
        ['ask', '--pipeline', path, '--image', join(scratch, 'pope', 'val2014', 'COCO_val2014_000000000001.png'), '--question', 'Is there a dog?'],
      ]) {
        const result = await mmvp(...args);
        expect(result.code, `${args[0]} ${path}: ${result.stderr}`).toBe(1);
        expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
        expect(result.stderr).toMatch(/encoders\.clip\.use: (component '.*' refused|'.*' is an absolute path)/);
      }
    }
    await expect(stat(marker)).rejects.toThrow();
  }, 120_000);

  it('on a worker: jobs written straight into Redis that name such a module are refused; the marker stays absent', async () => {
    const { marker, uses, configs } = await evilConfigs('evil-worker');
    const server = await startLocalRedisServer();
    const worker = startWorkerProcess(server.url, ['--queue-name', 'evil']);

    const queue = new Queue('evil', { connection: { host: '127.0.0.1', port: server.port } });
    try {
      await worker.waitFor(/waiting for jobs on queue 'evil'/, 30_000);
      for (const [shard, use] of uses.entries()) {
        const config = { configFolder: configs, encoders: { clip: { use, model: configs } }, adapters: {}, strategy: { name: 'clip' } };
        await queue.add(
          'eval-mllm',
          { kind: 'eval-mllm', runId: 'attack', shard, pipeline: { config, modelsRoot: configs, modelFiles: [], modelFilesSha256: '' }, dataRoot: configs, questions: [] },
          { jobId: `attack-${shard}` },
        );
      }
      for (const shard of uses.keys()) await worker.waitFor(new RegExp(`refused attack-${shard}: the job's encoders\\.clip\\.use: component '.*' refused`), 30_000);
      expect(worker.stderr()).not.toMatch(/done in|failed:/);
    } finally {
      await queue.close();
      await worker.stop();
      await server.stop();
    }
    await expect(stat(marker)).rejects.toThrow();
  }, 120_000);
});

describe("every workflow's results folder renders with mmvp report (#13.13)", () => {
  it('eval-mllm, sweep, mine, pope and eval-vlm folders each give their section', async () => {
    const expectedSection: Record<string, string> = { 'eval-mllm': 'mllm', sweep: 'sweep', mine: 'blind-pairs', pope: 'pope' };
    const folders = Object.keys(expectedSection).map((name) => [name, join(scratch, `${name}-reference`)] as const);
    const vlm = join(scratch, 'eval-vlm');
    const evaluated = await mmvp('eval-vlm', '--model', join(repo, 'models/zoo/tiny-clip'), '--data', join(scratch, 'synth', 'MMVP_VLM'), '--out', vlm);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expectedSection['eval-vlm'] = 'vlm';
    for (const [name, folder] of [...folders, ['eval-vlm', vlm] as const]) {
      await stat(folder).catch(async () => expect((await mmvp(...workflows.find((w) => w.name === name)!.args(folder, false))).code).toBe(0));
      const report = await mmvp('report', folder);
      expect(report.code, `${name}: ${report.stderr}`).toBe(0);
      const html = await readFile(join(folder, 'report.html'), 'utf8');
      expect(html, name).toContain(`<section id="${expectedSection[name]}"`);
    }
  }, 180_000);
});
