import type { WorkerEvent } from '@mmvp/study';

/** A worker event as the rest of its `mmvp worker` line (after `mmvp worker`). */
export function workerLine(event: WorkerEvent): string {
  switch (event.type) {
    case 'ready':
      return ` ${event.name}: waiting for jobs on queue '${event.queue}'`;
    case 'waiting-for-redis':
      return `: no answer from Redis at ${event.url} for ${event.seconds} s; still trying (is redis-server running and reachable?)`;
    case 'job-started':
      return `: ${event.id}: ${event.questions} question(s)`;
    case 'job-done':
      return `: ${event.id}: done in ${(event.ms / 1000).toFixed(2)} s (${event.pipelinesLoaded} pipeline(s) loaded)`;
    case 'job-refused':
      return `: refused ${event.id}: ${event.reason}`;
    case 'job-returned':
      return `: ${event.id}: returned to the queue`;
    case 'job-failed':
      return `: ${event.id}: failed: ${event.message}`;
  }
}
