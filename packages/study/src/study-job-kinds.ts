import { mineJobKind } from './mining/mine-job-kind';
import { answerJobKinds } from './mmvp/answer-job-kinds';
import { startWorker as startQueueWorker, type RunningWorker, type StartWorkerOptions } from './queue/start-worker';
import { sweepJobKind } from './sweep/sweep-job-kind';
import { jobKindTable, type JobKindDefinition, type JobKindTable } from './runner/job-kind';

// The study's job kinds: every workflow that runs on the queue registers its kinds here, at the top of
// the package, so that queue/ (the runner) knows kinds only through this table and imports no workflow.

/** Every job kind of the study, in one list (eval-mllm, pope and their endpoint twins from mmvp/; sweep; mine). */
const STUDY_JOB_KIND_DEFINITIONS: readonly JobKindDefinition[] = [...answerJobKinds, sweepJobKind, mineJobKind];

/** The study's job kinds by kind: what `mmvp worker` runs (startWorker's `kinds`). */
export const studyJobKinds: JobKindTable = jobKindTable(STUDY_JOB_KIND_DEFINITIONS);

/** The kinds of job a study worker runs (one per distributed workflow). */
export const JOB_KINDS: readonly string[] = [...studyJobKinds.keys()];

/** startWorker (queue/) with the study's kinds unless `kinds` names others: takes jobs of any study workflow. */
export function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  return startQueueWorker({ ...options, ...(options.kinds === undefined && options.answerJob === undefined ? { kinds: studyJobKinds } : {}) });
}
