import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault the proxy injects instead of (or into) one forwarded request. */
export type Fault = 'rate-limit' | 'server-error' | 'drop-connection' | 'slow' | 'truncated-json' | 'unauthorized';

/** A running proxy: its base URL, what it injected, and what the upstream server was asked. */
export interface FaultProxy {
  /** Base URL to give a client instead of the upstream's (`http://127.0.0.1:P/v1`). */
  readonly url: string;
  /** Requests that reached the proxy. */
  readonly received: number;
  /** Faults injected, in order. */
  readonly injected: readonly Fault[];
  /** Chat requests forwarded to the upstream server, per question (hash of the messages). */
  readonly forwardedPerQuestion: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** The identity of a chat request's question: its messages (image data URLs included), hashed. */
function questionKey(body: string): string {
  try {
    return createHash('sha256')
      .update(JSON.stringify((JSON.parse(body) as { messages?: unknown }).messages ?? null))
      .digest('hex')
      .slice(0, 16);
  } catch {
    return 'unreadable';
  }
}

/**
 * A test proxy in front of an OpenAI-compatible server (127.0.0.1 only): the chat request with
 * number k (1-based, counted on arrival) gets `faults[k]` when the plan names one: 429 with
 * `Retry-After: 1`, 500, a connection dropped before any reply, the real reply held past
 * `slowMs`, the real reply cut in half (status 200, JSON cut), or 401. Every other request is forwarded
 * (after `delayMs`, when given).
 */
export async function startFaultProxy(options: { upstream: string; faults?: ReadonlyMap<number, Fault>; slowMs?: number; delayMs?: number }): Promise<FaultProxy> {
  const upstream = new URL(options.upstream.replace(/\/v1\/?$/, ''));
  const injected: Fault[] = [];
  const forwardedPerQuestion = new Map<string, number>();
  let received = 0;
  let chatRequests = 0;

  const forward = async (request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Headers; text: string }> => {
    if (request.url?.endsWith('/chat/completions')) {
      const key = questionKey(body.toString('utf8'));
      forwardedPerQuestion.set(key, (forwardedPerQuestion.get(key) ?? 0) + 1);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value;
    const response = await fetch(new URL(request.url ?? '/', upstream), { method: request.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  const handle = async (request: IncomingMessage, reply: ServerResponse): Promise<void> => {
    received++;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const fault = request.url?.endsWith('/chat/completions') ? options.faults?.get(++chatRequests) : undefined;
    if (fault !== undefined) injected.push(fault);
    const json = (status: number, value: unknown, extra: Record<string, string> = {}) => {
      reply.writeHead(status, { 'content-type': 'application/json', ...extra });
      reply.end(JSON.stringify(value));
    };
    switch (fault) {
      case 'rate-limit':
        return json(429, { error: { message: 'rate limited (injected)', type: 'rate_limit_error', param: null, code: null } }, { 'retry-after': '1' });
      case 'server-error':
        return json(500, { error: { message: 'server error (injected)', type: 'server_error', param: null, code: null } });
      case 'unauthorized':
        return json(401, { error: { message: 'invalid key (injected)', type: 'authentication_error', param: null, code: 'invalid_api_key' } });
      case 'drop-connection':
        request.socket.destroy();
        return;
      default:
        break;
    }
    if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const answer = await forward(request, body);
    if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, options.slowMs ?? 3000));
    if (fault === 'truncated-json') {
      reply.writeHead(200, { 'content-type': 'application/json' });
      reply.end(answer.text.slice(0, Math.floor(answer.text.length / 2)));
      return;
    }
    if (reply.destroyed) return;
    reply.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    reply.end(answer.text);
  };

  const server: Server = createServer((request, reply) => {
    handle(request, reply).catch(() => reply.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get received() {
      return received;
    },
    injected,
    forwardedPerQuestion,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
