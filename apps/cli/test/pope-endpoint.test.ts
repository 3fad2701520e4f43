import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { servePipeline, type RunningServer } from '@mmvp/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli';

const PIPELINE = fileURLToPath(new URL('../../../models/zoo/llava-clip/pipeline.json', import.meta.url));
const pngs = fileURLToPath(new URL('../../../packages/metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/', import.meta.url));
const KEY_ENV = 'MMVP_CLI_POPE_ENDPOINT_KEY';
const key = `sk-cli-pope-${randomBytes(10).toString('hex')}`;
const OBJECTS = ['cat', 'dog', 'bus', 'car', 'cup'];

let scratch: string;
let data: string;
let server: RunningServer;

async function answerTexts(out: string): Promise<string[]> {
  return (await readFile(join(out, 'pope-answers.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => ((answer) => `${answer.category}:${answer.question_id} ${answer.text}`)(JSON.parse(line) as { category: string; question_id: number; text: string }));
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-pope-endpoint-'));
  data = join(scratch, 'pope');
  await mkdir(join(data, 'val2014'), { recursive: true });
  const folder = (await readdir(pngs)).sort()[0]!;
  const sources = (await readdir(join(pngs, folder))).sort().slice(0, 3);
  for (const [i, source] of sources.entries()) await cp(join(pngs, folder, source), join(data, 'val2014', `COCO_val2014_00000000000${i + 1}.png`));
  for (const [s, split] of ['random', 'popular'].entries()) {
    const lines = OBJECTS.map((object, i) =>
      JSON.stringify({ question_id: i + 1, image: `COCO_val2014_00000000000${((i + s) % 3) + 1}.png`, text: `Is there a ${object} in the image?`, label: (i + s) % 2 === 0 ? 'yes' : 'no' }),
    );
    await writeFile(join(data, `coco_pope_${split}.json`), `${lines.join('\n')}\n`);
  }
  process.env[KEY_ENV] = key;
  server = await servePipeline({ pipeline: PIPELINE, port: 0, apiKeyEnv: KEY_ENV });
});

afterAll(async () => {
  await server?.close();
  delete process.env[KEY_ENV];
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp pope --endpoint', () => {
  it('gives the answers and scores of mmvp pope --pipeline (greedy) through mmvp serve; the key is written nowhere', async () => {
    const inProcess = await runCli(['pope', '--pipeline', PIPELINE, '--data', data, '--out', join(scratch, 'in-process'), '--json']);
    expect(inProcess.code, inProcess.stderr).toBe(0);
    const out = join(scratch, 'endpoint');
    const served = await runCli(['pope', '--endpoint', server.url, '--endpoint-model', server.modelId, '--api-key-env', KEY_ENV, '--data', data, '--out', out, '--json'], { env: { [KEY_ENV]: key } });
    expect(served.code, served.stderr).toBe(0);
    expect(await answerTexts(out)).toEqual(await answerTexts(join(scratch, 'in-process')));
    const scores = (text: string) => (JSON.parse(text) as { splits: { questionsFile: string }[] }).splits.map(({ questionsFile: _, ...split }) => split);
    expect(scores(served.stdout)).toEqual(scores(inProcess.stdout));
    expect(served.stderr).toMatch(/endpoint http:\/\/127\.0\.0\.1:\d+\/v1, model /);
    for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8'), name).not.toContain(key);
    expect(served.stderr + served.stdout).not.toContain(key);
  });

  // credentials in the endpoint URL of a --queue run are refused by the library (packages/study/src/queue/endpoint-queue.test.ts)
  it('needs exactly one of --pipeline and --endpoint, in one line', async () => {
    const both = await runCli(['pope', '--pipeline', PIPELINE, '--endpoint', server.url, '--endpoint-model', server.modelId, '--data', data, '--out', join(scratch, 'both')]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/give either --pipeline CFG or --endpoint URL --endpoint-model NAME/);
  });
});
