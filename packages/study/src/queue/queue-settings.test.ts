import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from './queue-settings';

describe('parseRedisUrl', () => {
  it('reads host, port and database', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/2')).toEqual({ host: '127.0.0.1', port: 6380, db: 2 });
    expect(parseRedisUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379, db: 0 });
  });

  it('names the flag and the expected form for anything else', () => {
    expect(() => parseRedisUrl('127.0.0.1:6379')).toThrow(/--queue '127\.0\.0\.1:6379'.*expected redis:\/\/HOST:PORT\[\/DB\]/);
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(/--queue .*scheme 'http' is not supported/);
    expect(() => parseRedisUrl('redis://127.0.0.1:6379/x')).toThrow(/database 'x' must be a number/);
  });
});
