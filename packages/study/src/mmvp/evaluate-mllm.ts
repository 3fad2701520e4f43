import { createHash } from 'node:crypto';
import { basename, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { QUESTION_STYLES, type QuestionStyle } from '@mmvp/decoder';
import { LABEL_SETS, formatIssue, loadMmvp, readAnswers, type LabelSet, type MmvpDataset, type MmvpItem, type SkippedPair } from '@mmvp/datasets';
import { decodeImage } from '@mmvp/image';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { packageVersions } from '../provenance/package-versions';
import type { PromptStyle } from './mmvp-answer-record';
import type { QuestionAnswerer } from './question-answerer';

export type { QuestionAnswerer } from './question-answerer';
import { GRADERS, checkGradeInputs, fileExists, gradeMllmAnswers, summaryLines } from './grade-mllm';
import type { ScoresDocument } from './scores-document';
import { hashModelFiles, type ModelFile } from '../provenance/model-files';
import type { EvalMllmEvent, GradeEvent } from './mmvp-events';
import { workflowEmitter } from '../runner/workflow-events';
import { queueSettingsSchema } from '../queue/queue-settings';
import type { QueueRunSummary } from '../queue/queued-answers';
import { queueRunner } from '../queue/queue-runner';
import { inProcessRunner } from '../runner/in-process-runner';
import type { JobPipeline, PlannedShard } from '../runner/job-kind';
import { answerShards } from './answer-shards';
import { mllmJobKind, type MllmJobData } from './answer-job-kinds';
import { jobPipeline } from '../queue/job-pipeline';
import { endpointConfigSchema, parseEndpointConfig, readEndpointConfigFile } from '@mmvp/endpoint';
import { evaluateMllmThroughEndpoint } from './evaluate-mllm-endpoint';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';
import {
  sha256File,
  withRunFolderLock,
  writeFileAtomic,
  writeRunInfo,
  prepareAnswerLog,
  type ExistingAnswer,
  RUN_IDENTITY_FILE,
  checkRunIdentity,
  decodingIdentity,
  pipelineModelId,
  readStoredIdentity,
  runIdentityHash,
  type RunIdentity,
} from '@mmvp/results';

/** The question styles the decoder formats (original script, lmms-eval, Cambrian): one list, in @mmvp/decoder. */
export const PROMPT_STYLES = QUESTION_STYLES as readonly [QuestionStyle, ...QuestionStyle[]];

/** Options of {@link evaluateMllm}, checked with zod (the CLI declares its flags from it). */
const optionsSchema = z
  .object({
    /** Pipeline config (JSON) with a decoder section, or an endpoint config (`"kind": "endpoint"`). */
    pipeline: z.string().min(1).optional(),
    /** A model behind an OpenAI-compatible endpoint instead of a pipeline (url, model, apiKeyEnv, maxConcurrency, requestsPerMinute, timeoutMs, decoding). */
    endpoint: endpointConfigSchema.omit({ kind: true }).optional(),
    /** MMVP folder: Questions.csv + 'MMVP Images/' (a patterns.csv there gives a per-pattern table). */
    data: z.string().min(1),
    /** Run folder: answers.jsonl, run-identity.json, scores.*, graded.csv, run.json. */
    out: z.string().min(1),
    promptStyle: z.enum(PROMPT_STYLES).optional(),
    resume: z.boolean().default(false),
    labels: z.enum(LABEL_SETS as [LabelSet, ...LabelSet[]]).default('original'),
    grader: z.enum(GRADERS).default('rule'),
    patternsFile: z.string().min(1).optional(),
    judgeUrl: z.string().url().default('https://api.openai.com/v1'),
    judgeModel: z.string().min(1).optional(),
    judgeKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
    judgeConcurrency: z.number().int().positive().default(4),
    /** Any problem in the benchmark folder (a missing or unreadable image included) is fatal. */
    strict: z.boolean().default(false),
    /** Run distributed: jobs on BullMQ (Redis), answered by `mmvp worker`s; this process commits them. */
    queue: queueSettingsSchema.optional(),
    tool: z.string().optional(),
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
    /** Receives the run's events (typed in {@link EvaluateMllmOptions}). */
    onEvent: z.function().optional(),
  })
  .strict()
  .refine((value) => (value.pipeline === undefined) !== (value.endpoint === undefined), {
    message: "give either 'pipeline' (a pipeline or endpoint config file) or 'endpoint' (an OpenAI-compatible endpoint), not both or neither",
  });

/** What a caller passes to {@link evaluateMllm}: the MMVP folder, the pipeline, the prompt style and the run folder. */
export type EvaluateMllmOptions = Omit<z.input<typeof optionsSchema>, 'onEvent' | 'abortSignal'> & {
  /** Stops the run at its next answer; the answers so far stay in answers.jsonl (`resume` continues). */
  readonly abortSignal?: AbortSignal;
  /** Receives the run's events: what it resolved, answers (or queue jobs) done, warnings, then those of its grading (`workflow: 'grade'`). */
  readonly onEvent?: (event: EvalMllmEvent | GradeEvent) => void;
};

/** What evaluateMllm returns (and wrote into `out`). */
export interface MllmEvaluation {
  readonly scores: ScoresDocument;
  readonly identity: RunIdentity;
  readonly runIdentity: string;
  readonly promptStyle: PromptStyle;
  /** Answers asked in this run (the rest were already in answers.jsonl). */
  readonly asked: number;
  /** Pairs left out: a missing or unreadable image. */
  readonly skippedPairs: readonly SkippedPair[];
  readonly files: readonly string[];
  /** With `queue`: what the coordinator did (shards, how many were already committed, enqueued, adopted from Redis; the workers). */
  readonly queue?: QueueRunSummary;
}

/** Why an image cannot be used (decodes it the way the pipeline will), or undefined. */
export async function checkImageReadable(path: string): Promise<string | undefined> {
  try {
    await decodeImage(path);
    return undefined;
  } catch (error) {
    return `image ${path} cannot be read (${(error as Error).message.replace(/\s+/g, ' ').slice(0, 200)})`;
  }
}

/**
 * MMVP on a pipeline: every question answered and appended to OUT/answers.jsonl as it is produced
 * (`resume` continues a killed run), then graded. Everything that can be checked is checked before
 * the pipeline loads: options, the benchmark folder and its images, the pattern map, the judge's key,
 * and the run's identity against run-identity.json and every answer already in the file. The folder
 * is locked for the whole run (a second run into it fails at once).
 *
 * @example
 * ```ts
 * import { evaluateMllm } from '@mmvp/study';
 *
 * // a pipeline config (encoders + adapter + decoder) and the MMVP folder (Questions.csv + 'MMVP Images/')
 * const run = await evaluateMllm({ pipeline: 'models/zoo/llava-clip/pipeline.json', data: 'data/MMVP', out: 'runs/llava-clip', resume: true });
 * console.log(run.scores.pairAccuracy, run.scores.pairAccuracyCi95); // both answers of a pair right, with its 95% interval
 *
 * // the same run on N machines: `mmvp worker --queue redis://127.0.0.1:6379` on each, and here
 * await evaluateMllm({ pipeline: 'models/zoo/llava-clip/pipeline.json', data: 'data/MMVP', out: 'runs/llava-clip', queue: { url: 'redis://127.0.0.1:6379' } });
 * ```
 */
export async function evaluateMllm(options: EvaluateMllmOptions): Promise<MllmEvaluation> {
  const settings = parseWorkflowOptions('evaluateMllm', optionsSchema, options);
  const emit = workflowEmitter<EvalMllmEvent>('eval-mllm', options.onEvent);
  const warn = (message: string) => emit({ type: 'warning', message });
  const patternsFile = settings.patternsFile ?? ((await fileExists(join(settings.data, 'patterns.csv'))) ? join(settings.data, 'patterns.csv') : undefined);
  const answersFile = join(settings.out, 'answers.jsonl');
  const gradeOptions = {
    questionsFile: join(settings.data, 'Questions.csv'),
    answersFile,
    grader: settings.grader,
    labels: settings.labels,
    ...(patternsFile === undefined ? {} : { patternsFile }),
    out: settings.out,
    judgeUrl: settings.judgeUrl,
    ...(settings.judgeModel === undefined ? {} : { judgeModel: settings.judgeModel }),
    judgeKeyEnv: settings.judgeKeyEnv,
    judgeConcurrency: settings.judgeConcurrency,
    ...(settings.tool === undefined ? {} : { tool: settings.tool }),
  };
  await checkGradeInputs(gradeOptions); // judge key, judge model, pattern map: before anything is loaded
  const endpoint = settings.endpoint !== undefined ? parseEndpointConfig({ kind: 'endpoint', ...settings.endpoint }, 'eval-mllm endpoint options') : await readEndpointConfigFile(settings.pipeline!);
  if (endpoint !== undefined) {
    return evaluateMllmThroughEndpoint({
      endpoint,
      data: settings.data,
      out: settings.out,
      resume: settings.resume,
      labels: settings.labels,
      strict: settings.strict,
      promptStyle: settings.promptStyle,
      grader: settings.grader,
      gradeOptions,
      checkImage: checkImageReadable,
      prepareAnswers: prepareMmvpAnswers,
      queue: settings.queue,
      defaultShardSize: MLLM_SHARD_SIZE,
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    });
  }
  const pipelinePath = settings.pipeline!;
  const config = await loadPipelineConfig(pipelinePath);
  const promptStyle: PromptStyle = settings.promptStyle ?? config.decoder?.prompt ?? 'original';
  const dataset = await loadMmvp(settings.data, { labels: settings.labels, strict: settings.strict, checkImage: checkImageReadable, onIssue: (issue) => warn(formatIssue(issue)) });
  const modelFiles = await hashModelFiles(config);
  const decoding = config.decoder === undefined ? undefined : { ...config.decoder };
  const identity: RunIdentity = {
    pipelineConfigSha256: await sha256File(pipelinePath),
    modelFilesSha256: createHash('sha256')
      .update(modelFiles.map((file) => `${file.sha256} ${file.bytes}`).join('\n'))
      .digest('hex'),
    promptStyle,
    decoding: decodingIdentity(decoding),
    labels: settings.labels,
    questionsSha256: await sha256File(dataset.questionsFile),
    modelId: pipelineModelId(config, pipelinePath),
  };

  return withRunFolderLock(settings.out, 'eval-mllm', async () => {
    const stored = await readStoredIdentity(settings.out);
    const done = await prepareMmvpAnswers({ questions: dataset.questions, answersFile, resume: settings.resume, identity, out: settings.out, stored });
    await writeFileAtomic(join(settings.out, RUN_IDENTITY_FILE), `${JSON.stringify({ identity, runIdentity: runIdentityHash(identity), modelFiles, decoding: decoding ?? null }, null, 2)}\n`);

    const versions = packageVersions([
      '@mmvp/datasets',
      '@mmvp/metrics',
      '@mmvp/pipeline',
      '@mmvp/decoder',
      '@mmvp/encoder-clip',
      '@mmvp/encoder-dinov2',
      '@mmvp/adapters',
      '@mmvp/mof',
      '@mmvp/kernels',
      '@mmvp/study',
      'onnxruntime-node',
    ]);
    const questionsLine =
      `${dataset.questions.length} questions (${dataset.questionsFile}, labels ${settings.labels}), prompt style ${promptStyle}` +
      (dataset.skippedPairs.length > 0 ? `; ${dataset.skippedPairs.length} pair(s) skipped (missing or unreadable image)` : '');
    const identityLine = `run identity ${runIdentityHash(identity)}${done.size > 0 ? `; resuming after ${done.size} answer(s)` : ''}`;
    // One plan, one runShard (mllmJobKind), one commit: workers answer it (--queue; this process checks and
    // commits, the only writer of the folder) or this process does, on the pipeline it loaded.
    const queue = settings.queue;
    const shardSize = queue?.shardSize ?? MLLM_SHARD_SIZE;
    const pipeline = queue === undefined ? await createPipeline(config) : undefined;
    const described = pipeline?.describe();
    const modelFilesLine = `model files: ${modelFiles.map((file) => basename(file.path)).join(', ')}`;
    let run: Awaited<ReturnType<typeof answerShards>>;
    try {
      emit({
        type: 'resolved',
        lines:
          queue === undefined
            ? [questionsLine, ...described!, modelFilesLine, identityLine]
            : [
                questionsLine,
                // a pair is never split: an odd size holds one question less (a size of 1 holds a pair)
                `queue ${queue.url} (${queue.queueName}): jobs of ${Math.max(2, shardSize - (shardSize % 2))} questions, whole pairs${shardSize % 2 === 1 ? ` (--shard-size ${shardSize} rounded to whole pairs)` : ''}; answered by mmvp workers`,
                modelFilesLine,
                identityLine,
              ],
      });
      run = await answerShards({
        definition: mllmJobKind,
        runner: queue === undefined ? inProcessRunner({ parts: pipeline }) : queueRunner(queue),
        shardSize,
        ...mllmShardPlan({ questions: dataset.questions, dataDir: settings.data, promptStyle, identity, pipeline: jobPipeline(config, modelFiles, identity.modelFilesSha256) }),
        runIdentity: runIdentityHash(identity),
        out: settings.out,
        answersFile,
        done,
        ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
        onEvent: emit,
      });
    } finally {
      await pipeline?.dispose();
    }
    const { asked } = run;
    const resolved = described ?? run.describe ?? (await describePipeline(config));
    const queueSummary: QueueRunSummary | undefined =
      queue === undefined ? undefined : { runId: run.runId, shards: run.shards, alreadyCommitted: run.alreadyCommitted, enqueued: run.enqueued, adopted: run.adopted, workers: run.workers };

    const pipelineConfig = { path: resolve(pipelinePath), sha256: identity.pipelineConfigSha256, resolved, config };
    const scores = await gradeMllmAnswers({
      ...gradeOptions,
      allowMissing: dataset.skippedQuestionIds.length > 0,
      questionSet: dataset,
      ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      extraProvenance: { pipelineConfig, modelFiles, promptStyle, decoding, packages: versions, runIdentity: runIdentityHash(identity) },
      skippedPairs: dataset.skippedPairs.map((pair) => ({ ...pair })),
    });
    await writeResultsFolder(settings.out, { scores, dataset, modelFiles, identity, pipeline: pipelinePath, grader: settings.grader });
    const files = ['answers.jsonl', RUN_IDENTITY_FILE, 'scores.json', 'scores.csv', 'graded.csv', 'scores.md', 'run.json'].map((name) => join(settings.out, name));
    return { scores, identity, runIdentity: runIdentityHash(identity), promptStyle, asked, skippedPairs: dataset.skippedPairs, files, ...(queueSummary === undefined ? {} : { queue: queueSummary }) };
  });
}

/** Questions per eval-mllm job (whole pairs) when the queue settings name no shard size. */
export const MLLM_SHARD_SIZE = 20;

/** A pipeline's description without answering anything (a distributed run where no job ran in this invocation). */
async function describePipeline(config: Parameters<typeof createPipeline>[0]): Promise<string[]> {
  const pipeline = await createPipeline(config);
  try {
    return pipeline.describe();
  } finally {
    await pipeline.dispose();
  }
}

/**
 * Checks answers.jsonl before a run appends to it (see prepareAnswerLog): only questions of this
 * benchmark, every line of this run's model and identity, then a newline-terminated file.
 */
async function prepareMmvpAnswers(options: {
  readonly questions: readonly MmvpItem[];
  readonly answersFile: string;
  readonly resume: boolean;
  readonly identity: RunIdentity;
  readonly out: string;
  readonly stored?: Awaited<ReturnType<typeof readStoredIdentity>>;
}): Promise<ReadonlySet<string>> {
  return prepareAnswerLog({
    file: options.answersFile,
    resume: options.resume,
    knownKeys: new Set(options.questions.map((question) => String(question.id))),
    readExisting: async (file) => (await readAnswers(file, { dropTruncatedLastLine: true })).answers.map((answer): ExistingAnswer => ({ key: String(answer.questionId), line: answer.line, fields: answer.fields })),
    describeUnknown: (answer) => `${options.answersFile}:${answer.line}: question_id ${answer.key} is not a question of this benchmark; is --out the folder of another run?`,
    checkExisting: (records) => checkRunIdentity({ identity: options.identity, stored: options.resume ? options.stored : undefined, records, answersFile: options.answersFile, out: options.out }),
  });
}

/**
 * eval-mllm's plan of a question list: its items, keys (question id), groups (a pair stays in one
 * shard) and the job data of a shard (images relative to the data folder, as a worker finds them
 * under its --data-root). The in-process run and the queue run both use it.
 */
function mllmShardPlan(run: { readonly questions: readonly MmvpItem[]; readonly dataDir: string; readonly promptStyle: PromptStyle; readonly identity: RunIdentity; readonly pipeline: JobPipeline }) {
  const dataRoot = resolve(run.dataDir);
  return {
    items: run.questions,
    keyOf: (question: MmvpItem) => String(question.id),
    groupOf: (question: MmvpItem) => String(question.pairId),
    recordKeyOf: (record: Record<string, unknown>) => String(record['question_id']),
    jobData: (runId: string, shard: PlannedShard<MmvpItem>): MllmJobData => ({
      kind: 'eval-mllm',
      runId,
      shard: shard.shard,
      pipeline: run.pipeline,
      dataRoot,
      identity: run.identity,
      promptStyle: run.promptStyle,
      questions: shard.items.map((question) => ({ id: question.id, image: relative(dataRoot, resolve(question.imagePath)), question: question.question, options: question.optionsText, answer: question.answer })),
    }),
  };
}

/**
 * Asks every question not yet answered and appends each answer as one JSON line as soon as it is
 * produced: the original script's fields (question_id, prompt, answer, response, answer_id,
 * model_id) plus prompt_style, image, finish_reason, generated_tokens and run_identity. Nothing in a
 * line depends on timing, so a killed run resumed gives the same file as an uninterrupted one.
 * Without `done`, the file is checked first (prepareMmvpAnswers). The same plan, `runShard`
 * (mllmJobKind) and commit as a distributed run, on the in-process runner with `answerer` as its parts.
 */
export async function answerMmvpQuestions(options: {
  readonly questions: readonly MmvpItem[];
  readonly answerer: QuestionAnswerer;
  readonly answersFile: string;
  readonly dataDir: string;
  readonly promptStyle: PromptStyle;
  readonly identity: RunIdentity;
  readonly resume?: boolean;
  readonly done?: ReadonlySet<string>;
  /** Receives the answers done (`type: 'progress'`, stage `answers`). */
  readonly onEvent?: (event: EvalMllmEvent) => void;
  readonly abortSignal?: AbortSignal;
}): Promise<{ asked: number; skipped: number }> {
  const done = options.done ?? (await prepareMmvpAnswers({ questions: options.questions, answersFile: options.answersFile, resume: options.resume === true, identity: options.identity, out: options.dataDir }));
  // the answerer is given: nothing loads, so the job's pipeline names no model file
  const pipeline: JobPipeline = { config: {}, modelsRoot: sep, modelFiles: [], modelFilesSha256: options.identity.modelFilesSha256 };
  const run = await answerShards({
    definition: mllmJobKind,
    runner: inProcessRunner({ parts: options.answerer }),
    shardSize: MLLM_SHARD_SIZE,
    ...mllmShardPlan({ questions: options.questions, dataDir: options.dataDir, promptStyle: options.promptStyle, identity: options.identity, pipeline }),
    runIdentity: runIdentityHash(options.identity),
    out: options.dataDir,
    answersFile: options.answersFile,
    done,
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    onEvent: workflowEmitter<EvalMllmEvent>('eval-mllm', options.onEvent),
  });
  return { asked: run.asked, skipped: options.questions.length - run.asked };
}

/** run.json (results format): with scores.json, what `mmvp report OUT` renders of an eval-mllm folder (its scores are written once, in scores.json). */
async function writeResultsFolder(out: string, run: { scores: ScoresDocument; dataset: MmvpDataset; modelFiles: readonly ModelFile[]; identity: RunIdentity; pipeline: string; grader: 'rule' | 'llm' }): Promise<void> {
  const { scores } = run;
  await writeRunInfo(out, {
    format: 'mmvp-results/v1',
    title: `MMVP evaluation of ${run.identity.modelId}`,
    createdAt: String(scores.provenance['createdAt']),
    command: 'eval-mllm',
    dataset: { name: 'MMVP', path: resolve(run.dataset.dir) },
    grading: { method: run.grader, labels: run.identity.labels as LabelSet },
    models: [{ name: run.identity.modelId, path: resolve(run.pipeline), description: `prompt style ${run.identity.promptStyle}; run identity ${runIdentityHash(run.identity)}` }],
    notes: [...summaryLines(scores), ...run.dataset.skippedPairs.map((pair) => `skipped pair ${pair.pairId}: ${pair.reason}`), `model files: ${run.modelFiles.length} (${RUN_IDENTITY_FILE})`],
  });
}

export { optionsSchema as evaluateMllmOptionsSchema };
