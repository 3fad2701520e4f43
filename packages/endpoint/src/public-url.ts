import { InvalidArgumentError } from '@mmvp/core';

/**
 * The endpoint URL as it may be written into results: without user name, password, query string or
 * fragment (where some gateways carry keys), and without a trailing slash.
 */
export function publicEndpointUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`endpoint URL '${url.replace(/\/\/[^@/]*@/, '//')}' is not a URL; give e.g. http://127.0.0.1:8000/v1 or https://api.openai.com/v1`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidArgumentError(`endpoint URL scheme '${parsed.protocol}' is not valid; valid choices: 'http:', 'https:'`);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString().replace(/\/+$/, '');
}
