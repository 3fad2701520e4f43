import { loadDecoder, type Decoder } from '@mmvp/decoder';
import { createVisualTokenizer, type VisualTokenizer } from '@mmvp/pipeline';
import { answerJobKinds } from './mmvp/answer-job-kinds';
import type { MineJobData, SweepJobData } from './queue/job-plan';
import { MINE_FLAVOR, answerMineJob, type LoadedMiningModels } from './queue/mine-job';
import { startWorker as startQueueWorker, type RunningWorker, type StartWorkerOptions } from './queue/start-worker';
import { answerSweepJob } from './queue/sweep-job';
import { jobKindTable, type JobKindDefinition, type JobKindTable } from './runner/job-kind';

// The study's job kinds: every workflow that runs on the queue registers its kinds here, at the top of
// the package, so that queue/ (the runner) knows kinds only through this table and imports no workflow.

/** A sweep's parts: the ratio's visual tokenizer (encoders + adapter) and its decoder. */
interface SweepParts {
  readonly tokenizer: VisualTokenizer;
  readonly decoder: Decoder;
  dispose(): Promise<void>;
}

// ---- sweep and mine: adapters over today's queue/sweep-job.ts and queue/mine-job.ts. -------------------
// When sweep/ exports `sweepJobKind` and mining/ exports `mineJobKind` (helper "sweepmine"), replace these
// two adapters by those definitions in STUDY_JOB_KIND_DEFINITIONS below and delete them.

/** sweep (adapter): one ratio x a run of image chunks, on a warm tokenizer + decoder. */
const sweepJobKindAdapter: JobKindDefinition<SweepJobData, SweepParts> = {
  kind: 'sweep',
  unitsOf: (data) => data.chunks.reduce((sum, chunk) => sum + chunk.targets.length, 0),
  load: {
    name: 'sweep',
    pipelineOf: (data) => data.pipeline,
    async create(config, components) {
      const tokenizer = await createVisualTokenizer(config, { components });
      const decoder = await loadDecoder({ modelPath: config.decoder!.modelPath, executionProvider: config.executionProvider }).catch(async (error: unknown) => {
        await tokenizer.dispose();
        throw error;
      });
      return { tokenizer, decoder, dispose: async () => void (await Promise.allSettled([tokenizer.dispose(), decoder.dispose()])) };
    },
  },
  async runShard(data, context) {
    return { lines: await answerSweepJob(data, { ...context.parts, config: context.config! }, context.dataRoot, data.runIdentity, context.signal) };
  },
};

/** mine (adapter): one embedding-store shard, on warm CLIP and DINOv2 models. */
const mineJobKindAdapter: JobKindDefinition<MineJobData, LoadedMiningModels> = {
  kind: 'mine',
  unitsOf: (data) => data.images.length,
  load: { name: MINE_FLAVOR.name, pipelineOf: (data) => data.pipeline, create: (config, components) => MINE_FLAVOR.create(config, components) },
  async runShard(data, context) {
    return { lines: await answerMineJob(data, context.parts, context.dataRoot, context.signal) };
  },
};
// ---- end of the sweep and mine adapters -------------------------------------------------------------------

/** Every job kind of the study, in one list (eval-mllm, pope and their endpoint twins from mmvp/; sweep; mine). */
const STUDY_JOB_KIND_DEFINITIONS: readonly JobKindDefinition[] = [...answerJobKinds, sweepJobKindAdapter, mineJobKindAdapter];

/** The study's job kinds by kind: what `mmvp worker` runs (startWorker's `kinds`). */
export const studyJobKinds: JobKindTable = jobKindTable(STUDY_JOB_KIND_DEFINITIONS);

/** The kinds of job a study worker runs (one per distributed workflow). */
export const JOB_KINDS: readonly string[] = [...studyJobKinds.keys()];

/** startWorker (queue/) with the study's kinds unless `kinds` names others: takes jobs of any study workflow. */
export function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  return startQueueWorker({ ...options, ...(options.kinds === undefined && options.answerJob === undefined ? { kinds: studyJobKinds } : {}) });
}
