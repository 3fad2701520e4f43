import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClipVisionEncoder } from '@mmvp/encoder-clip';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import { readNpyFloat32 } from '@mmvp/core';
import { decodeModel, encodeModel } from '@mmvp/onnx';
import { completeMineCommit, readMineOutputs } from '@mmvp/study';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCollection, makeNoiseImages } from '../../../packages/mining/src/__fixtures__/make-collection';
import { cliPath as cli, runCli } from './helpers/run-cli';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const clipModel = join(repo, 'models/tiny-clip');
const dinoModel = join(repo, 'models/tiny-dinov2');
// The tiny fixture encoders have random weights: no pair reaches the paper's CLIP > 0.95 with
// DINOv2 < 0.6 on these images, so the tests use looser thresholds that still cut the pair list
// on both sides (some pairs fail each test), which is what exercises the filter.
const clipMin = '0.5';
const dinoMax = '0.95';

let root: string;

/** `mmvp mine` with the tiny encoders, in a child process the test awaits (a synchronous spawn would block vitest's worker RPC). */
async function mine(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const result = await runCli(['mine', '--clip', clipModel, '--dino', dinoModel, ...args]);
  return { status: result.code, stdout: result.stdout, stderr: result.stderr };
}

function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
}

async function storeFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = { manifest: await readFile(join(dir, 'manifest.json'), 'utf8') };
  for (const name of (await readdir(join(dir, 'shards'))).sort()) out[name] = (await readFile(join(dir, 'shards', name))).toString('base64');
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmvp-mine-cli-'));
  await makeCollection(join(root, 'images'));
  await makeNoiseImages(join(root, 'noise'), 40);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mmvp mine (built CLI, tiny CLIP and DINOv2)', () => {
  it('reports exactly the pairs that pass both thresholds when every pair is re-embedded with the encoders directly', async () => {
    const out = join(root, 'out-exact');
    const run = await mine(['--images', join(root, 'images'), '--out', out, '--clip-min', clipMin, '--dino-max', dinoMax, '--k', '20', '--shard-size', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/CLIP {3}tiny-clip \(onnx\/vision_model\.onnx sha256 [0-9a-f]{12}, image_embeds/);
    expect(run.stderr).toMatch(/images\/s, ETA/);
    const pairs = parseCsv(await readFile(join(out, 'pairs.csv'), 'utf8'));
    const errors = parseCsv(await readFile(join(out, 'errors.csv'), 'utf8'));
    expect(errors.map((row) => row[0]!.split('/').pop()).sort()).toEqual(['broken.png', 'truncated.jpg']);
    const duplicates = parseCsv(await readFile(join(out, 'duplicates.csv'), 'utf8'));
    expect(duplicates.map((row) => row.map((p) => p.split('/').pop()))).toEqual([['rb.png', 'copy-of-rb.png']]);
    expect(await readFile(join(out, 'contact-sheet.png')).then((b) => b.subarray(1, 4).toString())).toBe('PNG');

    // independent check: embed every distinct readable image again, compare all pairs
    const clip = await createClipVisionEncoder({ modelPath: clipModel });
    const dino = await createDinov2Encoder({ modelPath: dinoModel });
    const images = (await readdir(join(root, 'images'), { recursive: true }))
      .filter((name) => /\.(png|jpg)$/.test(name) && !/broken|truncated|^rb\.png$/.test(name))
      .map((name) => join(root, 'images', name))
      .sort();
    const c = await clip.embedPixels(await clip.preprocess(images)); // [N, Ec]
    const d = await dino.embedPixels(await dino.preprocess(images)); // [N, Ed]
    const ec = c.dims[1]!;
    const ed = d.dims[1]!;
    const expected = new Map<string, [number, number]>();
    let failClip = 0;
    let failDino = 0;
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) {
        const cc = cosine(c.data.subarray(i * ec, (i + 1) * ec), c.data.subarray(j * ec, (j + 1) * ec));
        const dd = cosine(d.data.subarray(i * ed, (i + 1) * ed), d.data.subarray(j * ed, (j + 1) * ed));
        if (!(cc > Number(clipMin))) failClip++;
        else if (!(dd < Number(dinoMax))) failDino++;
        else expected.set([images[i]!, images[j]!].sort().join(' + '), [cc, dd]);
      }
    }
    expect(failClip).toBeGreaterThan(0); // the thresholds do cut on both sides
    expect(failDino).toBeGreaterThan(0);
    expect(new Set(pairs.map((row) => [row[0]!, row[1]!].sort().join(' + ')))).toEqual(new Set(expected.keys()));
    for (const [a, b, clipCosine, dinoCosine, gap] of pairs) {
      const [cc, dd] = expected.get([a!, b!].sort().join(' + '))!;
      expect(Math.abs(Number(clipCosine) - cc)).toBeLessThan(1e-5);
      expect(Math.abs(Number(dinoCosine) - dd)).toBeLessThan(1e-5);
      expect(Number(gap)).toBeCloseTo(cc - dd, 5);
    }
    const gaps = pairs.map((row) => Number(row[4]));
    expect(gaps).toEqual([...gaps].sort((x, y) => y - x));
  });

  it('on an MMVP-Synth collection, the top pairs hold their cosines when re-embedded with mmvp embed --pooled', async () => {
    const synth = join(root, 'synth');
    const made = await runCli(['synth', '--out', synth, '--pairs-per-pattern', '2', '--size', '64', '--no-contact-sheets']);
    expect(made.code, made.stderr).toBe(0);
    const out = join(root, 'out-synth');
    // synthetic pairs differ in one small detail, so the tiny encoders rate most of them alike:
    // CLIP > 0.9 and DINOv2 < 0.98 keeps some pairs and drops others
    const run = await mine(['--images', join(synth, 'MMVP', 'MMVP Images'), '--out', out, '--clip-min', '0.9', '--dino-max', '0.98']);
    expect(run.status, run.stderr).toBe(0);
    const pairs = parseCsv(await readFile(join(out, 'pairs.csv'), 'utf8'));
    expect(pairs.length).toBeGreaterThan(0);
    const top = pairs.slice(0, 3);
    const images = [...new Set(top.flatMap((row) => [row[0]!, row[1]!]))];
    const embed = async (model: string, name: string) => {
      const file = join(root, `${name}.npy`);
      const result = await runCli(['embed', '--model', model, '--image', ...images, '--pooled', '--out', file]);
      expect(result.code, result.stderr).toBe(0);
      const { data, dims } = await readNpyFloat32(file); // [N, E]
      const width = dims[1]!;
      return (a: string, b: string) => {
        const i = images.indexOf(a);
        const j = images.indexOf(b);
        return cosine(data.subarray(i * width, (i + 1) * width), data.subarray(j * width, (j + 1) * width));
      };
    };
    const clipAgain = await embed(clipModel, 'clip-pairs');
    const dinoAgain = await embed(dinoModel, 'dino-pairs');
    for (const [a, b, clipCosine, dinoCosine] of top) {
      expect(clipAgain(a!, b!)).toBeGreaterThan(0.9);
      expect(dinoAgain(a!, b!)).toBeLessThan(0.98);
      expect(Math.abs(clipAgain(a!, b!) - Number(clipCosine))).toBeLessThan(1e-5);
      expect(Math.abs(dinoAgain(a!, b!) - Number(dinoCosine))).toBeLessThan(1e-5);
    }
  });

  it('exact and usearch give the same top pairs, and usearch prints its recall', async () => {
    const args = ['--images', join(root, 'images'), '--clip-min', clipMin, '--dino-max', dinoMax, '--k', '5'];
    const exact = await mine([...args, '--out', join(root, 'out-k5-exact')]);
    const approximate = await mine([...args, '--out', join(root, 'out-k5-usearch'), '--index', 'usearch']);
    expect(exact.status, exact.stderr).toBe(0);
    expect(approximate.status, approximate.stderr).toBe(0);
    expect(approximate.stderr).toMatch(/usearch recall@5 against exact search on 10 sampled queries: [01]\.\d{4}/);
    const top = async (dir: string) => parseCsv(await readFile(join(root, dir, 'pairs.csv'), 'utf8')).slice(0, 10);
    expect(await top('out-k5-usearch')).toEqual(await top('out-k5-exact'));
  });

  it('a run killed after some shards resumes to the same store and pairs as an uninterrupted run', async () => {
    const args = ['--images', join(root, 'noise'), '--clip-min', '0', '--dino-max', '1', '--shard-size', '4', '--batch-size', '2', '--workers', '1'];
    const whole = await mine([...args, '--out', join(root, 'noise-whole')]);
    expect(whole.status, whole.stderr).toBe(0);

    const out = join(root, 'noise-killed');
    const child = spawn(process.execPath, [cli, 'mine', '--clip', clipModel, '--dino', dinoModel, ...args, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/[2-9] shard\(s\) written/.test(stderr)) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(child.signalCode, stderr).toBe('SIGKILL');
    const manifest = JSON.parse(await readFile(join(out, 'store', 'manifest.json'), 'utf8')) as { shards: unknown[] };
    expect(manifest.shards.length).toBeGreaterThanOrEqual(2);
    expect(manifest.shards.length).toBeLessThan(10); // 40 images / 4 per shard: the run was cut short

    const refused = await mine([...args, '--out', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/already holds an embedding store; pass --resume/);

    const resumed = await mine([...args, '--out', out, '--resume']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`${manifest.shards.length * 4} already in the store`));
    expect(await storeFiles(join(out, 'store'))).toEqual(await storeFiles(join(root, 'noise-whole', 'store')));
    expect(await readFile(join(out, 'pairs.csv'), 'utf8')).toEqual(await readFile(join(root, 'noise-whole', 'pairs.csv'), 'utf8'));
  });

  it('refuses a store made with another model, naming both models', async () => {
    const other = join(root, 'other-dinov2');
    await cp(dinoModel, other, { recursive: true });
    const onnx = join(other, 'onnx', 'model.onnx');
    const model = decodeModel(await readFile(onnx));
    await writeFile(onnx, encodeModel({ ...model, producer_name: 'another export of the same graph' }));
    const run = await runCli(['mine', '--clip', clipModel, '--dino', other, '--images', join(root, 'images'), '--out', join(root, 'out-exact'), '--resume', '--clip-min', clipMin, '--dino-max', dinoMax]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /InvalidConfigError: embedding store .* was made with other models: 'dino' store has tiny-dinov2 \(onnx\/model\.onnx sha256 [0-9a-f]{12}.*this run has other-dinov2 \(onnx\/model\.onnx sha256 [0-9a-f]{12}.*differs in ONNX weights/,
    );
    expect(run.stderr).toMatch(/--rebuild/);
    const rebuilt = await runCli(['mine', '--clip', clipModel, '--dino', other, '--images', join(root, 'images'), '--out', join(root, 'out-exact'), '--rebuild', '--clip-min', clipMin, '--dino-max', dinoMax]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toMatch(/0 already in the store/);
  });

  it('rejects bad options with the valid choices', async () => {
    const run = await mine(['--images', join(root, 'images'), '--out', join(root, 'out-bad'), '--index', 'faiss']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--index 'faiss' is not a search index; valid choices: 'exact' or 'usearch'/);
    const threshold = await mine(['--images', join(root, 'images'), '--out', join(root, 'out-bad'), '--clip-min', '1.5']);
    expect(threshold.stderr).toMatch(/--clip-min must be a cosine between -1 and 1, got '1.5'/);
    const missing = await mine(['--images', join(root, 'nowhere'), '--out', join(root, 'out-bad')]);
    expect(missing.stderr).toMatch(/--images .*nowhere: no such folder or list file/);
  });

  it('a failed validation leaves no --out folder behind (m21), and --resume with --rebuild is an error (m16)', async () => {
    const out = join(root, 'out-never');
    for (const args of [
      ['--images', join(root, 'nowhere')],
      ['--images', join(root, 'images'), '--clip-min', 'x'],
      ['--images', join(root, 'images'), '--resume', '--rebuild'],
    ]) {
      const run = await mine([...args, '--out', out]);
      expect(run.status).toBe(1);
      await expect(stat(out)).rejects.toThrow(/ENOENT/);
    }
    const both = await mine(['--images', join(root, 'images'), '--out', out, '--resume', '--rebuild']);
    expect(both.stderr).toMatch(/^mmvp: InvalidArgumentError: --resume and --rebuild contradict each other/);
  });

  it('a second run into the same --out fails at once, naming the first (pid, command)', async () => {
    const out = join(root, 'out-locked');
    const first = spawn(
      process.execPath,
      [cli, 'mine', '--clip', clipModel, '--dino', dinoModel, '--images', join(root, 'noise'), '--out', out, '--workers', '0', '--batch-size', '1', '--shard-size', '1', '--clip-min', '0', '--dino-max', '1'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise((resolve) => first.once('exit', resolve));
    let stderr = '';
    await new Promise<void>((resolve) => {
      first.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // the store line is printed once the run holds --out; stop it there so it is surely mid-run
        if (/mine: store /.test(stderr)) {
          first.kill('SIGSTOP');
          resolve();
        }
      });
      void exited.then(() => resolve());
    });
    try {
      expect(first.exitCode, stderr).toBeNull(); // alive (stopped) and holding the folder
      const started = Date.now();
      const second = await runCli(['mine', '--clip', clipModel, '--dino', dinoModel, '--images', join(root, 'images'), '--out', out, '--resume']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`RunFolderLockedError: .*out-locked is in use by 'mine' \\(pid ${first.pid} on `));
      expect(Date.now() - started).toBeLessThan(60_000); // refused, not queued behind the first
    } finally {
      first.kill('SIGKILL');
      await exited;
    }
  });

  it('SIGKILL at random times during a rerun leaves the old complete result set or the new one', async () => {
    const setA = ['--clip-min', clipMin, '--dino-max', dinoMax];
    const setB = ['--clip-min', '0.7', '--dino-max', '0.99', '--contact-sheet', '0'];
    const base = ['--images', join(root, 'images'), '--workers', '0'];
    const reference = async (name: string, set: string[]) => {
      const started = Date.now();
      const run = await mine([...base, ...set, '--out', join(root, name)]);
      expect(run.status, run.stderr).toBe(0);
      return { pairs: await readFile(join(root, name, 'pairs.csv'), 'utf8'), ms: Date.now() - started };
    };
    const a = await reference('kill-ref-a', setA);
    const b = await reference('kill-ref-b', setB);
    expect(a.pairs).not.toEqual(b.pairs);
    const out = join(root, 'kill-rerun');
    expect((await mine([...base, ...setA, '--out', out])).status).toBe(0);
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const set = i % 2 === 0 ? setB : setA;
      const child = spawn(process.execPath, [cli, 'mine', '--clip', clipModel, '--dino', dinoModel, ...base, ...set, '--out', out, '--resume'], { stdio: 'ignore' });
      const delay = Math.random() * 1.1 * Math.max(a.ms, b.ms); // anywhere from start-up to past the commit
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      await new Promise((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      await completeMineCommit(out); // what the next run does first
      const read = await readMineOutputs(out); // every file matches the manifest
      const pairs = await readFile(read.paths['pairs.csv']!, 'utf8');
      const summary = JSON.parse(await readFile(read.paths['summary.json']!, 'utf8')) as { clipMin: number };
      const names = Object.keys(read.paths).sort();
      if (pairs === a.pairs) {
        expect(summary.clipMin).toBe(Number(clipMin));
        expect(names).toContain('contact-sheet.png');
        outcomes.push('A');
      } else {
        expect(pairs).toBe(b.pairs);
        expect(summary.clipMin).toBe(0.7);
        expect(names).not.toContain('contact-sheet.png');
        outcomes.push('B');
      }
      expect((await readdir(out)).filter((name) => name.startsWith('.mine-'))).toEqual([]);
    }
    const last = await mine([...base, ...setB, '--out', out, '--resume']);
    expect(last.status, last.stderr).toBe(0);
    expect(await readFile(join(out, 'pairs.csv'), 'utf8')).toBe(b.pairs);
    console.log(`killed reruns ended as: ${outcomes.join(' ')}`);
  }, 300_000);
});

describe('mmvp mine: a bad --out fails first', () => {
  it('--out onto a file or under a file fails in one line naming --out before any input or model is read', async () => {
    await expectOutFolderRefusedFirst('mine', (missing, out) => ['--clip', missing, '--dino', missing, '--images', missing, '--out', out]);
  });
});
