import { type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A fake OpenAI-compatible chat-completions server on a free loopback port, for the tests of the workflows that
// answer through an endpoint (evaluate-mllm-endpoint, evaluate-pope-endpoint, endpoint-queue), imported by path
// (only the study's own tests use it). It answers each request from the test's `reply` function.

/** One chat request as the fake endpoint saw it. */
export interface FakeChatRequest {
  /** The text part of the first message (the prompt). */
  readonly text: string;
  /** The image part's URL (a `data:` URL), '' when the message has none. */
  readonly imageUrl: string;
  /** The base64 payload of `imageUrl` (after the comma). */
  readonly imageBase64: string;
  /** The Authorization header, as sent. */
  readonly authorization: string | undefined;
}

/** What the fake endpoint replies: a text, a refusal, a filtered or empty reply, or an HTTP error. */
export type FakeChatReply =
  | { readonly kind: 'answer'; readonly text: string }
  | { readonly kind: 'refuse' }
  | { readonly kind: 'filter' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'fail'; readonly status: number; readonly message: string };

/** Options of {@link startFakeChatEndpoint}. */
export interface FakeChatEndpointOptions {
  /** The reply to one request (may wait, to hold requests in flight). */
  readonly reply: (request: FakeChatRequest) => FakeChatReply | Promise<FakeChatReply>;
  /** The `model` of each response (default 'fake'). */
  readonly model?: string;
  /** The `system_fingerprint` of each response, read at reply time; none when it gives undefined. */
  readonly fingerprint?: () => string | undefined;
  /** Token usage of each response (default 10 prompt and 2 completion tokens). */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

/** A running fake endpoint. */
export interface FakeChatEndpoint {
  /** Its base URL, `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: FakeChatRequest[];
  /** Stops the server. */
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts a fake OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 and a free port. */
export async function startFakeChatEndpoint(options: FakeChatEndpointOptions): Promise<FakeChatEndpoint> {
  const requests: FakeChatRequest[] = [];
  const usage = options.usage ?? { promptTokens: 10, completionTokens: 2 };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', async () => {
      const parts = (JSON.parse(body) as { messages: { content: { type: string; text?: string; image_url?: { url: string } }[] }[] }).messages[0]!.content;
      const imageUrl = parts.find((part) => part.type === 'image_url')?.image_url?.url ?? '';
      const seen: FakeChatRequest = {
        text: parts.find((part) => part.type === 'text')?.text ?? '',
        imageUrl,
        imageBase64: imageUrl.slice(imageUrl.indexOf(',') + 1),
        authorization: request.headers.authorization,
      };
      requests.push(seen);
      const reply = await options.reply(seen);
      if (reply.kind === 'fail') return send(response, reply.status, { error: { message: reply.message } });
      const message = reply.kind === 'refuse' ? { role: 'assistant', content: null, refusal: 'I cannot help with that.' } : { role: 'assistant', content: reply.kind === 'answer' ? reply.text : '' };
      const fingerprint = options.fingerprint?.();
      send(response, 200, {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: options.model ?? 'fake',
        ...(fingerprint === undefined ? {} : { system_fingerprint: fingerprint }),
        choices: [{ index: 0, message, finish_reason: reply.kind === 'filter' ? 'content_filter' : 'stop' }],
        usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
