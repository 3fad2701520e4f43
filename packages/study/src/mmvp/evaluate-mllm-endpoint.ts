import { createHash } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';
import { formatIssue, loadMmvp, type LabelSet, type MmvpItem, type SkippedPair } from '@mmvp/datasets';
import { publicEndpointUrl, readEndpointApiKey, type EndpointAnswerer, type EndpointConfig } from '@mmvp/endpoint';
import { packageVersions } from '../provenance/package-versions';
import type { ResolvedQueueSettings } from '../queue/queue-settings';
import { queueSummaryLine, type QueueRunSummary } from '../queue/queued-answers';
import { queueRunner } from '../queue/queue-runner';
import { mllmEndpointJobKind } from './answer-job-kinds';
import { ENDPOINT_CACHE_FILE, ENDPOINT_USAGE_FILE, answerEndpointShards, endpointRunRecord, fingerprintsInFile, inProcessEndpoint } from './endpoint-answers';
import { gradeMllmAnswers, summaryLines, type GradeMllmOptions, type GraderKind } from './grade-mllm';
import type { ScoresDocument } from './scores-document';
import type { EvalMllmEvent, GradeEvent } from './mmvp-events';
import { workflowEmitter } from '../runner/workflow-events';
import { sha256File, withRunFolderLock, writeFileAtomic, writeRunInfo, RUN_IDENTITY_FILE, decodingIdentity, readStoredIdentity, runIdentityHash, type RunIdentity } from '@mmvp/results';

/** What evaluateMllm passes on for an endpoint model (its checked options, the grading options it built). */
export interface EndpointRunContext {
  readonly endpoint: EndpointConfig;
  readonly data: string;
  readonly out: string;
  readonly resume: boolean;
  readonly labels: LabelSet;
  readonly strict: boolean;
  readonly promptStyle?: 'original' | 'lmms' | 'cambrian' | undefined;
  readonly grader: GraderKind;
  readonly gradeOptions: GradeMllmOptions;
  readonly checkImage: (path: string) => Promise<string | undefined>;
  readonly prepareAnswers: (options: {
    questions: readonly MmvpItem[];
    answersFile: string;
    resume: boolean;
    identity: RunIdentity;
    out: string;
    stored: Awaited<ReturnType<typeof readStoredIdentity>>;
  }) => Promise<ReadonlySet<string>>;
  /** Run distributed: eval-mllm-endpoint jobs on Redis, answered by `mmvp worker`s through the endpoint. */
  readonly queue?: ResolvedQueueSettings | undefined;
  /** Questions per job when the queue settings name no shard size. */
  readonly defaultShardSize: number;
  readonly abortSignal?: AbortSignal;
  readonly onEvent?: (event: EvalMllmEvent | GradeEvent) => void;
}

/** What an endpoint run returns (the fields of MllmEvaluation). */
export interface EndpointRunResult {
  readonly scores: ScoresDocument;
  readonly identity: RunIdentity;
  readonly runIdentity: string;
  readonly promptStyle: 'original' | 'lmms' | 'cambrian';
  readonly asked: number;
  readonly skippedPairs: readonly SkippedPair[];
  readonly files: readonly string[];
  /** With `queue`: what the coordinator did. */
  readonly queue?: QueueRunSummary;
}

/** The run identity of an endpoint model: URL without credentials, model name, system message and decoding. */
export function endpointIdentity(endpoint: EndpointConfig, fields: { promptStyle: string; labels: string; questionsSha256: string }): RunIdentity {
  const source = JSON.stringify({ url: publicEndpointUrl(endpoint.url), model: endpoint.model, system: endpoint.system ?? null });
  return {
    pipelineConfigSha256: createHash('sha256').update(source).digest('hex'),
    modelFilesSha256: createHash('sha256').update(`endpoint ${endpoint.model}`).digest('hex'),
    promptStyle: fields.promptStyle,
    decoding: decodingIdentity(endpoint.decoding),
    labels: fields.labels,
    questionsSha256: fields.questionsSha256,
    modelId: endpoint.name ?? endpoint.model,
  };
}

/**
 * eval-mllm on a model behind an OpenAI-compatible endpoint: the same answers.jsonl, identity checks,
 * grading and result files as a pipeline run, plus the response cache (endpoint-cache.jsonl) and
 * endpoint-usage.json. The API key is read from `endpoint.apiKeyEnv` here and handed to the client only.
 */
