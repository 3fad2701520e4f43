import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMineOutputs } from '@mmvp/study';
import { completeMineCommit } from '@mmvp/study/queue';
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

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mmvp-mine-cli-'));
  await makeCollection(join(root, 'images'));
  await makeNoiseImages(join(root, 'noise'), 40);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mmvp mine (built CLI, tiny CLIP and DINOv2)', () => {
  // Which pairs are found (against the encoders run directly and against embedFeatures), exact against
  // usearch, and a store made with another model are checked on mineBlindPairs in
  // packages/study/src/mining/mine-against-encoders.test.ts; here, what the command prints and passes on.
  it('smoke: prints the models, progress and usearch recall, writes the results folder and prints pairs.csv', async () => {
    const out = join(root, 'out-smoke');
    const run = await mine(['--images', join(root, 'images'), '--out', out, '--clip-min', clipMin, '--dino-max', dinoMax, '--k', '5', '--index', 'usearch', '--shard-size', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/CLIP {3}tiny-clip \(onnx\/vision_model\.onnx sha256 [0-9a-f]{12}, image_embeds/);
    expect(run.stderr).toMatch(/images\/s, ETA/);
    expect(run.stderr).toMatch(/usearch recall@5 against exact search on 10 sampled queries: [01]\.\d{4}/);
    expect(run.stdout.trim()).toBe(join(out, 'pairs.csv'));
    const pairs = parseCsv(await readFile(join(out, 'pairs.csv'), 'utf8'));
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { pairs: number; clipMin: number; dinoMax: number; k: number; index: string };
    expect(summary).toMatchObject({ pairs: pairs.length, clipMin: Number(clipMin), dinoMax: Number(dinoMax), k: 5, index: 'usearch' });
    expect(run.stderr).toContain(`${pairs.length} CLIP-blind pair(s) -> ${join(out, 'pairs.csv')}`);
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

  it('rejects bad options with the valid choices', async () => {
    const run = await mine(['--images', join(root, 'images'), '--out', join(root, 'out-bad'), '--index', 'faiss']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--index 'faiss' is not valid; valid choices: 'exact' or 'usearch'/);
    const threshold = await mine(['--images', join(root, 'images'), '--out', join(root, 'out-bad'), '--clip-min', '1.5']);
    expect(threshold.stderr).toMatch(/--clip-min must be a number in \[-1, 1\], got '1.5'/);
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
    expect(both.stderr).toMatch(/^mmvp: InvalidArgumentError: mineBlindPairs options are invalid: .*resume and rebuild contradict each other/); // the schema of mineBlindPairs says it
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
