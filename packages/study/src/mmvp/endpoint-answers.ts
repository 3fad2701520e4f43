import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { EndpointRequestError, createEndpointAnswerer, publicEndpointUrl, type EndpointAnswerer, type EndpointConfig } from '@mmvp/endpoint';
import { writeFileAtomic } from '@mmvp/results';
import type { JobDataBase } from '../runner/job-kind';
import { inProcessRunner } from '../runner/in-process-runner';
import type { ShardRunner } from '../runner/run-shards';
import { ShardsFailedError } from '../runner/shards-failed-error';
import type { EndpointParts } from './answer-job-kinds';
import { answerShards } from './answer-shards';

/** The response cache of an endpoint run, in its run folder. */
export const ENDPOINT_CACHE_FILE = 'endpoint-cache.jsonl';
/** Usage and latency per answer and in total. */
export const ENDPOINT_USAGE_FILE = 'endpoint-usage.json';
/** Failed questions of an endpoint run, left for `--resume` (removed once a run completes). */
const ENDPOINT_FAILURES_FILE = 'endpoint-failures.json';

/** What one endpoint answer cost (usage as the endpoint reported it; latency of the original request). */
interface EndpointAnswerCost {
  readonly questionId: number | string;
  readonly cached: boolean;
  readonly latencyMs: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly outcome: string;
}

/** What the in-process side of an endpoint run holds: the one answerer, the runner over it, and the usage it writes. */
export interface InProcessEndpoint {
  /** The run's answerer (its response cache is the run folder's endpoint-cache.jsonl). */
  readonly answerer: EndpointAnswerer;
  /** The in-process runner: every shard on this answerer, up to the endpoint's maxConcurrency questions at once. */
  readonly runner: ShardRunner;
  /** Writes endpoint-usage.json (after the answers are committed) and returns its totals. */
  writeUsage(): Promise<ReturnType<typeof usageSummary>>;
}

/**
 * The in-process side of an endpoint run (the queue's workers hold their own answerer): one answerer through the
 * run folder's response cache, shared by every shard (so a question repeated while it is asked is sent once), and
 * an answer hook that, on a resumed run, refuses a fresh reply whose `system_fingerprint` is not one the answers
 * file's answers carry, and records each answer's cost for endpoint-usage.json. A request that failed for good
 * lets the other questions go on (their replies are cached); any other failure (a wrong key, an unknown model)
 * stops asking at once. The API key is handed to the client only.
 */
export async function inProcessEndpoint(options: {
  readonly endpoint: EndpointConfig;
  readonly apiKey: string | undefined;
  readonly out: string;
  readonly answersFile: string;
  /** Fingerprints of the answers already in the file (resume). */
  readonly knownFingerprints: ReadonlySet<string>;
}): Promise<InProcessEndpoint> {
  const { endpoint, knownFingerprints } = options;
  const answerer = await createEndpointAnswerer({ config: endpoint, cachePath: join(options.out, ENDPOINT_CACHE_FILE), ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }) });
  const costs: EndpointAnswerCost[] = [];
  const fingerprints = new Set<string>();
  const parts: EndpointParts = {
    answerer,
    onAnswer: (questionId, answer) => {
      const { reply } = answer;
      if (reply.systemFingerprint !== undefined) {
        if (!answer.cached && knownFingerprints.size > 0 && !knownFingerprints.has(reply.systemFingerprint)) {
          throw new InvalidArgumentError(
            `--resume: the endpoint now answers with system_fingerprint '${reply.systemFingerprint}', the answers in ${options.answersFile} carry ${[...knownFingerprints].map((value) => `'${value}'`).join(', ')}; the model behind the endpoint changed, so its answers must not be mixed; use another --out`,
          );
        }
        fingerprints.add(reply.systemFingerprint);
      }
      costs.push({
        questionId,
        cached: answer.cached,
        latencyMs: answer.latencyMs,
        outcome: reply.outcome,
        ...(reply.usage === undefined ? {} : { promptTokens: reply.usage.promptTokens, completionTokens: reply.usage.completionTokens }),
      });
    },
  };
  return {
    answerer,
    runner: inProcessRunner({ parts, concurrency: endpoint.maxConcurrency, keepGoing: (error) => EndpointRequestError.isInstance(error) && !(error as EndpointRequestError).fatal }),
    async writeUsage() {
      const usage = usageSummary(costs, answerer.client.attempts, costs.filter((cost) => cost.cached).length);
      await writeFileAtomic(
        join(options.out, ENDPOINT_USAGE_FILE),
        `${JSON.stringify({ endpoint: endpointRunRecord(endpoint), systemFingerprints: [...new Set([...knownFingerprints, ...fingerprints])], totals: usage, answers: costs }, null, 2)}\n`,
      );
      return usage;
    },
  };
}

