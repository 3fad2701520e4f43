import { MmvpError } from '@mmvp/core';
import type { PlannedShard } from './job-kind';

/** One shard whose work failed: its number, the (uncommitted) items it held and the error. */
export interface FailedShard<Item = unknown> {
  readonly shard: PlannedShard<Item>;
  readonly error: unknown;
}

/**
 * Shards of an in-process run failed (`inProcessRunner({ keepGoing })`): what the plan committed stays (a prefix of
 * the plan), the failed shards are listed in plan order, and `stoppedBy` names the error that stopped the run
 * from starting further shards (none when every failure let it go on). The workflow decides what to tell the
 * user and what to leave for a resumed run.
 */
export class ShardsFailedError<Item = unknown> extends MmvpError {
  static override readonly errorName = 'ShardsFailedError';
  readonly failed: readonly FailedShard<Item>[];
  readonly stoppedBy: unknown;
  /** Units (answers) committed in this run before the first failed shard. */
  readonly committedUnits: number;
  constructor(options: { failed: readonly FailedShard<Item>[]; stoppedBy: unknown; committedUnits: number }) {
    super({ name: 'ShardsFailedError', message: `${options.failed.length} shard(s) failed`, cause: options.stoppedBy ?? (options.failed[0]?.error as unknown) });
    this.failed = options.failed;
    this.stoppedBy = options.stoppedBy;
    this.committedUnits = options.committedUnits;
  }
}
