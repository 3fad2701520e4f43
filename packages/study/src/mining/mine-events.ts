import type { EmbedProgress, ModelIdentity, SearchIndexKind } from '@mmvp/mining';
import type { ProgressEvent, QueueSummaryEvent, WarningEvent, WrittenEvent } from '../runner/workflow-events';

/** What `mineBlindPairs` reports while it runs, in order: its slice of StudyEvent. */
export type MineEvent =
  | {
      readonly workflow: 'mine';
      readonly type: 'resolved';
      readonly versions: { readonly mining: string; readonly usearch: string; readonly onnxruntime: string };
      readonly clip: ModelIdentity;
      readonly dino: ModelIdentity;
      readonly images: number;
      readonly imagesSource: string;
      readonly index: SearchIndexKind;
      readonly k: number;
      readonly clipMin: number;
      readonly dinoMax: number;
      readonly storeDir: string;
      readonly store: 'new' | 'resume' | 'rebuild';
      readonly workers: number;
      readonly batchSize: number;
      readonly shardSize: number;
      /** A hint worth printing (e.g. exact search over a large collection). */
      readonly notes: readonly string[];
    }
  | { readonly workflow: 'mine'; readonly type: 'embedding'; readonly progress: EmbedProgress }
  | { readonly workflow: 'mine'; readonly type: 'embedded'; readonly embedded: number; readonly skipped: number; readonly errors: number; readonly seconds: number }
  | {
      readonly workflow: 'mine';
      readonly type: 'searched';
      readonly index: SearchIndexKind;
      readonly k: number;
      readonly distinctImages: number;
      readonly duplicates: number;
      readonly seconds: number;
      readonly recall?: number;
      readonly recallQueries?: number;
    }
  /** The result files, committed as one unit (names relative to `out`). */
  | (WrittenEvent<'mine'> & { readonly out: string })
  /** With `queue`: store shards committed of all planned (stage `jobs`; `startedAt`: those already in the store). */
  | ProgressEvent<'mine', 'jobs'>
  /** With `queue`: something worth telling that does not stop the run (a refusing worker, Redis away for a while). */
  | WarningEvent<'mine'>
  /** With `queue`: the queue summary line (`queue run ID: N job(s): ...`). */
  | QueueSummaryEvent<'mine'>;
