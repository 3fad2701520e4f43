import { MmvpError } from '@mmvp/core';

/** The judge endpoint failed (HTTP error after retries, unreachable, or an unexpected body). */
export class JudgeRequestError extends MmvpError {
  static override readonly errorName = 'JudgeRequestError';
  /** HTTP status of the last attempt, when there was one. */
  readonly status?: number;
  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super({ name: 'JudgeRequestError', message, cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}