export async function evaluateMllmThroughEndpoint(context: EndpointRunContext): Promise<EndpointRunResult> {
  const { endpoint } = context;
  const emit = workflowEmitter<EvalMllmEvent>('eval-mllm', context.onEvent);
  // distributed, each worker reads the key from its own environment; this process sends nothing
  if (context.queue !== undefined) checkQueuedEndpointUrl(endpoint);
  const apiKey = context.queue === undefined ? readEndpointApiKey(endpoint.apiKeyEnv) : undefined;
  const promptStyle = context.promptStyle ?? endpoint.prompt ?? 'original';
  const dataset = await loadMmvp(context.data, { labels: context.labels, strict: context.strict, checkImage: context.checkImage, onIssue: (issue) => emit({ type: 'warning', message: formatIssue(issue) }) });
  const identity = endpointIdentity(endpoint, { promptStyle, labels: context.labels, questionsSha256: await sha256File(dataset.questionsFile) });
  const publicUrl = publicEndpointUrl(endpoint.url);
  const answersFile = join(context.out, 'answers.jsonl');
  const endpointRecord = endpointRunRecord(endpoint);

  return withRunFolderLock(context.out, 'eval-mllm', async () => {
    const stored = await readStoredIdentity(context.out);
    const done = await context.prepareAnswers({ questions: dataset.questions, answersFile, resume: context.resume, identity, out: context.out, stored });
    const knownFingerprints = await fingerprintsInFile(answersFile, done.size > 0);
    await writeFileAtomic(join(context.out, RUN_IDENTITY_FILE), `${JSON.stringify({ identity, runIdentity: runIdentityHash(identity), endpoint: endpointRecord, systemFingerprints: [...knownFingerprints] }, null, 2)}\n`);
    const questionsLine = `${dataset.questions.length} questions (${dataset.questionsFile}, labels ${context.labels}), prompt style ${promptStyle}`;
    const identityLine = `run identity ${runIdentityHash(identity)}${done.size > 0 ? `; resuming after ${done.size} answer(s)` : ''}`;
    // One plan, one runShard (mllmEndpointJobKind), one commit: workers ask the endpoint (--queue; this process
    // checks and commits, the only writer of the folder) or this process does, through the run folder's cache.
    const queue = context.queue;
    const local = queue === undefined ? await inProcessEndpoint({ endpoint, apiKey, out: context.out, answersFile, knownFingerprints }) : undefined;
    emit({
      type: 'resolved',
      lines:
        queue === undefined
          ? [questionsLine, ...describeEndpoint(endpoint, local!.answerer), identityLine]
          : [
              questionsLine,
              `queue ${queue.url} (${queue.queueName}): jobs of about ${queue.shardSize ?? context.defaultShardSize} questions, whole pairs; answered by mmvp workers through the endpoint ${publicUrl}, model ${endpoint.model} (each worker reads the key from its own $${endpoint.apiKeyEnv})`,
              identityLine,
            ],
    });
    const dataRoot = resolve(context.data);
    const run = await answerEndpointShards({
      definition: mllmEndpointJobKind,
      runner: local?.runner ?? queueRunner(queue!),
      shardSize: queue?.shardSize ?? context.defaultShardSize,
      items: dataset.questions,
      keyOf: (question) => String(question.id),
      groupOf: (question) => String(question.pairId),
      recordKeyOf: (record) => String(record['question_id']),
      failureId: (question) => question.id,
      runIdentity: runIdentityHash(identity),
      out: context.out,
      answersFile,
      done,
      // the endpoint's settings and the NAME of its key's variable; never the key
      jobData: (runId, shard) => ({
        kind: 'eval-mllm-endpoint' as const,
        runId,
        shard: shard.shard,
        endpoint,
        dataRoot,
        identity,
        promptStyle,
        questions: shard.items.map((question) => ({ id: question.id, image: relative(dataRoot, resolve(question.imagePath)), question: question.question, options: question.optionsText, answer: question.answer })),
      }),
      ...(context.abortSignal === undefined ? {} : { abortSignal: context.abortSignal }),
      onEvent: emit,
    });
    const { asked } = run;
    const usage = await local?.writeUsage();
    const queueSummary: QueueRunSummary | undefined =
      queue === undefined ? undefined : { runId: run.runId, shards: run.shards, alreadyCommitted: run.alreadyCommitted, enqueued: run.enqueued, adopted: run.adopted, workers: run.workers };
    const scores = await gradeMllmAnswers({
      ...context.gradeOptions,
      allowMissing: dataset.skippedQuestionIds.length > 0,
      questionSet: dataset,
      ...(context.abortSignal === undefined ? {} : { abortSignal: context.abortSignal }),
      ...(context.onEvent === undefined ? {} : { onEvent: context.onEvent }),
      extraProvenance: {
        endpoint: endpointRecord,
        ...(usage === undefined ? { queue: queueSummary } : { endpointUsage: usage }),
        promptStyle,
        decoding: endpoint.decoding,
        packages: packageVersions(['@mmvp/datasets', '@mmvp/metrics', '@mmvp/endpoint', '@mmvp/study']),
        runIdentity: runIdentityHash(identity),
      },
      skippedPairs: dataset.skippedPairs.map((pair) => ({ ...pair })),
    });
    await writeRunInfo(context.out, {
      format: 'mmvp-results/v1',
      title: `MMVP evaluation of ${identity.modelId}`,
      createdAt: String(scores.provenance['createdAt']),
      command: 'eval-mllm',
      dataset: { name: 'MMVP', path: resolve(dataset.dir) },
      grading: { method: context.grader, labels: context.labels },
      models: [{ name: identity.modelId, path: publicUrl, description: `endpoint model ${endpoint.model}; prompt style ${promptStyle}; run identity ${runIdentityHash(identity)}` }],
      notes: [
        ...summaryLines(scores),
        ...dataset.skippedPairs.map((pair) => `skipped pair ${pair.pairId}: ${pair.reason}`),
        usage === undefined
          ? `answered by mmvp workers through the queue (${queueSummaryLine(queueSummary!)})`
          : `endpoint usage: ${usage.totalTokens} tokens, ${usage.requestsSent} request(s) sent, ${usage.cacheHits} cache hit(s) (${ENDPOINT_USAGE_FILE})`,
      ],
    });
    const files = ['answers.jsonl', RUN_IDENTITY_FILE, ...(usage === undefined ? [] : [ENDPOINT_CACHE_FILE, ENDPOINT_USAGE_FILE]), 'scores.json', 'scores.csv', 'graded.csv', 'scores.md', 'run.json'].map((name) =>
      join(context.out, name),
    );
    return { scores, identity, runIdentity: runIdentityHash(identity), promptStyle, asked, skippedPairs: dataset.skippedPairs, files, ...(queueSummary === undefined ? {} : { queue: queueSummary }) };
  });
}

