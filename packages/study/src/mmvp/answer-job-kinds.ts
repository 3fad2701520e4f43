import { join, sep } from 'node:path';
import type { MmvpItem } from '@mmvp/datasets';
import { formatQuestion } from '@mmvp/decoder';
import { createEndpointAnswerer, endpointAnswerFields, readEndpointApiKey, type ChatReply, type EndpointAnswer, type EndpointAnswerer, type EndpointConfig } from '@mmvp/endpoint';
import { createPipeline } from '@mmvp/pipeline';
import type { JobDataBase, JobKindDefinition, JobPipeline, ShardContext, ShardOutput } from '../runner/job-kind';
import { mmvpAnswerRecord, type PromptStyle } from './mmvp-answer-record';
import { popeAnswerRecord, popeQuestionText } from './pope-answer-record';
import type { QuestionAnswerer } from './question-answerer';
import { runIdentityHash, type RunIdentity } from '@mmvp/results';

/** One MMVP question of an eval-mllm job (image relative to the job's data root). */
export interface MllmJobQuestion {
  readonly id: number;
  readonly image: string;
  readonly question: string;
  readonly options: string;
  readonly answer: string;
}

/** One POPE question of a pope job (image relative to the job's data root). */
export interface PopeJobQuestion {
  readonly questionId: string;
  readonly split: string;
  readonly text: string;
  readonly image: string;
  readonly imageName: string;
  readonly label: string;
}

interface AnsweringJobBase extends JobDataBase {
  readonly pipeline: JobPipeline;
  readonly identity: RunIdentity;
}

/** An eval-mllm job: a shard of whole MMVP pairs. */
export interface MllmJobData extends AnsweringJobBase {
  readonly kind: 'eval-mllm';
  readonly promptStyle: string;
  readonly questions: readonly MllmJobQuestion[];
}

/** A pope job: a shard of POPE questions. */
export interface PopeJobData extends AnsweringJobBase {
  readonly kind: 'pope';
  readonly questions: readonly PopeJobQuestion[];
}

/**
 * A pope job answered through an OpenAI-compatible endpoint: the endpoint named by URL, model,
 * decoding and limits, and the NAME of the environment variable holding its key (each worker reads
 * its own; the key itself never goes to Redis).
 */
export interface PopeEndpointJobData extends JobDataBase {
  readonly kind: 'pope-endpoint';
  readonly endpoint: EndpointConfig;
  readonly identity: RunIdentity;
  readonly questions: readonly PopeJobQuestion[];
}

/** An eval-mllm job answered through an OpenAI-compatible endpoint (as {@link PopeEndpointJobData}: the key's variable name, never the key). */
export interface MllmEndpointJobData extends JobDataBase {
  readonly kind: 'eval-mllm-endpoint';
  readonly endpoint: EndpointConfig;
  readonly identity: RunIdentity;
  readonly promptStyle: string;
  readonly questions: readonly MllmJobQuestion[];
}

/** What an answering shard runs on: a pipeline (or a stand-in answerer), described when it can be. */
export type AnsweringParts = QuestionAnswerer & { describe?(): string[] };

/** A whole pipeline, kept warm across eval-mllm and pope jobs (the same loaded parts serve both kinds). */
const pipelineLoad = {
  name: 'pipeline',
  pipelineOf: (data: MllmJobData | PopeJobData) => data.pipeline,
  create: (config: Parameters<typeof createPipeline>[0], components: { readonly allow: readonly string[]; readonly allowFrom?: string }) => createPipeline(config, { components }),
};

/** The pipeline description with this machine's models root written as the coordinator's (so every worker describes it alike). */
function describeAsCoordinator(lines: readonly string[], workerRoot: string, coordinatorRoot: string): string[] {
  if (workerRoot === coordinatorRoot) return [...lines];
  return lines.map((line) => line.split(workerRoot + sep).join(coordinatorRoot + sep));
}

function describeOf(parts: AnsweringParts, context: ShardContext<AnsweringParts>, coordinatorRoot: string): Pick<ShardOutput, 'describe'> {
  return parts.describe === undefined ? {} : { describe: describeAsCoordinator(parts.describe(), context.modelsRoot, coordinatorRoot) };
}

/**
 * eval-mllm: answers a shard's questions one by one and returns the answer lines (JSON, in the job's
 * order), built by the same record function in one process and on a worker. The images are read under
 * `context.dataRoot`; the records name them relative to the coordinator's data folder. The signal is
 * checked before each question.
 */
export const mllmJobKind: JobKindDefinition<MllmJobData, AnsweringParts> = {
  kind: 'eval-mllm',
  unitsOf: (data) => data.questions.length,
  load: pipelineLoad,
  async runShard(data, context) {
    const runIdentity = runIdentityHash(data.identity);
    const promptStyle = data.promptStyle as PromptStyle;
    const { signal } = context;
    const lines: string[] = [];
    for (const question of data.questions) {
      signal?.throwIfAborted();
      const answer = await context.parts.ask({ image: join(context.dataRoot, question.image), question: question.question, options: question.options, prompt: promptStyle }, signal ? { signal } : {});
      // The record's image path is relative to the coordinator's data folder, whatever this machine's is.
      const record = mmvpAnswerRecord({
        question: { id: question.id, answer: question.answer as MmvpItem['answer'], imagePath: join(data.dataRoot, question.image) },
        answer,
        modelId: data.identity.modelId,
        promptStyle,
        dataDir: data.dataRoot,
        runIdentity,
      });
      lines.push(JSON.stringify(record));
      context.onUnit?.();
    }
    return { lines, ...describeOf(context.parts, context, data.pipeline.modelsRoot) };
  },
};

