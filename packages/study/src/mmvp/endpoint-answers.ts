import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { formatQuestion } from '@mmvp/decoder';
import type { MmvpItem } from '@mmvp/datasets';
import { EndpointRequestError, endpointAnswerFields, type ChatReply, type EndpointAnswerer } from '@mmvp/endpoint';
import { mmvpAnswerRecord, type PromptStyle } from './mmvp-answer-record';
import { writeFileAtomic, answerLog, runIdentityHash, type RunIdentity } from '@mmvp/results';

/** Failed questions of an endpoint run, left for `--resume` (removed once a run completes). */
const ENDPOINT_FAILURES_FILE = 'endpoint-failures.json';

/** What one endpoint answer cost (usage as the endpoint reported it; latency of the original request). */
export interface EndpointAnswerCost {
  readonly questionId: number | string;
  readonly cached: boolean;
  readonly latencyMs: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly outcome: string;
}

/** What {@link answerMmvpThroughEndpoint} did. */
export interface EndpointAnswering {
  /** Answers written in this run (cache hits included). */
  readonly asked: number;
  /** Of them, answered from the run folder's response cache (nothing sent). */
  readonly cacheHits: number;
  readonly costs: readonly EndpointAnswerCost[];
  /** Every `system_fingerprint` the endpoint answered with in this run. */
  readonly systemFingerprints: readonly string[];
}

/**
 * Answers every MMVP question not yet in answers.jsonl through an endpoint (see
 * {@link answerItemsThroughEndpoint}), one answers.jsonl record per question.
 */
export async function answerMmvpThroughEndpoint(options: {
  readonly questions: readonly MmvpItem[];
  readonly answerer: EndpointAnswerer;
  readonly concurrency: number;
  readonly answersFile: string;
  readonly out: string;
  readonly dataDir: string;
  readonly promptStyle: PromptStyle;
  readonly identity: RunIdentity;
  readonly done: ReadonlySet<string>;
  /** Fingerprints of the answers already in the file (resume). */
  readonly knownFingerprints: ReadonlySet<string>;
  readonly onProgress?: (done: number, total: number, startedAt: number) => void;
  readonly signal?: AbortSignal;
}): Promise<EndpointAnswering> {
  const runIdentity = runIdentityHash(options.identity);
  return answerItemsThroughEndpoint({
    ...options,
    items: options.questions,
    keyOf: (question) => String(question.id),
    costId: (question) => question.id,
    request: (question) => ({ image: question.imagePath, text: formatQuestion(question.question, question.optionsText, options.promptStyle) }),
    record: (question, reply, text) =>
      mmvpAnswerRecord({
        question,
        answer: { text: reply.text, prompt: text, ...(reply.finishReason === undefined ? {} : { finishReason: reply.finishReason }) },
        modelId: options.identity.modelId,
        promptStyle: options.promptStyle,
        dataDir: options.dataDir,
        runIdentity,
      }),
  });
}

/**
 * Answers every item not yet in the answers file through an endpoint, up to `concurrency` at once,
 * and appends the answers in item order (an answer that arrives early waits for the ones before
 * it; its reply is already in the response cache). An item whose request fails for good stops the
 * file at that item: the rest are still asked and cached, then the run fails naming the failed
 * items (also in endpoint-failures.json), so `--resume` asks only those again and takes the rest
 * from the cache. A fatal failure (wrong key, unknown model) stops asking at once. On a resumed run, a
 * fresh reply whose `system_fingerprint` is not one the file's answers carry is refused. Each record
 * gets the reply's outcome (`endpoint_outcome`), refusal, usage and system fingerprint.
 */
