import { randomBytes } from 'node:crypto';
import type { RedisClient } from 'bullmq';
import { InvalidArgumentError } from '@mmvp/core';

/**
 * Fails (one line) when the connection does not really use database `db`: Redis refuses `SELECT 99`
 * on a server with 16 databases, and the client then stays on database 0 without a word, where it
 * would serve (or take) another run's jobs. Asks Redis itself: a probe connection with the same
 * settings names itself and reads its own `db=` from CLIENT LIST.
 */
export async function checkRedisDatabase(client: RedisClient, url: string, db: number): Promise<void> {
  const name = `mmvp-db-check-${process.pid}-${randomBytes(4).toString('hex')}`;
  const probe = client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
  probe.on('error', () => undefined); // the SELECT refusal is read from CLIENT LIST below
  try {
    await probe.clientSetName(name);
    const line = (await probe.clientList()).split('\n').find((entry) => entry.includes(` name=${name} `));
    const actual = line === undefined ? undefined : Number(/\bdb=(\d+)/.exec(line)?.[1]);
    if (actual !== undefined && actual !== db) {
      throw new InvalidArgumentError(
        `--queue ${url}: Redis refused database ${db} (its connections stay on database ${actual}); use an index below its 'databases' setting (16 by default), e.g. ${url.replace(/\/\d+\/?$/, '')}/1`,
      );
    }
  } finally {
    probe.disconnect();
  }
}