/** pope: as {@link mllmJobKind}, each POPE question asked with LLaVA's instruction. */
export const popeJobKind: JobKindDefinition<PopeJobData, AnsweringParts> = {
  kind: 'pope',
  unitsOf: (data) => data.questions.length,
  load: pipelineLoad,
  async runShard(data, context) {
    const runIdentity = runIdentityHash(data.identity);
    const { signal } = context;
    const lines: string[] = [];
    for (const question of data.questions) {
      signal?.throwIfAborted();
      const answer = await context.parts.ask({ image: join(context.dataRoot, question.image), question: popeQuestionText(question.text), prompt: 'original' }, signal ? { signal } : {});
      const item = { split: question.split, questionId: question.questionId, label: question.label, image: question.imageName };
      lines.push(JSON.stringify(popeAnswerRecord({ item, answer, modelId: data.identity.modelId, runIdentity })));
      context.onUnit?.();
    }
    return { lines, ...describeOf(context.parts, context, data.pipeline.modelsRoot) };
  },
};

/**
 * What an endpoint shard asks through. In one process: the run's one answerer (the run folder's response cache,
 * requests shared across shards) and `onAnswer`, which checks and records each answer (the resumed run's
 * fingerprint check, the usage ledger). On a worker: an answerer of the job's endpoint, no cache, no hook.
 */
export interface EndpointParts {
  readonly answerer: EndpointAnswerer;
  /** Each answer as it arrives, by the question's id in the usage and failures files; a throw fails the question. */
  readonly onAnswer?: (questionId: number | string, answer: EndpointAnswer) => void;
}

/**
 * Answers one endpoint shard: every question asked of the endpoint the job names (up to its
 * maxConcurrency at once; a question repeated while it is asked is sent once, by the answerer), through
 * the parts the runner holds or, on a worker, with the API key read from THIS machine's environment
 * variable the job names. Returns the answer lines in the job's order, the same in one process and on a
 * worker. A request that fails for good fails the shard (in one process the runner asks the rest and the
 * run records the failure; on the queue BullMQ retries the job and the coordinator commits nothing of it).
 */
async function answerEndpointShard(data: PopeEndpointJobData | MllmEndpointJobData, context: ShardContext<EndpointParts | undefined>): Promise<ShardOutput> {
  const { signal, dataRoot } = context;
  const parts = context.parts ?? (await workerEndpointParts(data.endpoint));
  const runIdentity = runIdentityHash(data.identity);
  const modelId = data.identity.modelId;
  // one request per question: its image (this machine's path), its text, its id, and the answer record of its reply
  const requests =
    data.kind === 'pope-endpoint'
      ? data.questions.map((question) => {
          const text = popeQuestionText(question.text);
          return {
            image: join(dataRoot, question.image),
            text,
            id: `${question.split}:${question.questionId}`,
            record: (reply: ChatReply) =>
              popeAnswerRecord({ item: { split: question.split, questionId: question.questionId, label: question.label, image: question.imageName }, answer: { text: reply.text, prompt: text }, modelId, runIdentity }),
          };
        })
      : data.questions.map((question) => {
          const promptStyle = data.promptStyle as PromptStyle;
          const text = formatQuestion(question.question, question.options, promptStyle);
          return {
            image: join(dataRoot, question.image),
            text,
            id: question.id,
            record: (reply: ChatReply) =>
              mmvpAnswerRecord({
                // the record's image path is relative to the coordinator's data folder, whatever this machine's is
                question: { id: question.id, answer: question.answer as MmvpItem['answer'], imagePath: join(data.dataRoot, question.image) },
                answer: { text: reply.text, prompt: text, ...(reply.finishReason === undefined ? {} : { finishReason: reply.finishReason }) },
                modelId,
                promptStyle,
                dataDir: data.dataRoot,
                runIdentity,
              }),
          };
        });
  const lines: string[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      signal?.throwIfAborted();
      const index = next++;
      const request = requests[index]!;
      const answer = await parts.answerer.ask({ image: request.image, text: request.text }, signal === undefined ? {} : { signal });
      parts.onAnswer?.(request.id, answer);
      lines[index] = JSON.stringify({ ...request.record(answer.reply), ...endpointAnswerFields(answer.reply) });
      context.onUnit?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(data.endpoint.maxConcurrency, Math.max(1, requests.length)) }, worker));
  return { lines };
}

/** A worker's parts for an endpoint job: an answerer of the job's endpoint with this machine's key (no response cache). */
async function workerEndpointParts(endpoint: EndpointConfig): Promise<EndpointParts> {
  const apiKey = readEndpointApiKey(endpoint.apiKeyEnv);
  return { answerer: await createEndpointAnswerer({ config: endpoint, ...(apiKey === undefined ? {} : { apiKey }) }) };
}

/** pope through an endpoint: nothing to load (the endpoint answers; in one process the runner holds the run's answerer). */
export const popeEndpointJobKind: JobKindDefinition<PopeEndpointJobData, EndpointParts | undefined> = {
  kind: 'pope-endpoint',
  unitsOf: (data) => data.questions.length,
  runShard: answerEndpointShard,
};

/** eval-mllm through an endpoint: as {@link popeEndpointJobKind}. */
export const mllmEndpointJobKind: JobKindDefinition<MllmEndpointJobData, EndpointParts | undefined> = {
  kind: 'eval-mllm-endpoint',
  unitsOf: (data) => data.questions.length,
  runShard: answerEndpointShard,
};

/** The answering job kinds of this folder (eval-mllm, pope and their endpoint twins), for the study's kind table. */
export const answerJobKinds = [mllmJobKind, popeJobKind, popeEndpointJobKind, mllmEndpointJobKind] as const;
