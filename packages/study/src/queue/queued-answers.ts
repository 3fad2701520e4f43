/** What a distributed run's coordinator did (the CLI prints it; --resume tests check it). */
export interface QueueRunSummary {
  readonly runId: string;
  readonly shards: number;
  readonly alreadyCommitted: number;
  readonly enqueued: number;
  readonly adopted: number;
  readonly workers: readonly string[];
}

/** One line on what a distributed run's coordinator did: `queue run ID: 12 job(s): 3 already committed, 7 enqueued, 2 adopted from Redis; workers a:1, b:2`. */
export function queueSummaryLine(summary: QueueRunSummary): string {
  return (
    `queue run ${summary.runId}: ${summary.shards} job(s): ${summary.alreadyCommitted} already committed, ${summary.enqueued} enqueued, ${summary.adopted} adopted from Redis` +
    (summary.workers.length > 0 ? `; answered by ${summary.workers.join(', ')}` : '')
  );
}
