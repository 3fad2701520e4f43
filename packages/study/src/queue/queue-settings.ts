import { z } from 'zod';
import { InvalidArgumentError } from '@mmvp/core';

/** Letters, digits, '.', '_' and '-': BullMQ builds its Redis keys as `bull:<name>:...` and refuses ':' in a name. */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A BullMQ queue name (`--queue-name`), checked before anything connects or is written. */
export const queueNameSchema = z.string().refine(
  (name) => QUEUE_NAME.test(name),
  (name) => ({ message: `'${name}' is not a valid queue name (--queue-name): use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit (BullMQ keys use ':')` }),
);

/** Where a distributed run's jobs go, and how they are retried and watched. */
export const queueSettingsSchema = z
  .object({
    /** `redis://HOST:PORT[/DB]` (one Redis for the coordinator and every worker). */
    url: z.string().min(1),
    /** BullMQ queue name (workers listen on the same name). */
    queueName: queueNameSchema.default('mmvp'),
    /** Questions (eval-mllm: whole pairs, so an even count) per job. */
    shardSize: z.number().int().positive().optional(),
    /** Tries per job before the run fails (a worker error, a flaky read); backoff doubles from `backoffMs`. */
    attempts: z.number().int().positive().default(3),
    backoffMs: z.number().int().nonnegative().default(1000),
    /** How long the coordinator keeps trying while Redis is unreachable before it fails with a clear message. */
    unreachableTimeoutMs: z.number().int().positive().default(60_000),
    /** While no job finishes, the coordinator says so this often (with the workers' refusals). */
    noProgressWarningMs: z.number().int().positive().default(30_000),
    /** Backstop poll of the queue's finished jobs (completion events wake the coordinator sooner). */
    pollIntervalMs: z.number().int().positive().default(500),
  })
  .strict();

/**
 * Options of a distributed run (the `queue` option of evaluateMllm, evaluatePope).
 * @public the type of the workflows' `queue` option, for a caller building one apart from the call
 */
export type QueueSettings = z.input<typeof queueSettingsSchema>;
/** Queue settings with their defaults applied. */
export type ResolvedQueueSettings = z.output<typeof queueSettingsSchema>;

/** Redis connection options for BullMQ/ioredis. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
}

/** Parses `redis://HOST:PORT[/DB]` (a clear error naming the flag for anything else). */
export function parseRedisUrl(url: string, flag = '--queue'): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`${flag} '${url}' is not a URL; expected redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379`);
  }
  if (parsed.protocol !== 'redis:') throw new InvalidArgumentError(`${flag} '${url}': scheme '${parsed.protocol.replace(/:$/, '')}' is not supported; expected redis://HOST:PORT[/DB]`);
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw new InvalidArgumentError(`${flag} '${url}': database '${dbText}' must be a number (redis://HOST:PORT/DB)`);
  if (parsed.hostname === '') throw new InvalidArgumentError(`${flag} '${url}' names no host; expected redis://HOST:PORT[/DB], e.g. redis://127.0.0.1:6379`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  return {
    host: parsed.hostname,
    port,
    db: dbText === '' ? 0 : Number(dbText),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
  };
}