/** The progress lines that say how an endpoint is asked (URL, model, key variable, decoding, limits, cache). */
export function describeEndpoint(endpoint: EndpointConfig, answerer: EndpointAnswerer): string[] {
  const publicUrl = publicEndpointUrl(endpoint.url);
  return [
    `endpoint ${publicUrl}, model ${endpoint.model}${endpoint.system === undefined ? '' : ', with a system message'}; key from ${endpoint.apiKeyEnv === 'none' ? '(none)' : `$${endpoint.apiKeyEnv}`}`,
    `decoding ${endpoint.decoding.temperature > 0 ? `sampling T=${endpoint.decoding.temperature}` : 'greedy (temperature 0)'}, max_tokens ${endpoint.decoding.maxTokens ?? "the server's"}${endpoint.decoding.seed === undefined ? '' : `, seed ${endpoint.decoding.seed}`}; images sent as data URLs of the files' own bytes`,
    `${endpoint.maxConcurrency} request(s) at once${endpoint.requestsPerMinute === undefined ? '' : `, at most ${endpoint.requestsPerMinute} per minute`}, timeout ${endpoint.timeoutMs} ms, ${endpoint.maxRetries} retries; response cache ${answerer.cache!.path} (${answerer.cache!.size} replies)`,
  ];
}

/**
 * Refuses, for a distributed run, an endpoint URL with a user, password, query or fragment: jobs go
 * through Redis, which must never hold a key (the key's variable NAME travels, each worker reads its own).
 */
export function checkQueuedEndpointUrl(endpoint: EndpointConfig): void {
  if (publicEndpointUrl(endpoint.url) !== endpoint.url.replace(/\/+$/, '')) {
    throw new InvalidArgumentError(
      `--queue: the endpoint URL carries a user, password, query or fragment; jobs go through Redis, which must never hold a key: give ${publicEndpointUrl(endpoint.url)} and the key in the variable named by --api-key-env`,
    );
  }
}
