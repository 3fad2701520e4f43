import { createHash } from 'node:crypto';
import { appendFile, open, readFile, readdir, stat, truncate } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { DatasetError, InvalidArgumentError, listChoices } from '@mmvp/core';
import { LABEL_SETS, loadMmvp, readAnswers, type LabelSet, type MmvpItem } from '@mmvp/datasets';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import type { Command } from 'commander';
import { cliVersion } from '../version';
import { packageVersions } from '@mmvp/study';
import { createProgress } from '../shared/progress';
import { sha256File } from '@mmvp/study';
import { prepareOutputFolder } from '../output-file';
import { writeAtomically } from '@mmvp/study';
import { gradeToDirectory } from './grade';

const PROMPT_STYLES = ['original', 'lmms'] as const;
type PromptStyle = (typeof PROMPT_STYLES)[number];
const GRADERS = ['rule', 'llm'] as const;

/** What eval-mllm needs of a pipeline (`Pipeline` of @mmvp/pipeline fits); a fake one in unit tests. */
export interface QuestionAnswerer {
  ask(request: { image: string; question: string; options?: string; prompt?: PromptStyle }, options?: { signal?: AbortSignal }): Promise<{ text: string; prompt: string; finishReason?: string; tokenIds?: readonly number[] }>;
}

/** Settings that must not change between a run and its --resume (they are stored in run.json). */
export interface RunIdentity {
  readonly pipelineConfigSha256: string;
  readonly promptStyle: PromptStyle;
  readonly labels: LabelSet;
  readonly questionsSha256: string;
  readonly modelId: string;
}

/**
 * Asks every question not yet in `answersFile` and appends each answer as one JSON line as soon as it
 * is produced (the original script's fields: question_id, prompt, answer, response, answer_id,
 * model_id; plus prompt_style, image, finish_reason, generated_tokens). Nothing in a line depends on
 * timing, so a killed run resumed gives the same file as an uninterrupted one. A line cut short by a
 * kill is removed before resuming (the answer that was in flight is asked again).
 */
export async function answerQuestions(options: {
  readonly questions: readonly MmvpItem[];
  readonly answerer: QuestionAnswerer;
  readonly answersFile: string;
  readonly dataDir: string;
  readonly promptStyle: PromptStyle;
  readonly modelId: string;
  readonly resume: boolean;
  readonly onProgress?: (done: number, total: number, startedAt: number) => void;
  readonly signal?: AbortSignal;
}): Promise<{ asked: number; skipped: number }> {
  const done = new Set<number>();
  const existing = await stat(options.answersFile).then((info) => info.size, () => -1);
  if (existing > 0 && !options.resume) {
    throw new InvalidArgumentError(`${options.answersFile} already has answers; pass --resume to continue it, or choose another --out (nothing is overwritten)`);
  }
  if (existing > 0) {
    const { answers, droppedTruncatedLine } = await readAnswers(options.answersFile, { dropTruncatedLastLine: true });
    if (droppedTruncatedLine !== undefined) await removeTruncatedTail(options.answersFile);
    const known = new Set(options.questions.map((question) => question.id));
    for (const answer of answers) {
      if (!known.has(answer.questionId)) throw new DatasetError(`${options.answersFile}:${answer.line}: question_id ${answer.questionId} is not a question of this benchmark; is --out the folder of another run?`);
      done.add(answer.questionId);
    }
  }
  const total = options.questions.length;
  const startedAt = done.size;
  let asked = 0;
  options.onProgress?.(done.size, total, startedAt);
  for (const question of options.questions) {
    if (done.has(question.id)) continue;
    options.signal?.throwIfAborted();
    const answer = await options.answerer.ask({ image: question.imagePath, question: question.question, options: question.optionsText, prompt: options.promptStyle }, options.signal ? { signal: options.signal } : {});
    const line = {
      question_id: question.id,
      prompt: answer.prompt,
      answer: `(${question.answer})`,
      response: answer.text,
      answer_id: createHash('sha256').update(`${options.modelId}\n${question.id}\n${answer.text}`).digest('base64url').slice(0, 22),
      model_id: options.modelId,
      prompt_style: options.promptStyle,
      image: relative(options.dataDir, question.imagePath),
      ...(answer.finishReason === undefined ? {} : { finish_reason: answer.finishReason }),
      ...(answer.tokenIds === undefined ? {} : { generated_tokens: answer.tokenIds.length }),
    };
    // One write per line: a kill can cut at most this line, which --resume removes and asks again.
    await appendFile(options.answersFile, `${JSON.stringify(line)}\n`);
    done.add(question.id);
    asked++;
    options.onProgress?.(done.size, total, startedAt);
  }
  return { asked, skipped: total - asked };
}

