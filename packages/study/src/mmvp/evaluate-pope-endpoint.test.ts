import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePope } from './evaluate-pope';
import { startFakeChatEndpoint, type FakeChatEndpoint } from './fake-chat-endpoint';

const pngs = fileURLToPath(new URL('../../../metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/Orientation/', import.meta.url));
const KEY_ENV = 'MMVP_POPE_ENDPOINT_TEST_KEY';
const key = `sk-pope-endpoint-${randomBytes(8).toString('hex')}`;

/** What the fake endpoint says per object: a reply text, or a refusal / filtered / empty reply. */
const replies: Record<string, string> = { cat: 'Yes, there is a cat.', dog: 'No.', bus: 'REFUSE', car: 'Yes', cup: 'FILTER', fork: 'EMPTY' };
const asked: string[] = [];
let scratch: string;
let url: string;
let server: FakeChatEndpoint;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-pope-endpoint-'));
  server = await startFakeChatEndpoint({
    usage: { promptTokens: 10, completionTokens: 2 },
    reply: (request) => {
      const object = /Is there an? (\w+)/.exec(request.text)![1]!;
      asked.push(object);
      const said = replies[object]!;
      return said === 'REFUSE' ? { kind: 'refuse' } : said === 'FILTER' ? { kind: 'filter' } : said === 'EMPTY' ? { kind: 'empty' } : { kind: 'answer', text: said };
    },
  });
  url = server.url;
  process.env[KEY_ENV] = key;
});

afterAll(async () => {
  await server.close();
  delete process.env[KEY_ENV];
  await rm(scratch, { recursive: true, force: true });
});

describe('evaluatePope with an endpoint model (fake endpoint, hand-checked scores)', () => {
  it("scores the answered replies with LLaVA's rule and leaves refused, filtered and empty replies out as undetermined", async () => {
    const data = join(scratch, 'pope');
    await mkdir(join(data, 'val2014'), { recursive: true });
    await cp(join(pngs, (await readdir(pngs)).sort()[0]!), join(data, 'val2014', 'COCO_val2014_000000000001.png'));
    const rows = [
      ['cat', 'yes'], // TP
      ['dog', 'yes'], // FN
      ['bus', 'yes'], // refused: undetermined
      ['car', 'no'], // FP
      ['cup', 'no'], // filtered: undetermined ('' would read as yes)
      ['fork', 'no'], // empty: undetermined
    ];
    await writeFile(
      join(data, 'coco_pope_random.json'),
      rows.map(([object, label], i) => JSON.stringify({ question_id: i + 1, image: 'COCO_val2014_000000000001.png', text: `Is there a ${object} in the image?`, label })).join('\n'),
    );
    const out = join(scratch, 'out');
    const run = await evaluatePope({ endpoint: { url, model: 'fake', apiKeyEnv: KEY_ENV, maxConcurrency: 2 }, data, out });
    // determined: TP 1, FN 1, FP 1, TN 0 -> accuracy 1/3, precision 1/2, recall 1/2, yes-ratio 2/3
    expect(run.splits[0]).toMatchObject({ split: 'random', total: 3, truePositives: 1, falseNegatives: 1, falsePositives: 1, trueNegatives: 0, undetermined: 3, precision: 0.5, recall: 0.5 });
    expect(run.splits[0]!.accuracy).toBeCloseTo(1 / 3, 12);
    const answers = (await readFile(join(out, 'pope-answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(answers.map((answer) => [answer['question_id'], answer['endpoint_outcome']])).toEqual([
      [1, 'answered'],
      [2, 'answered'],
      [3, 'refused'],
      [4, 'answered'],
      [5, 'filtered'],
      [6, 'empty'],
    ]);
    expect(answers[0]!['prompt']).toBe('Is there a cat in the image?\nAnswer the question using a single word or phrase.');
    const usage = JSON.parse(await readFile(join(out, 'endpoint-usage.json'), 'utf8')) as { totals: Record<string, unknown> };
    expect(usage.totals).toMatchObject({ answers: 6, requestsSent: 6, totalTokens: 72, outcomes: { answered: 3, refused: 1, filtered: 1, empty: 1 } });
    const scores = JSON.parse(await readFile(join(out, 'pope-scores.json'), 'utf8')) as { provenance: { endpoint: { url: string; model: string } } };
    expect(scores.provenance.endpoint).toMatchObject({ url, model: 'fake' });
    for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8'), name).not.toContain(key);
    // resumed after a cut: nothing is sent again (the replies are in the run folder's cache)
    const whole = await readFile(join(out, 'pope-answers.jsonl'), 'utf8');
    await writeFile(join(out, 'pope-answers.jsonl'), whole.split('\n').slice(0, 2).join('\n') + '\n');
    asked.length = 0;
    const resumed = await evaluatePope({ endpoint: { url, model: 'fake', apiKeyEnv: KEY_ENV, maxConcurrency: 2 }, data, out, resume: true });
    expect(asked).toEqual([]);
    expect(resumed.asked).toBe(4);
    expect(await readFile(join(out, 'pope-answers.jsonl'), 'utf8')).toBe(whole);
    // the run identity has no credentials and is checked: another decoding is refused on resume
    await expect(evaluatePope({ endpoint: { url, model: 'fake', apiKeyEnv: KEY_ENV, decoding: { temperature: 0.5 } }, data, out, resume: true })).rejects.toThrow(/--resume: decoding differ/);
    await expect(evaluatePope({ endpoint: { url, model: 'fake', apiKeyEnv: KEY_ENV }, pipeline: 'x.json', data, out: join(scratch, 'both') })).rejects.toThrow(/either 'pipeline'.*or 'endpoint'/);
  });
});
