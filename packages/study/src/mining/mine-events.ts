import type { EmbedProgress, ModelIdentity, SearchIndexKind } from '@mmvp/mining';

/** What `mineBlindPairs` reports while it runs, in order. */
export type MineEvent =
  | {
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
  | { readonly type: 'embedding'; readonly progress: EmbedProgress }
  | { readonly type: 'embedded'; readonly embedded: number; readonly skipped: number; readonly errors: number; readonly seconds: number }
  | {
      readonly type: 'searched';
      readonly index: SearchIndexKind;
      readonly k: number;
      readonly distinctImages: number;
      readonly duplicates: number;
      readonly seconds: number;
      readonly recall?: number;
      readonly recallQueries?: number;
    }
  | { readonly type: 'committed'; readonly out: string; readonly files: readonly string[] }
  /** With `queue`: store shards committed of all planned (`startedAt`: those already in the store). */
  | { readonly type: 'jobs'; readonly done: number; readonly total: number; readonly startedAt: number; readonly waiting: number; readonly active: number }
  /** With `queue`: something worth telling that does not stop the run (a refusing worker, Redis away for a while). */
  | { readonly type: 'warning'; readonly message: string }
  /** With `queue`: the queue summary line (`queue run ID: N job(s): ...`). */
  | { readonly type: 'queued'; readonly line: string };
