import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedisServer, type LocalRedisServer } from '@mmvp/study/testing';
import { runCli } from './helpers/run-cli';
import { answerLines, startCli, startWorkerProcess, until, type Background } from './helpers/distributed';

// A distributed pope run (coordinator + `mmvp worker` processes on a real redis-server) must write
// what `mmvp pope` without --queue writes.
const pngs = fileURLToPath(new URL('../../../packages/metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/', import.meta.url));
const tinyPipeline = fileURLToPath(new URL('../../../configs/pipelines/tiny-clip.json', import.meta.url));
const OBJECTS = ['cat', 'dog', 'bus', 'car', 'cup', 'kite', 'tree', 'sign', 'bird', 'boat'];

/** A POPE folder as released: coco_pope_<split>.json (JSON lines) + val2014/ images (small real PNGs). */
async function popeFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'val2014'), { recursive: true });
  const folder = (await readdir(pngs)).sort()[0]!;
  const sources = (await readdir(join(pngs, folder))).sort().slice(0, 3);
  for (const [i, source] of sources.entries()) await cp(join(pngs, folder, source), join(dir, 'val2014', `COCO_val2014_00000000000${i + 1}.png`));
  for (const [s, split] of ['random', 'popular', 'adversarial'].entries()) {
    const lines = OBJECTS.map((object, i) =>
      JSON.stringify({ question_id: i + 1, image: `COCO_val2014_00000000000${((i + s) % 3) + 1}.png`, text: `Is there a ${object} in the image?`, label: (i + s) % 2 === 0 ? 'yes' : 'no' }),
    );
    await writeFile(join(dir, `coco_pope_${split}.json`), lines.join('\n') + '\n');
  }
}

/** pope-scores.json without the time and the run folder's paths. */
async function comparablePopeScores(folder: string): Promise<unknown> {
  const json = JSON.parse((await readFile(join(folder, 'pope-scores.json'), 'utf8')).split(folder).join('<out>')) as { provenance: Record<string, unknown> };
  delete json.provenance['createdAt'];
  return json;
}

let scratch: string;
let data: string;
let reference: string;
let server: LocalRedisServer;
const processes: Background[] = [];
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-distributed-pope-'));
  data = join(scratch, 'pope');
  await popeFolder(data);
  reference = join(scratch, 'one-process');
  const result = await runCli(['pope', '--pipeline', tinyPipeline, '--data', data, '--out', reference]);
  expect(result.code, result.stderr).toBe(0);
  server = await startLocalRedisServer();
}, 120_000);
afterAll(async () => {
  await Promise.allSettled(processes.map((process) => process.stop('SIGKILL')));
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp pope --queue with mmvp worker processes on a real redis-server', () => {
  it('2 workers write the same pope-answers.jsonl and scores as the one-process run; --resume after a killed coordinator completes it', async () => {
    const workers = [startWorkerProcess(server.url), startWorkerProcess(server.url)];
    processes.push(...workers);
    const out = join(scratch, 'distributed');
    const run = (extra: string[] = []) => {
      const started = startCli(['pope', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--queue', server.url, '--shard-size', '3', ...extra]);
      processes.push(started);
      return started;
    };
    const first = run();
    await until(async () => (await answerLines(join(out, 'pope-answers.jsonl'))).length >= 3, 'a job is committed');
    await first.stop('SIGKILL');
    const resumed = run(['--resume']);
    expect((await resumed.exited).code, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toMatch(/10 job\(s\): [1-9]\d* already committed/);
    expect(await readFile(join(out, 'pope-answers.jsonl'), 'utf8')).toBe(await readFile(join(reference, 'pope-answers.jsonl'), 'utf8'));
    expect(await comparablePopeScores(out)).toEqual(await comparablePopeScores(reference));
  }, 180_000);
});
