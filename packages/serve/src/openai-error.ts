import { MmvpError } from '@mmvp/core';

/** The error types OpenAI's API answers with, by HTTP status. */
type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error';

/**
 * A request the server refuses, answered as OpenAI does: HTTP `status` and
 * `{ "error": { "message", "type", "param", "code" } }` (never a stack trace).
 */
export class OpenAiHttpError extends MmvpError {
  static override readonly errorName = 'OpenAiHttpError';
  readonly status: number;
  readonly type: OpenAiErrorType;
  readonly param: string | null;
  readonly code: string | null;
  constructor(status: number, message: string, options: { param?: string; code?: string; type?: OpenAiErrorType } = {}) {
    super({ name: 'OpenAiHttpError', message });
    this.status = status;
    this.type = options.type ?? (status === 401 ? 'authentication_error' : status === 404 ? 'not_found_error' : status >= 500 ? 'server_error' : 'invalid_request_error');
    this.param = options.param ?? null;
    this.code = options.code ?? null;
  }
}

/** The JSON body of an error reply. */
export function errorBody(error: OpenAiHttpError): { error: { message: string; type: string; param: string | null; code: string | null } } {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}
