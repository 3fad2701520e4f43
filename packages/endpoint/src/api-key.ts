import { InvalidArgumentError } from '@mmvp/core';

/**
 * The API key from the named environment variable ('none': no key). A missing or empty variable is
 * an error naming it, raised before anything is sent. The key is only handed to the client.
 */
export function readEndpointApiKey(variable: string): string | undefined {
  if (variable === 'none') return undefined;
  const key = process.env[variable];
  if (key === undefined || key === '')
    throw new InvalidArgumentError(`the environment variable ${variable} (named by --api-key-env / apiKeyEnv) is not set; put the endpoint's API key there, or pass --api-key-env none for an endpoint without a key`);
  return key;
}
