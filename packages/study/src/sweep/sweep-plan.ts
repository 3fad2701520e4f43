import { relative } from 'node:path';
import { formatQuestion } from '@mmvp/decoder';
import type { PipelineConfig } from '@mmvp/pipeline';
import type { JobPipeline, PlannedShard } from '../runner/job-kind';
import type { SweepQuestion } from './sweep-data';
import type { SweepAnswerLine, SweepJobData } from './sweep-job-kind';
import type { JournalAnswer, SweepJournal } from './sweep-journal';

/** Image chunks (runSweep's encode batches) per sweep job when the queue settings name no shard size. */
export const SWEEP_CHUNKS_PER_JOB = 4;

/** One answer a sweep job gives: ratio, question set and id, with where it sits in runSweep's order. */
export interface SweepTarget {
  readonly ratioIndex: number;
  readonly chunk: number;
  readonly b: number;
  readonly id: number;
  readonly set: 'data' | 'proxy';
  readonly prompt: string;
}

/** What the sweep's plan is made from: the ratios with their configs, the question sets, the batch size. */
export interface SweepPlanInput {
  readonly protocol: 'per-ratio' | 'fixed-adapter';
  readonly plans: readonly { readonly ratio: { readonly value: number; readonly text: string }; readonly config: PipelineConfig }[];
  readonly data: readonly SweepQuestion[];
  readonly proxyQuestions: readonly SweepQuestion[];
  readonly batchSize: number;
  /** Image chunks per shard (one job). */
  readonly chunksPerShard: number;
}

/** The sweep's plan: every answer in runSweep's order, cut into ratio x run-of-chunks shards, and how a shard becomes a job. */
export interface SweepPlan {
  /** Every image, in runSweep's order: the data's, then the proxy's new ones. */
  readonly images: readonly string[];
  readonly targets: readonly SweepTarget[];
  readonly shards: readonly PlannedShard<SweepTarget>[];
  /** `<ratio>|<set>|<id>`: a target's key. */
  keyOf(target: { readonly ratioIndex: number; readonly set: string; readonly id: number }): string;
  /** The key of a result line (as parsed). */
  recordKeyOf(record: Record<string, unknown>): string;
  /** Keys of the targets the journal already answers. */
  doneIn(journal: SweepJournal): Set<string>;
  /** The job of one shard; `pipelines` holds each ratio's job pipeline (for a worker to load and check). */
  jobData(shard: PlannedShard<SweepTarget>, context: { readonly runId: string; readonly runIdentity: string; readonly dataRoot: string; readonly pipelines: readonly JobPipeline[] }): SweepJobData;
}

/**
 * Plans a sweep: runSweep's order is ratio, then image chunk (`batchSize` images, data first, then the
 * proxy's new images), then each image's questions; every ratio x run of `chunksPerShard` chunks is a shard.
 */
export function planSweep(input: SweepPlanInput): SweepPlan {
  const { plans, batchSize, chunksPerShard } = input;
  const images = [...new Set([...input.data, ...input.proxyQuestions].map((question) => question.imagePath))];
  const byImage = new Map<string, { question: SweepQuestion; set: 'data' | 'proxy' }[]>();
  for (const [questions, set] of [
    [input.data, 'data'],
    [input.proxyQuestions, 'proxy'],
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
  const shards: PlannedShard<SweepTarget>[] = [];
  let group: string | undefined;
  for (const target of targets) {
    const next = `${target.ratioIndex}:${Math.floor(target.chunk / chunksPerShard)}`;
    if (next !== group) shards.push({ shard: shards.length, items: [] });
    group = next;
    (shards.at(-1)!.items as SweepTarget[]).push(target);
  }
  const keyOf: SweepPlan['keyOf'] = (target) => `${plans[target.ratioIndex]!.ratio.text}|${target.set}|${target.id}`;
  return {
    images,
    targets,
    shards,
    keyOf,
    recordKeyOf: (record) => `${String(record['ratio'])}|${String(record['set'])}|${String(record['id'])}`,
    doneIn: (journal) => new Set(targets.filter((target) => journal.answered(plans[target.ratioIndex]!.ratio.text, target.set, target.id) !== undefined).map(keyOf)),
    jobData(shard, context) {
      const first = shard.items[0]!;
      const plan = plans[first.ratioIndex]!;
      const chunks = [...new Set(shard.items.map((target) => target.chunk))].map((chunk) => ({
        images: images.slice(chunk * batchSize, (chunk + 1) * batchSize).map((image) => relative(context.dataRoot, image)),
        targets: shard.items.filter((target) => target.chunk === chunk).map((target) => ({ id: target.id, set: target.set, b: target.b, prompt: target.prompt })),
      }));
      return {
        kind: 'sweep',
        runId: context.runId,
        shard: shard.shard,
        pipeline: context.pipelines[first.ratioIndex]!,
        dataRoot: context.dataRoot,
        runIdentity: context.runIdentity,
        protocol: input.protocol,
        ratio: { value: plan.ratio.value, text: plan.ratio.text },
        batchSize,
        chunks,
      };
    },
  };
}

/** The sweep's commit: a shard's checked answer lines appended to the journal in one write. */
export async function commitSweepLines(journal: SweepJournal, lines: readonly string[]): Promise<void> {
  await journal.record(
    lines.map((line): JournalAnswer => {
      const record = JSON.parse(line) as SweepAnswerLine;
      return { ratio: record.ratio, set: record.set, id: record.id, prompt: record.prompt, response: record.response };
    }),
  );
}