/** Cuts the file after its last newline (drops a line a killed writer left half-written). */
async function removeTruncatedTail(path: string): Promise<void> {
  const bytes = await readFile(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  await truncate(path, end);
}

interface EvalMllmFlags {
  pipeline: string;
  data: string;
  out: string;
  prompt?: string;
  resume?: boolean;
  labels: string;
  judge: string;
  patterns?: string;
  judgeUrl: string;
  judgeModel?: string;
  judgeKeyEnv: string;
  strict?: boolean;
  json?: boolean;
}

/** `mmvp eval-mllm`: answers.jsonl from a pipeline on every MMVP question, then grading. */
export function registerEvalMllm(program: Command): void {
  program
    .command('eval-mllm')
    .description('run a pipeline on every MMVP question, appending each answer to DIR/answers.jsonl as it is produced (--resume continues a killed run), then grade')
    .requiredOption('--pipeline <config>', 'pipeline config (JSON) with a decoder section')
    .requiredOption('--data <dir>', "MMVP folder (Questions.csv + 'MMVP Images/'; a patterns.csv there gives a per-pattern table)")
    .requiredOption('--out <dir>', 'folder for answers.jsonl, run.json, scores.json, graded.csv, scores.md')
    .option('--prompt <style>', `question style: ${listChoices(PROMPT_STYLES)} (original: question + ' ' + options, the study's script; lmms: lettered options + 'Answer with the option's letter...'); default: the config's`)
    .option('--resume', 'continue DIR/answers.jsonl, skipping the questions already answered')
    .option('--labels <set>', `label set for grading: ${listChoices(LABEL_SETS)}`, 'original')
    .option('--judge <grader>', `grader: ${listChoices(GRADERS)}`, 'rule')
    .option('--patterns <csv>', 'question -> pattern map (default: DATA/patterns.csv when present)')
    .option('--judge-url <url>', 'OpenAI-compatible endpoint for --judge llm', 'https://api.openai.com/v1')
    .option('--judge-model <name>', 'judge model for --judge llm')
    .option('--judge-key-env <name>', "environment variable holding the judge's API key ('none': no key)", 'OPENAI_API_KEY')
    .option('--strict', 'fail on any problem in the benchmark folder')
    .option('--json', 'print scores.json on stdout')
    .action(async (flags: EvalMllmFlags) => {
      if (flags.prompt !== undefined && !(PROMPT_STYLES as readonly string[]).includes(flags.prompt)) {
        throw new InvalidArgumentError(`--prompt '${flags.prompt}' is not valid; valid choices: ${listChoices(PROMPT_STYLES)}`);
      }
      if (!(LABEL_SETS as readonly string[]).includes(flags.labels)) throw new InvalidArgumentError(`--labels '${flags.labels}' is not valid; valid choices: ${listChoices(LABEL_SETS)}`);
      if (!(GRADERS as readonly string[]).includes(flags.judge)) throw new InvalidArgumentError(`--judge '${flags.judge}' is not valid; valid choices: ${listChoices(GRADERS)}`);
      if (flags.judge === 'llm' && flags.judgeModel === undefined) throw new InvalidArgumentError('--judge llm needs --judge-model (the original study used gpt-4-0314)');
      const labels = flags.labels as LabelSet;
      await prepareOutputFolder(flags.out, '--out');
      const dataset = await loadMmvp(flags.data, { labels, strict: flags.strict === true });
      const config = await loadPipelineConfig(flags.pipeline);
      const promptStyle = (flags.prompt ?? config.decoder?.prompt ?? 'original') as PromptStyle;
      const patternsFile = flags.patterns ?? (await stat(join(flags.data, 'patterns.csv')).then(() => join(flags.data, 'patterns.csv'), () => undefined));

      const identity: RunIdentity = {
        pipelineConfigSha256: await sha256File(flags.pipeline),
        promptStyle,
        labels,
        questionsSha256: await sha256File(dataset.questionsFile),
        modelId: basename(flags.pipeline).replace(/\.json$/, ''),
      };
      const runFile = join(flags.out, 'run.json');
      const answersFile = join(flags.out, 'answers.jsonl');
      const previous = await readFile(runFile, 'utf8').then((text) => JSON.parse(text) as { identity?: RunIdentity }, () => undefined);
      if (flags.resume && previous?.identity !== undefined) {
        const changed = (Object.keys(identity) as (keyof RunIdentity)[]).filter((key) => previous.identity![key] !== identity[key]);
        if (changed.length > 0) {
          throw new InvalidArgumentError(`--resume: ${changed.join(', ')} differ(s) from the run in ${flags.out} (see ${runFile}); answers of different settings must not be mixed; use another --out`);
        }
      }

      const pipeline = await createPipeline(config);
      const decoding = config.decoder === undefined ? undefined : { ...config.decoder };
      const versions = packageVersions(['@mmvp/datasets', '@mmvp/metrics', '@mmvp/pipeline', '@mmvp/decoder', '@mmvp/encoder-clip', '@mmvp/encoder-dinov2', '@mmvp/adapters', '@mmvp/mof', '@mmvp/kernels', 'onnxruntime-node']);
      const modelFiles = await hashModelFiles(config);
      process.stderr.write(
        `mmvp eval-mllm: ${dataset.questions.length} questions (${dataset.questionsFile}, labels ${labels}), prompt style ${promptStyle}\n` +
          pipeline.describe().map((line) => `  ${line}\n`).join('') +
          `  model files: ${modelFiles.map((file) => basename(file.path)).join(', ')}\n`,
      );
      const run = {
        identity,
        pipelineConfig: { path: resolve(flags.pipeline), sha256: identity.pipelineConfigSha256, resolved: pipeline.describe(), config },
        modelFiles,
        promptStyle,
        decoding,
        packages: versions,
        tool: `mmvp ${cliVersion}`,
        node: process.version,
      };
      await writeAtomically(runFile, `${JSON.stringify(run, null, 2)}\n`);

      let progress: ReturnType<typeof createProgress> | undefined;
      const controller = new AbortController();
      const onSignal = () => controller.abort(new InvalidArgumentError('interrupted; run again with --resume to continue'));
      process.once('SIGINT', onSignal);
      try {
        await answerQuestions({
          questions: dataset.questions,
          answerer: pipeline,
          answersFile,
          dataDir: flags.data,
          promptStyle,
          modelId: identity.modelId,
          resume: flags.resume === true,
          signal: controller.signal,
          onProgress: (done, total, startedAt) => {
            progress ??= createProgress('answers', total, startedAt);
            progress.update(done);
          },
        });
      } finally {
        process.off('SIGINT', onSignal);
        progress?.finish();
        await pipeline.dispose();
      }

      const document = await gradeToDirectory({
        questionsFile: dataset.questionsFile,
        answersFile,
        grader: flags.judge as 'rule' | 'llm',
        labels,
        ...(patternsFile === undefined ? {} : { patternsFile }),
        out: flags.out,
        judgeUrl: flags.judgeUrl,
        ...(flags.judgeModel === undefined ? {} : { judgeModel: flags.judgeModel }),
        judgeKeyEnv: flags.judgeKeyEnv,
        judgeConcurrency: 4,
        allowMissing: dataset.skippedQuestionIds.length > 0,
        questionSet: dataset,
        extraProvenance: { pipelineConfig: run.pipelineConfig, modelFiles, promptStyle, decoding, packages: versions },
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(document)}\n`);
      else {
        process.stdout.write(
          `MMVP pair accuracy ${document.pairAccuracy.toFixed(1)} (${document.correctPairs}/${document.pairs} pairs), per-question ${document.questionAccuracy.toFixed(1)}, undetermined ${document.undetermined}; ` +
            `prompt ${promptStyle}, grader ${flags.judge}, labels ${labels}\nwrote ${answersFile}, ${join(flags.out, 'scores.json')}, ${join(flags.out, 'graded.csv')}, ${join(flags.out, 'scores.md')}\n`,
        );
      }
    });
}

/** Large files are fingerprinted by size and head/tail hash instead of a full read (a 14 GB decoder). */
const FULL_HASH_LIMIT = 1 << 30;

/**
 * Every model file the config points at, with its SHA-256: for a folder, its *.json, *.txt,
 * *.safetensors and onnx/* files; for a file, the file.
 */
async function hashModelFiles(config: unknown): Promise<{ path: string; bytes: number; sha256: string }[]> {
  const paths = new Set<string>();
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string' && (key === 'model' || key === 'modelPath' || key === 'weights' || key === 'weightsPath')) paths.add(value);
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(config, '');
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) continue;
    if (info.isFile()) files.push(path);
    else if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) if (/\.(json|txt|safetensors|onnx|onnx_data)$/.test(name)) files.push(join(path, name));
      const onnxDir = join(path, 'onnx');
      const names = await readdir(onnxDir).catch(() => [] as string[]);
      for (const name of names.sort()) files.push(join(onnxDir, name));
    }
  }
  const result: { path: string; bytes: number; sha256: string }[] = [];
  for (const file of files) {
    const info = await stat(file);
    if (!info.isFile()) continue;
    result.push({ path: resolve(file), bytes: info.size, sha256: info.size <= FULL_HASH_LIMIT ? await sha256File(file) : await fingerprint(file, info.size) });
  }
  return result;
}

async function fingerprint(path: string, size: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const chunk = 1 << 20;
    const head = Buffer.alloc(chunk);
    const tail = Buffer.alloc(chunk);
    await handle.read(head, 0, chunk, 0);
    await handle.read(tail, 0, chunk, size - chunk);
    return `head+tail:${createHash('sha256').update(head).update(tail).update(String(size)).digest('hex')}`;
  } finally {
    await handle.close();
  }
}
