import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { formatQuestion } from '@mmvp/decoder';
import type { PipelineConfig } from '@mmvp/pipeline';
import { hashModelFiles } from '../provenance/model-files';
import type { SweepQuestion } from '../sweep/sweep-data';
import type { SweepJournal } from '../sweep/sweep-journal';
import { coordinateRun, type CoordinatedRun, type CoordinatorEvent } from './coordinator';
import { commonFolder, jobPipeline, queueRunId } from './job-pipeline';
import { planShards } from './job-plan';
import type { ResolvedQueueSettings } from './queue-settings';
import { writeFileAtomic } from '@mmvp/results';

/** Image chunks (runSweep's encode batches) per sweep job when the queue settings name no shard size. */
export const SWEEP_CHUNKS_PER_JOB = 4;

/** One answer a sweep job gives: ratio, question set and id, with where it sits in runSweep's order. */
interface SweepTarget {
  readonly ratioIndex: number;
  readonly chunk: number;
  readonly b: number;
  readonly id: number;
  readonly set: 'data' | 'proxy';
  readonly prompt: string;
}

/**
 * The queue path of runSweep: every ratio x run of `shardSize` image chunks is a job (`sweep`); workers
 * encode, mix and decode it exactly as runSweep's loop does; the coordinator checks each result and
 * records it in the sweep journal, then rewrites the journal in runSweep's order (ratio, chunk,
 * question), so it is byte-identical to a one-process sweep's. runSweep then scores from the journal.
 */
export async function sweepThroughQueue(options: {
  readonly settings: ResolvedQueueSettings;
  readonly out: string;
  readonly identity: Readonly<Record<string, string>>;
  readonly protocol: 'per-ratio' | 'fixed-adapter';
  readonly plans: readonly { readonly ratio: { readonly value: number; readonly text: string }; readonly config: PipelineConfig }[];
  readonly data: readonly SweepQuestion[];
  readonly proxyQuestions: readonly SweepQuestion[];
  readonly batchSize: number;
  readonly journal: SweepJournal;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: CoordinatorEvent) => void;
}): Promise<CoordinatedRun & { readonly runId: string }> {
  const { plans, batchSize, journal } = options;
  const runIdentity = createHash('sha256').update(JSON.stringify(options.identity)).digest('hex').slice(0, 16);
  // runSweep's order: images of the data, then the proxy's new ones; chunks of batchSize; per image its questions
  const images = [...new Set([...options.data, ...options.proxyQuestions].map((question) => question.imagePath))];
  const dataRoot = commonFolder(images);
  const byImage = new Map<string, { question: SweepQuestion; set: 'data' | 'proxy' }[]>();
  for (const [questions, set] of [
    [options.data, 'data'],
    [options.proxyQuestions, 'proxy'],
  ] as const) {
    for (const question of questions) byImage.set(question.imagePath, [...(byImage.get(question.imagePath) ?? []), { question, set }]);
  }
  const targets: SweepTarget[] = [];
  for (const [ratioIndex, plan] of plans.entries()) {
    for (const [index, image] of images.entries()) {
      for (const { question, set } of byImage.get(image) ?? []) {
        targets.push({ ratioIndex, chunk: Math.floor(index / batchSize), b: index % batchSize, id: question.id, set, prompt: formatQuestion(question.question, question.optionsText, plan.config.decoder!.prompt) });
      }
    }
  }
  const keyOf = (target: { readonly ratioIndex: number; readonly set: string; readonly id: number }) => `${plans[target.ratioIndex]!.ratio.text}|${target.set}|${target.id}`;
  const done = new Set(targets.filter((target) => journal.answered(plans[target.ratioIndex]!.ratio.text, target.set, target.id) !== undefined).map(keyOf));
  const chunksPerJob = options.settings.shardSize ?? SWEEP_CHUNKS_PER_JOB;
  const specs = await Promise.all(
    plans.map(async (plan) => {
      const files = await hashModelFiles(plan.config);
      return jobPipeline(
        plan.config,
        files,
        createHash('sha256')
          .update(files.map((file) => `${file.sha256} ${file.bytes}`).join('\n'))
          .digest('hex'),
      );
    }),
  );
  const runId = queueRunId(runIdentity, options.out, chunksPerJob);
  const run = await coordinateRun({
    settings: options.settings,
    runId,
    kind: 'sweep',
    shards: planShards(targets, 1, (target) => `${target.ratioIndex}:${Math.floor(target.chunk / chunksPerJob)}`),
    keyOf,
    recordKeyOf: (record) => `${String(record['ratio'])}|${String(record['set'])}|${String(record['id'])}`,
    runIdentity,
    done,
    jobData: (shard) => {
      const first = shard.items[0]!;
      const plan = plans[first.ratioIndex]!;
      const chunks = [...new Set(shard.items.map((target) => target.chunk))].map((chunk) => ({
        images: images.slice(chunk * batchSize, (chunk + 1) * batchSize).map((image) => relative(dataRoot, image)),
        targets: shard.items.filter((target) => target.chunk === chunk).map((target) => ({ id: target.id, set: target.set, b: target.b, prompt: target.prompt })),
      }));
      return {
        kind: 'sweep',
        runId,
        shard: shard.shard,
        pipeline: specs[first.ratioIndex]!,
        dataRoot,
        runIdentity,
        protocol: options.protocol,
        ratio: { value: plan.ratio.value, text: plan.ratio.text },
        batchSize,
        chunks,
      };
    },
    commit: async (lines) => {
      await journal.record(
        lines.map((line) => {
          const record = JSON.parse(line) as { ratio: string; set: 'data' | 'proxy'; id: number; prompt: string; response: string };
          return { ratio: record.ratio, set: record.set, id: record.id, prompt: record.prompt, response: record.response };
        }),
      );
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
  await sortJournal(journal.path, targets.map(keyOf));
  return { ...run, runId };
}

/** Rewrites the journal as runSweep writes it: the identity line, then the answers in `order`. */
async function sortJournal(path: string, order: readonly string[]): Promise<void> {
  const text = await readFile(path, 'utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.length > 0);
  const rank = new Map(order.map((key, index) => [key, index]));
  const keyOf = (line: string) => {
    const record = JSON.parse(line) as { ratio: string; set: string; id: number };
    return rank.get(`${record.ratio}|${record.set}|${record.id}`) ?? order.length;
  };
  const sorted = lines.map((line) => ({ line, rank: keyOf(line) })).sort((a, b) => a.rank - b.rank);
  const content = `${header}\n${sorted.map((entry) => `${entry.line}\n`).join('')}`;
  if (content !== text) await writeFileAtomic(path, content);
}
