import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { DatasetError, InvalidArgumentError, listChoices } from '@mmvp/core';
import { endpointConfigSchema, parseEndpointConfig, readEndpointApiKey, readEndpointConfigFile } from '@mmvp/endpoint';
import { formatIssue, loadPope, readJsonLines, type PopeQuestion } from '@mmvp/datasets';
import { pope, type PopeScores } from '@mmvp/metrics';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { packageVersions } from '../provenance/package-versions';
import { popeEndpointJobKind, popeJobKind } from './answer-job-kinds';
import { answerShards } from './answer-shards';
import { checkImageReadable, type QuestionAnswerer } from './evaluate-mllm';
import { POPE_INSTRUCTION } from './pope-answer-record';

import { hashModelFiles } from '../provenance/model-files';
import type { PopeEvent } from './mmvp-events';
import { workflowEmitter } from '../runner/workflow-events';
import { queueSettingsSchema } from '../queue/queue-settings';
import { queueSummaryLine } from '../queue/queued-answers';
import { queueRunner } from '../queue/queue-runner';
import { inProcessRunner } from '../runner/in-process-runner';
import { jobPipeline } from '../queue/job-pipeline';
import { checkQueuedEndpointUrl, describeEndpoint, endpointIdentity } from './evaluate-mllm-endpoint';
import { answerEndpointShards, endpointRunRecord, fingerprintsInFile, inProcessEndpoint } from './endpoint-answers';
import { parseWorkflowOptions } from '../runner/parse-workflow-options';
import {
  sha256File,
  withRunFolderLock,
  writeFileAtomic,
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

/** POPE's three negative-sampling settings, in the paper's order. */
export const POPE_SPLITS = ['random', 'popular', 'adversarial'] as const;
/** One of POPE's three negative-sampling splits. */
export type PopeSplit = (typeof POPE_SPLITS)[number];

/** Options of {@link evaluatePope}, checked with zod (the CLI declares its flags from it). */
const optionsSchema = z
  .object({
    /** Pipeline config (JSON), or an endpoint config (`"kind": "endpoint"`). */
    pipeline: z.string().min(1).optional(),
    /** A model behind an OpenAI-compatible endpoint instead of a pipeline (url, model, apiKeyEnv, maxConcurrency, requestsPerMinute, timeoutMs, decoding). */
    endpoint: endpointConfigSchema.omit({ kind: true }).optional(),
    /** Folder with the released question files, `<dataset>_pope_<split>.json` (JSON lines), e.g. coco_pope_random.json. */
    data: z.string().min(1),
    /** Images (COCO val2014); default DATA/val2014, else DATA/images, else DATA. */
    images: z.string().min(1).optional(),
    out: z.string().min(1),
    resume: z.boolean().default(false),
    strict: z.boolean().default(false),
    /** Run distributed: jobs on BullMQ (Redis), answered by `mmvp worker`s; this process commits them. */
    queue: queueSettingsSchema.optional(),
    tool: z.string().optional(),
    /** A stand-in for the pipeline (tests); the config is still read for the run's identity. */
    answerer: z.custom<QuestionAnswerer>((value) => value === undefined || typeof (value as QuestionAnswerer).ask === 'function').optional(),
    abortSignal: z.custom<AbortSignal>((value) => value === undefined || value instanceof AbortSignal).optional(),
    /** Receives the run's events (typed in {@link EvaluatePopeOptions}). */
    onEvent: z.function().optional(),
  })
  .strict()
  .refine((value) => (value.pipeline === undefined) !== (value.endpoint === undefined), {
    message: "give either 'pipeline' (a pipeline or endpoint config file) or 'endpoint' (an OpenAI-compatible endpoint), not both or neither",
  });

/** What a caller passes to {@link evaluatePope}: the POPE data, the pipeline, the splits and the run folder. */
export type EvaluatePopeOptions = Omit<z.input<typeof optionsSchema>, 'onEvent' | 'abortSignal' | 'answerer'> & {
  readonly answerer?: QuestionAnswerer;
  /** Stops the run at its next answer; the answers so far stay in answers.jsonl (`resume` continues). */
  readonly abortSignal?: AbortSignal;
  /** Receives the run's events: what it resolved, answers (or queue jobs) done, warnings. */
  readonly onEvent?: (event: PopeEvent) => void;
};

/** A question left out before any model call (its image is missing or does not decode), with its split and the reason. */
export interface PopeSkippedQuestion {
  readonly split: string;
  readonly questionId: string;
  readonly image: string;
  readonly reason: string;
}

/** One split's scores: fractions in [0, 1] as the POPE paper reports them. */
export interface PopeSplitScores extends PopeScores {
  readonly split: PopeSplit;
  readonly questionsFile: string;
  /** Endpoint runs: refused, filtered or empty replies, left out of the scores (neither yes nor no); absent when none. */
  readonly undetermined?: number;
}

/**
 * pope-scores.json: only what the answers determine, so a killed run resumed writes the same file as
 * an uninterrupted one (timestamps aside). How many questions this invocation asked is in the result
 * (`PopeRunResult.asked`), not in the file.
 */
export interface PopeEvaluation {
  readonly benchmark: 'POPE';
  readonly splits: readonly PopeSplitScores[];
  /** Questions left out (missing or unreadable image), scored as neither right nor wrong; with `strict` the run fails instead. */
  readonly skippedQuestions: readonly PopeSkippedQuestion[];
  readonly runIdentity: string;
  readonly answersFile: string;
  readonly provenance: Record<string, unknown>;
}

/** What evaluatePope returns: pope-scores.json plus how many questions this run asked (the rest were resumed). */
export interface PopeRunResult extends PopeEvaluation {
  readonly asked: number;
  /** With `queue`: what the coordinator did, in one line (jobs already committed, enqueued, adopted; the workers). */
  readonly queueSummary?: string;
}

/** Questions per pope job when the queue settings name no shard size. */
export const POPE_SHARD_SIZE = 50;

interface PopeItem extends PopeQuestion {
  readonly split: PopeSplit;
}

/** Finds `<name>_pope_<split>.json(l)` files (the release's names) in `data`, at most one per split. */
async function findSplitFiles(data: string): Promise<{ split: PopeSplit; file: string }[]> {
  let names: string[];
  try {
    names = (await readdir(data)).sort();
  } catch (cause) {
    throw new DatasetError(`POPE folder ${data} cannot be read (${(cause as Error).message}); expected coco_pope_random.json, coco_pope_popular.json, coco_pope_adversarial.json`, { cause });
  }
  const found: { split: PopeSplit; file: string }[] = [];
  for (const split of POPE_SPLITS) {
    const matches = names.filter((name) => new RegExp(`(^|_)pope_${split}\\.jsonl?$`).test(name));
    if (matches.length > 1) throw new DatasetError(`${data} has ${matches.length} question files for the ${split} split (${listChoices(matches)}); keep one`);
    if (matches.length === 1) found.push({ split, file: join(data, matches[0]!) });
  }
  if (found.length === 0) throw new DatasetError(`${data} has no POPE question file; expected the released names, e.g. coco_pope_random.json, coco_pope_popular.json, coco_pope_adversarial.json`);
  return found;
}

async function imagesFolder(data: string, images: string | undefined): Promise<string> {
  if (images !== undefined) return images;
  for (const name of ['val2014', 'images']) {
    const candidate = join(data, name);
    if (
      await stat(candidate).then(
        (info) => info.isDirectory(),
        () => false,
      )
    )
      return candidate;
  }
  return data;
}

/**
 * POPE on a pipeline: every question of every split found in `data` answered and appended to
 * OUT/pope-answers.jsonl as it is produced (LLaVA's answer fields: question_id, prompt, text,
 * answer_id, model_id, plus category, label, image, run_identity), with the same resumable,
 * identity-checked machinery as eval-mllm; then accuracy, precision, recall, F1 and yes-ratio per
 * split ("yes" positive) into OUT/pope-scores.json. The folder is locked for the whole run.
 *
 * @example
 * ```ts
 * import { evaluatePope } from '@mmvp/study';
 *
 * // the released question files (coco_pope_random.json, ...) and COCO val2014 images under data/pope
 * const pope = await evaluatePope({ pipeline: 'models/zoo/llava-imof/pipeline.json', data: 'data/pope', out: 'runs/pope' });
 * for (const split of pope.splits) console.log(split);
 * ```
 */
export async function evaluatePope(options: EvaluatePopeOptions): Promise<PopeRunResult> {
  const settings = parseWorkflowOptions('evaluatePope', optionsSchema, options);
  const emit = workflowEmitter<PopeEvent>('pope', options.onEvent);
  const splitFiles = await findSplitFiles(settings.data);
  const imagesDir = await imagesFolder(settings.data, settings.images);
  // Every split file is read and every image decoded once before the first model call: a bad split
  // file or a corrupt image stops (or is skipped) here, never after the other splits were answered.
  const imageChecks = new Map<string, Promise<string | undefined>>();
  const checkImage = (path: string) => {
    let check = imageChecks.get(path);
    if (check === undefined) imageChecks.set(path, (check = checkImageReadable(path)));
    return check;
  };
  const items: PopeItem[] = [];
  const skippedQuestions: PopeSkippedQuestion[] = [];
  for (const { split, file } of splitFiles) {
    const dataset = await loadPope(file, imagesDir, { strict: settings.strict, checkImage, onIssue: (issue) => emit({ type: 'warning', message: formatIssue(issue) }) });
    if (dataset.questions.length === 0) {
      const why =
        dataset.skippedQuestions.length > 0
          ? `all ${dataset.skippedQuestions.length} question(s) skipped (${dataset.skippedQuestions[0]!.reason}${dataset.skippedQuestions.length > 1 ? ', ...' : ''})`
          : dataset.issues.length > 0
            ? `${dataset.issues.length} problem(s): ${dataset.issues[0]!.message}`
            : 'the file is empty';
      throw new DatasetError(`POPE question file ${file} (${split} split) has no usable question: ${why}; fix it, or move it out of ${settings.data} to run the other splits`);
    }
    const contradicting = dataset.questions.filter((question) => question.category !== undefined && question.category !== split);
    if (contradicting.length > 0) {
      emit({
        type: 'warning',
        message: `${file}: ${contradicting.length} question(s) say category '${contradicting[0]!.category}' (line ${contradicting[0]!.line}), but the file name makes them the ${split} split; scored as ${split}`,
      });
    }
    items.push(...dataset.questions.map((question) => ({ ...question, split })));
    skippedQuestions.push(...dataset.skippedQuestions.map((question) => ({ split, ...question })));
  }
  const questionHashes = await Promise.all(splitFiles.map(async ({ split, file }) => `${split} ${await sha256File(file)}`));
  const questionsSha256 = createHash('sha256').update(questionHashes.join('\n')).digest('hex');
  const endpoint = settings.endpoint !== undefined ? parseEndpointConfig({ kind: 'endpoint', ...settings.endpoint }, 'pope endpoint options') : await readEndpointConfigFile(settings.pipeline!);
  if (endpoint !== undefined && settings.answerer !== undefined) throw new InvalidArgumentError("pope: 'answerer' stands in for a pipeline; it cannot be given with an endpoint model");
  const apiKey = endpoint === undefined || settings.queue !== undefined ? undefined : readEndpointApiKey(endpoint.apiKeyEnv);
  if (endpoint !== undefined && settings.queue !== undefined) checkQueuedEndpointUrl(endpoint);
  const config = endpoint === undefined ? await loadPipelineConfig(settings.pipeline!) : undefined;
  const modelFiles = config === undefined ? [] : await hashModelFiles(config);
  const decoding = config?.decoder === undefined ? undefined : { ...config.decoder };
  const identity: RunIdentity =
    endpoint !== undefined
      ? endpointIdentity(endpoint, { promptStyle: 'pope', labels: 'pope', questionsSha256 })
      : {
          pipelineConfigSha256: await sha256File(settings.pipeline!),
          modelFilesSha256: createHash('sha256')
            .update(modelFiles.map((file) => `${file.sha256} ${file.bytes}`).join('\n'))
            .digest('hex'),
          promptStyle: 'pope',
          decoding: decodingIdentity(decoding),
          labels: 'pope',
          questionsSha256,
          modelId: pipelineModelId(config!, settings.pipeline!),
        };
  const runIdentity = runIdentityHash(identity);
  const answersFile = join(settings.out, 'pope-answers.jsonl');
  const keyOf = (item: { split: string; questionId: string }) => `${item.split}:${item.questionId}`;

  return withRunFolderLock(settings.out, 'pope', async () => {
    const stored = await readStoredIdentity(settings.out);
    const done = await prepareAnswerLog({
      file: answersFile,
      resume: settings.resume,
      knownKeys: new Set(items.map(keyOf)),
      readExisting: readPopeAnswers,
      describeUnknown: (answer) => `${answersFile}:${answer.line}: ${answer.key} is not a question of the POPE files in ${settings.data}; is --out the folder of another run?`,
      checkExisting: (records) => checkRunIdentity({ identity, stored: settings.resume ? stored : undefined, records, answersFile, out: settings.out }),
    });
    const knownFingerprints = endpoint === undefined ? new Set<string>() : await fingerprintsInFile(answersFile, done.size > 0);
    const identityRecord =
      endpoint === undefined ? { identity, runIdentity, modelFiles, decoding: decoding ?? null } : { identity, runIdentity, endpoint: endpointRunRecord(endpoint), systemFingerprints: [...knownFingerprints] };
    await writeFileAtomic(join(settings.out, RUN_IDENTITY_FILE), `${JSON.stringify(identityRecord, null, 2)}\n`);
    const identityLine = `run identity ${runIdentity}${done.size > 0 ? `; resuming after ${done.size} answer(s)` : ''}`;
    const questionsLine =
      `${items.length} questions (${splitFiles.map(({ split, file }) => `${split}: ${basename(file)}`).join(', ')}), images ${imagesDir}` +
      (skippedQuestions.length > 0 ? `; ${skippedQuestions.length} question(s) skipped (missing or unreadable image; --strict makes this fatal)` : '');
    // The plan of both runners: shards of POPE_SHARD_SIZE questions (or the queue's shardSize).
    const spec = endpoint === undefined ? jobPipeline(config!, modelFiles, identity.modelFilesSha256) : undefined;
    const dataRoot = resolve(imagesDir);
    const jobQuestions = (shardItems: readonly PopeItem[]) =>
      shardItems.map((item) => ({ questionId: item.questionId, split: item.split, text: item.text, image: relative(dataRoot, resolve(item.imagePath)), imageName: item.image, label: item.label }));
    const popePlan = { items, keyOf, recordKeyOf: (record: Record<string, unknown>) => `${String(record['category'])}:${String(record['question_id'])}` };
    let asked: number;
    let queueSummary: string | undefined;
    let endpointUsage: Record<string, unknown> | undefined;
    const queue = settings.queue;
    const queueLine = (throughEndpoint: string) => `queue ${queue!.url} (${queue!.queueName}): jobs of ${queue!.shardSize ?? POPE_SHARD_SIZE} questions; answered by mmvp workers${throughEndpoint}`;
    if (endpoint !== undefined) {
      // One plan, one runShard (popeEndpointJobKind), one commit: workers ask the endpoint (--queue; this process
      // checks and commits, the only writer of the folder) or this process does, through the run folder's cache.
      const local = queue === undefined ? await inProcessEndpoint({ endpoint, apiKey, out: settings.out, answersFile, knownFingerprints }) : undefined;
      emit({
        type: 'resolved',
        lines: [
          questionsLine,
          ...(local !== undefined
            ? describeEndpoint(endpoint, local.answerer)
            : [queueLine(` through the endpoint ${endpointRunRecord(endpoint).url}, model ${endpoint.model} (each worker reads the key from its own $${endpoint.apiKeyEnv})`)]),
          identityLine,
        ],
      });
      const run = await answerEndpointShards({
        definition: popeEndpointJobKind,
        runner: local?.runner ?? queueRunner(queue!),
        shardSize: queue?.shardSize ?? POPE_SHARD_SIZE,
        ...popePlan,
        failureId: keyOf,
        runIdentity,
        out: settings.out,
        answersFile,
        done,
        // the endpoint's settings and the NAME of its key's variable; never the key
        jobData: (runId, shard) => ({ kind: 'pope-endpoint' as const, runId, shard: shard.shard, endpoint, dataRoot, identity, questions: jobQuestions(shard.items) }),
        ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
        onEvent: emit,
      });
      asked = run.asked;
      if (local !== undefined) endpointUsage = await local.writeUsage();
      else queueSummary = queueSummaryLine(run);
    } else {
      // One plan, one runShard (popeJobKind), one commit: workers answer it (--queue; this process checks and commits,
      // the only writer of the folder) or this process does, with the pipeline or the caller's answerer.
      const pipeline = queue === undefined && settings.answerer === undefined ? await createPipeline(config!) : undefined;
      emit({
        type: 'resolved',
        lines: [questionsLine, ...(queue !== undefined ? [queueLine('')] : (pipeline?.describe() ?? ['(answerer given by the caller)'])), identityLine],
      });
      try {
        const run = await answerShards({
          definition: popeJobKind,
          runner: queue === undefined ? inProcessRunner({ parts: settings.answerer ?? pipeline! }) : queueRunner(queue),
          shardSize: queue?.shardSize ?? POPE_SHARD_SIZE,
          ...popePlan,
          runIdentity,
          out: settings.out,
          answersFile,
          done,
          jobData: (runId, shard) => ({ kind: 'pope' as const, runId, shard: shard.shard, pipeline: spec!, dataRoot, identity, questions: jobQuestions(shard.items) }),
          ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
          onEvent: emit,
        });
        asked = run.asked;
        if (queue !== undefined) queueSummary = queueSummaryLine(run);
      } finally {
        await pipeline?.dispose();
      }
    }
    const answers = await readPopeAnswers(answersFile);
    const byKey = new Map(answers.map((answer) => [answer.key, answer.fields]));
    const splits = splitFiles.map(({ split, file }): PopeSplitScores => {
      // An endpoint's refused, filtered or empty reply says neither yes nor no: left out, counted as undetermined.
      const records = items.filter((item) => item.split === split).map((item) => ({ item, record: byKey.get(keyOf(item)) }));
      const determined = records.filter(({ record }) => record?.['endpoint_outcome'] === undefined || record['endpoint_outcome'] === 'answered');
      const scored = determined.map(({ item, record }) => ({ label: item.label, response: String(record?.['text'] ?? '') }));
      const undetermined = records.length - determined.length;
      return { split, questionsFile: resolve(file), ...pope(scored), ...(undetermined > 0 ? { undetermined } : {}) };
    });
    const evaluation: PopeEvaluation = {
      benchmark: 'POPE',
      splits,
      skippedQuestions,
      runIdentity,
      answersFile,
      provenance: {
        ...(settings.tool === undefined ? {} : { tool: settings.tool }),
        ...(endpoint === undefined
          ? { pipelineConfig: { path: resolve(settings.pipeline!), sha256: identity.pipelineConfigSha256 }, modelFiles, decoding }
          : { endpoint: endpointRunRecord(endpoint), endpointUsage, decoding: endpoint.decoding }),
        instruction: POPE_INSTRUCTION,
        answerRule: "LLaVA eval_pope.py: first sentence; the words 'No', 'no' or 'not' mean no, else yes",
        packages: packageVersions(['@mmvp/datasets', '@mmvp/metrics', endpoint === undefined ? '@mmvp/pipeline' : '@mmvp/endpoint', '@mmvp/study']),
        node: process.version,
        createdAt: new Date().toISOString(),
      },
    };
    await writeFileAtomic(join(settings.out, 'pope-scores.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
    return { ...evaluation, asked, ...(queueSummary === undefined ? {} : { queueSummary }) };
  });
}

/** Reads pope-answers.jsonl (a cut last line tolerated, any other bad line an error). */
async function readPopeAnswers(file: string): Promise<ExistingAnswer[]> {
  const { lines, broken, truncatedLastLine } = await readJsonLines(file);
  const bad = broken.filter((line, index) => !(truncatedLastLine && index === broken.length - 1));
  if (bad.length > 0)
    throw new DatasetError(
      `${file}: ${bad.length} bad line(s):\n  ${bad
        .slice(0, 10)
        .map((line) => `${file}:${line.line}: not valid JSON (${line.message})`)
        .join('\n  ')}`,
    );
  const answers: ExistingAnswer[] = [];
  const seen = new Map<string, number>();
  for (const { value, line } of lines) {
    const fields = value as Record<string, unknown>;
    if (fields === null || typeof fields !== 'object' || fields['question_id'] === undefined || typeof fields['category'] !== 'string' || typeof fields['text'] !== 'string') {
      throw new DatasetError(`${file}:${line}: a POPE answer needs question_id, category (the split) and text`);
    }
    const key = `${String(fields['category'])}:${String(fields['question_id'])}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) throw new DatasetError(`${file}:${line}: ${key} was already answered on line ${earlier}`);
    seen.set(key, line);
    answers.push({ key, line, fields });
  }
  return answers;
}

/** One line per split: `random     3000  acc 85.3  P 92.1  R 77.4  F1 84.1  yes 42.0` (percent). */
export function popeSummaryLines(evaluation: Pick<PopeEvaluation, 'splits'>): string[] {
  const pct = (value: number) => (100 * value).toFixed(1).padStart(5);
  return [
    'POPE    questions  accuracy  precision  recall     F1  yes-ratio   (%, "yes" positive)',
    ...evaluation.splits.map((s) => `${s.split.padEnd(11)} ${String(s.total).padStart(6)}     ${pct(s.accuracy)}      ${pct(s.precision)}   ${pct(s.recall)}  ${pct(s.f1)}      ${pct(s.yesRatio)}`),
  ];
}

export { optionsSchema as evaluatePopeOptionsSchema };
