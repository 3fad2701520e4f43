import { MmvpError } from '@mmvp/core';

/**
 * A request to the endpoint failed for good: retries spent (429, 5xx, timeouts, dropped
 * connections, unreadable replies) or refused (4xx). `fatal` marks failures no other request can
 * escape (a wrong key: 401/403, an unknown model: 404): the run stops instead of asking the rest.
 */
export class EndpointRequestError extends MmvpError {
  static override readonly errorName = 'EndpointRequestError';
  /** HTTP status of the last attempt, when there was one. */
  readonly status?: number;
  /** True when asking further questions cannot succeed either (401, 403, 404). */
  readonly fatal: boolean;
  constructor(message: string, options: { cause?: unknown; status?: number; fatal?: boolean } = {}) {
    super({ name: 'EndpointRequestError', message, cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
    this.fatal = options.fatal === true;
  }
}
