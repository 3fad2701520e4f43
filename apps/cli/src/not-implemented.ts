import { MmvpError } from '@mmvp/core';

/** Placeholder action for a command whose issue has not landed yet; says so plainly. */
export function notImplemented(command: string, issue: string): () => never {
  return () => {
    throw new MmvpError({ name: 'NotImplementedError', message: `'mmvp ${command}' is not implemented yet (${issue})` });
  };
}