export async function answerItemsThroughEndpoint<Item>(options: {
  readonly items: readonly Item[];
  /** The item's key in the answers file (what `done` holds). */
  readonly keyOf: (item: Item) => string;
  /** The item's id in endpoint-usage.json and endpoint-failures.json. */
  readonly costId: (item: Item) => number | string;
  /** The image file and the question text (already in its prompt style) sent for the item. */
  readonly request: (item: Item) => { image: string; text: string };
  /** The answers-file record of an item's reply (the endpoint fields are added to it). */
  readonly record: (item: Item, reply: ChatReply, text: string) => Record<string, unknown>;
  readonly answerer: EndpointAnswerer;
  readonly concurrency: number;
  readonly answersFile: string;
  readonly out: string;
  readonly done: ReadonlySet<string>;
  /** Fingerprints of the answers already in the file (resume). */
  readonly knownFingerprints: ReadonlySet<string>;
  readonly onProgress?: (done: number, total: number, startedAt: number) => void;
  readonly signal?: AbortSignal;
}): Promise<EndpointAnswering> {
  const pending = options.items.filter((item) => !options.done.has(options.keyOf(item)));
  const total = options.items.length;
  const startedAt = total - pending.length;
  const results: (Record<string, unknown> | Error | undefined)[] = new Array(pending.length);
  const costs: EndpointAnswerCost[] = [];
  const fingerprints = new Set<string>();
  const log = answerLog(options.answersFile);
  let flushed = 0;
  let fatal: Error | undefined;
  let next = 0;
  let writes = Promise.resolve();
  options.onProgress?.(startedAt, total, startedAt);

  const flush = async () => {
    while (flushed < pending.length && results[flushed] !== undefined && !(results[flushed] instanceof Error)) {
      await log.append(results[flushed] as Record<string, unknown>);
      flushed++;
      options.onProgress?.(startedAt + flushed, total, startedAt);
    }
  };

  const ask = async (item: Item): Promise<Record<string, unknown>> => {
    const { image, text } = options.request(item);
    const answer = await options.answerer.ask({ image, text }, options.signal === undefined ? {} : { signal: options.signal });
    const { reply } = answer;
    if (reply.systemFingerprint !== undefined) {
      if (!answer.cached && options.knownFingerprints.size > 0 && !options.knownFingerprints.has(reply.systemFingerprint)) {
        throw new InvalidArgumentError(
          `--resume: the endpoint now answers with system_fingerprint '${reply.systemFingerprint}', the answers in ${options.answersFile} carry ${[...options.knownFingerprints].map((value) => `'${value}'`).join(', ')}; the model behind the endpoint changed, so its answers must not be mixed; use another --out`,
        );
      }
      fingerprints.add(reply.systemFingerprint);
    }
    costs.push({
      questionId: options.costId(item),
      cached: answer.cached,
      latencyMs: answer.latencyMs,
      outcome: reply.outcome,
      ...(reply.usage === undefined ? {} : { promptTokens: reply.usage.promptTokens, completionTokens: reply.usage.completionTokens }),
    });
    return {
      ...options.record(item, reply, text),
      ...endpointAnswerFields(reply),
    };
  };

  const worker = async () => {
    while (next < pending.length && fatal === undefined && options.signal?.aborted !== true) {
      const index = next++;
      try {
        results[index] = await ask(pending[index]!);
      } catch (error) {
        if (options.signal?.aborted) return;
        results[index] = error as Error;
        if (!EndpointRequestError.isInstance(error) || (error as EndpointRequestError).fatal) fatal ??= error as Error;
      }
      writes = writes.then(flush);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, pending.length)) }, worker));
  await writes;
  options.signal?.throwIfAborted();

  const failed = pending.flatMap((item, index) => (results[index] instanceof Error ? [{ question_id: options.costId(item), error: (results[index] as Error).message }] : []));
  const failuresFile = join(options.out, ENDPOINT_FAILURES_FILE);
  if (fatal !== undefined) {
    await writeFileAtomic(failuresFile, `${JSON.stringify({ failed, notAsked: pending.length - flushed - failed.length }, null, 2)}\n`);
    throw Object.assign(fatal, { message: `${fatal.message} (${flushed} answer(s) of this run kept in ${options.answersFile}; run again with --resume)` });
  }
  if (failed.length > 0) {
    await writeFileAtomic(failuresFile, `${JSON.stringify({ failed }, null, 2)}\n`);
    throw new EndpointRequestError(
      `${failed.length} question(s) failed for good (${failed
        .slice(0, 3)
        .map((failure) => `question ${failure.question_id}: ${failure.error}`)
        .join('; ')}${failed.length > 3 ? '; ...' : ''}); recorded in ${failuresFile}; the answers before the first failure are in ${options.answersFile} and every other reply is cached: run again with --resume`,
    );
  }
  await rm(failuresFile, { force: true });
  return { asked: flushed, cacheHits: costs.filter((cost) => cost.cached).length, costs, systemFingerprints: [...fingerprints] };
}
