import type { Command } from 'commander';
import { InvalidArgumentError } from '@mmvp/core';

/** Flags that only shape a distributed run, per command (mine's --shard-size also sizes its store shards, so it is not listed). */
const QUEUE_ONLY: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  'eval-mllm': [
    ['shardSize', '--shard-size'],
    ['queueName', '--queue-name'],
  ],
  pope: [
    ['shardSize', '--shard-size'],
    ['queueName', '--queue-name'],
  ],
  sweep: [
    ['shardSize', '--shard-size'],
    ['queueName', '--queue-name'],
  ],
  mine: [['queueName', '--queue-name']],
};

/**
 * A preAction hook: a flag that applies only with --queue, given without it, is an error in one line
 * (it was silently ignored), before anything runs.
 */
export function refuseQueueOnlyFlags(_program: Command, command: Command): void {
  const flags = QUEUE_ONLY[command.name()];
  if (flags === undefined || command.opts()['queue'] !== undefined) return;
  for (const [key, flag] of flags) {
    if (command.getOptionValueSource(key) === 'cli') {
      throw new InvalidArgumentError(`${flag} applies only with --queue (a distributed run's jobs); remove it, or add --queue redis://HOST:PORT`);
    }
  }
}
