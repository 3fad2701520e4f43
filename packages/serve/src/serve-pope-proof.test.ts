import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatePope, type PopeRunResult } from '@mmvp/study';
import { writeSynth } from '@mmvp/synth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './serve-pipeline';
import { SERVED_PIPELINE, folderText, readJsonLines, startKeyedServer, type KeyedServer } from './testing/keyed-server';
import { startFaultProxy, type Fault } from './testing/fault-proxy';

const PIPELINE = SERVED_PIPELINE;
const KEY_ENV = 'MMVP_SERVE_POPE_PROOF_KEY';
const OBJECTS = ['dog', 'cup', 'car', 'bird'];

let scratch: string;
let data: string;
let served: KeyedServer;
let server: RunningServer;
/** The API key the server wants (random per run). */
let key: string;
let inProcess: PopeRunResult;
/** In-process answers (`evaluatePope({ pipeline })`), the reference: split:question_id -> text. */
let reference: Map<string, string>;
/** Distinct (image, question) pairs: POPE repeats questions across splits, and each is sent once. */
let distinctQuestions: number;

function answersOf(out: string): Promise<Record<string, unknown>[]> {
  return readJsonLines(join(out, 'pope-answers.jsonl'));
}
const keyOf = (answer: Record<string, unknown>) => `${String(answer['category'])}:${String(answer['question_id'])}`;

function endpointRun(url: string, out: string, resume = false) {
  return evaluatePope({ endpoint: { url, model: server.modelId, apiKeyEnv: KEY_ENV, maxConcurrency: 3, timeoutMs: 60_000, maxRetries: 3 }, data, out, resume });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-serve-pope-'));
  await writeSynth({ out: join(scratch, 'synth'), seed: 5, pairsPerPattern: 1, pairs: 2, contactSheets: false });
  // A POPE folder in the release's layout: two splits over four synthetic images (ids repeat across splits).
  data = join(scratch, 'pope');
  await mkdir(join(data, 'val2014'), { recursive: true });
  const images = (await readdir(join(scratch, 'synth', 'MMVP', 'MMVP Images'))).sort().slice(0, 4);
  for (const name of images) await copyFile(join(scratch, 'synth', 'MMVP', 'MMVP Images', name), join(data, 'val2014', name));
  const split = (offset: number) =>
    `${images
      .flatMap((image, i) => [0, 1].map((j) => ({ question_id: 2 * i + j + 1, image, text: `Is there a ${OBJECTS[(i + j + offset) % 4]} in the image?`, label: j === 0 ? 'yes' : 'no' })))
      .map((line) => JSON.stringify(line))
      .join('\n')}\n`;
  await writeFile(join(data, 'coco_pope_random.json'), split(0));
  await writeFile(join(data, 'coco_pope_adversarial.json'), split(1));
  const all = [...(await readFile(join(data, 'coco_pope_random.json'), 'utf8')).trim().split('\n'), ...(await readFile(join(data, 'coco_pope_adversarial.json'), 'utf8')).trim().split('\n')];
  distinctQuestions = new Set(all.map((line) => ((question) => `${question.image}\n${question.text}`)(JSON.parse(line) as { image: string; text: string }))).size;
  expect(distinctQuestions).toBe(12); // the 4 positive questions of the adversarial split repeat 4 negative ones of the random split
  inProcess = await evaluatePope({ pipeline: PIPELINE, data, out: join(scratch, 'in-process') });
  expect(inProcess.asked).toBe(16);
  reference = new Map((await answersOf(join(scratch, 'in-process'))).map((answer) => [keyOf(answer), String(answer['text'])]));
  served = await startKeyedServer(PIPELINE, KEY_ENV);
  ({ server, key } = served);
});

afterAll(async () => {
  await served?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('mmvp serve + pope --endpoint', () => {
  it('answers every POPE question as the in-process pipeline does (greedy), each asked once, and scores them the same', async () => {
    const proxy = await startFaultProxy({ upstream: server.url });
    try {
      const out = join(scratch, 'served');
      const run = await endpointRun(proxy.url, out);
      const answers = await answersOf(out);
      expect(answers.map(keyOf)).toEqual([...reference.keys()]);
      for (const answer of answers) expect(answer['text'], keyOf(answer)).toBe(reference.get(keyOf(answer)));
      expect(answers.every((answer) => answer['endpoint_outcome'] === 'answered')).toBe(true);
      expect(run.asked).toBe(16);
      // 16 questions, 12 different (image, text) messages: each forwarded to the server once
      expect([...proxy.forwardedPerQuestion.values()]).toEqual(new Array(distinctQuestions).fill(1));
      expect(run.splits.map(({ questionsFile: _, ...scores }) => scores)).toEqual(inProcess.splits.map(({ questionsFile: _, ...scores }) => scores));
      const usage = JSON.parse(await readFile(join(out, 'endpoint-usage.json'), 'utf8')) as { totals: { requestsSent: number; answers: number } };
      expect(usage.totals).toMatchObject({ requestsSent: distinctQuestions, answers: 16, cacheHits: 16 - distinctQuestions });
      const identity = await readFile(join(out, 'run-identity.json'), 'utf8');
      expect(identity).toContain(proxy.url);
      expect(await folderText(out)).not.toContain(key);
    } finally {
      await proxy.close();
    }
  });

  it('through 429, 500 and a dropped connection, then a 401 that stops the run: --resume finishes from the cache without re-asking what was answered', async () => {
    const faults = new Map<number, Fault>([
      [1, 'rate-limit'],
      [2, 'server-error'],
      [3, 'drop-connection'],
      [12, 'unauthorized'],
    ]);
    const proxy = await startFaultProxy({ upstream: server.url, faults });
    try {
      const out = join(scratch, 'faults');
      const first = await endpointRun(proxy.url, out).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(first?.message).toMatch(/HTTP 401/);
      expect(first?.message).not.toContain(key);
      const kept = (await answersOf(out)).length;
      expect(kept).toBeLessThan(16);
      const forwardedBefore = new Map(proxy.forwardedPerQuestion);
      const resumed = await endpointRun(proxy.url, out, true);
      expect(proxy.injected).toEqual(['rate-limit', 'server-error', 'drop-connection', 'unauthorized']);
      const answers = await answersOf(out);
      expect(answers.map(keyOf)).toEqual([...reference.keys()]);
      for (const answer of answers) expect(answer['text'], keyOf(answer)).toBe(reference.get(keyOf(answer)));
      expect(resumed.asked).toBe(16 - kept);
      // every question that reached the server before the 401 was answered then and taken from the cache now
      const reasked = [...proxy.forwardedPerQuestion].filter(([question, count]) => (forwardedBefore.get(question) ?? 0) > 0 && count > forwardedBefore.get(question)!);
      expect(reasked).toEqual([]);
      expect([...proxy.forwardedPerQuestion.values()].every((count) => count === 1)).toBe(true);
      expect([...proxy.forwardedPerQuestion.values()]).toHaveLength(distinctQuestions);
      expect((await readFile(join(out, 'endpoint-cache.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(distinctQuestions);
      // a second resume asks nothing at all
      const again = await endpointRun(proxy.url, out, true);
      expect(again.asked).toBe(0);
      expect([...proxy.forwardedPerQuestion.values()].reduce((sum, count) => sum + count, 0)).toBe(distinctQuestions);
      // a changed model name is refused on resume
      await expect(evaluatePope({ endpoint: { url: proxy.url, model: 'another-model', apiKeyEnv: KEY_ENV }, data, out, resume: true })).rejects.toThrow(/--resume: .*differ/);
    } finally {
      await proxy.close();
    }
  });
});