/**
 * An endpoint run's plan executed on a runner (answerShards with an endpoint kind), and what a failure leaves:
 * the questions whose requests failed for good are recorded in endpoint-failures.json (with, when a fatal
 * failure stopped the run, how many were not asked), the answers before the first failure stay in the answers
 * file, and the run fails naming them, so `--resume` asks only those again and takes the rest from the cache.
 * A completed run removes the failures file.
 */
export async function answerEndpointShards<Item, Data extends JobDataBase>(
  options: Parameters<typeof answerShards<Item, Data, EndpointParts | undefined>>[0] & {
    /** The question's id in endpoint-failures.json. */
    readonly failureId: (item: Item) => number | string;
  },
): Promise<Awaited<ReturnType<typeof answerShards>>> {
  const failuresFile = join(options.out, ENDPOINT_FAILURES_FILE);
  let run: Awaited<ReturnType<typeof answerShards>>;
  try {
    run = await answerShards(options);
  } catch (error) {
    if (!ShardsFailedError.isInstance(error)) throw error;
    const { failed: shards, stoppedBy, committedUnits } = error as ShardsFailedError<Item>;
    const failed = shards.flatMap(({ shard, error: cause }) => shard.items.map((item) => ({ question_id: options.failureId(item), error: (cause as Error).message })));
    if (stoppedBy !== undefined) {
      const pending = options.items.filter((item) => !options.done.has(options.keyOf(item))).length;
      await writeFileAtomic(failuresFile, `${JSON.stringify({ failed, notAsked: pending - committedUnits - failed.length }, null, 2)}\n`);
      throw Object.assign(stoppedBy as Error, { message: `${(stoppedBy as Error).message} (${committedUnits} answer(s) of this run kept in ${options.answersFile}; run again with --resume)` });
    }
    await writeFileAtomic(failuresFile, `${JSON.stringify({ failed }, null, 2)}\n`);
    throw new EndpointRequestError(
      `${failed.length} question(s) failed for good (${failed
        .slice(0, 3)
        .map((failure) => `question ${failure.question_id}: ${failure.error}`)
        .join('; ')}${failed.length > 3 ? '; ...' : ''}); recorded in ${failuresFile}; the answers before the first failure are in ${options.answersFile} and every other reply is cached: run again with --resume`,
    );
  }
  await rm(failuresFile, { force: true });
  return run;
}

/** What a run folder records about its endpoint (no credentials: the URL without user, password or query). */
export function endpointRunRecord(endpoint: EndpointConfig) {
  return {
    url: publicEndpointUrl(endpoint.url),
    model: endpoint.model,
    system: endpoint.system ?? null,
    decoding: endpoint.decoding,
    maxConcurrency: endpoint.maxConcurrency,
    requestsPerMinute: endpoint.requestsPerMinute ?? null,
    timeoutMs: endpoint.timeoutMs,
    maxRetries: endpoint.maxRetries,
  };
}

/** The system fingerprints the answers already in the file carry (resume). */
export async function fingerprintsInFile(file: string, resuming: boolean): Promise<Set<string>> {
  const found = new Set<string>();
  if (!resuming) return found;
  for (const line of (await readFile(file, 'utf8').catch(() => '')).split('\n')) {
    try {
      const fingerprint = (JSON.parse(line) as { system_fingerprint?: unknown }).system_fingerprint;
      if (typeof fingerprint === 'string') found.add(fingerprint);
    } catch {
      // blank or cut line
    }
  }
  return found;
}

/** Totals over this run's answers: tokens, latency (mean, median, 95th percentile), requests sent, cache hits. */
function usageSummary(costs: readonly EndpointAnswerCost[], requestsSent: number, cacheHits: number) {
  const latencies = costs.map((cost) => cost.latencyMs).sort((a, b) => a - b);
  const quantile = (q: number) => (latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  const promptTokens = costs.reduce((sum, cost) => sum + (cost.promptTokens ?? 0), 0);
  const completionTokens = costs.reduce((sum, cost) => sum + (cost.completionTokens ?? 0), 0);
  return {
    answers: costs.length,
    requestsSent,
    cacheHits,
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    latencyMsTotal: latencies.reduce((sum, value) => sum + value, 0),
    latencyMsMean: latencies.length === 0 ? null : Math.round(latencies.reduce((sum, value) => sum + value, 0) / latencies.length),
    latencyMsMedian: quantile(0.5),
    latencyMsP95: quantile(0.95),
    outcomes: Object.fromEntries([...new Set(costs.map((cost) => cost.outcome))].map((outcome) => [outcome, costs.filter((cost) => cost.outcome === outcome).length])),
  };
}
