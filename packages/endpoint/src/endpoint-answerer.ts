import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { createEndpointClient, type ChatReply, type EndpointClient } from './endpoint-client';
import type { EndpointConfig } from './endpoint-config';
import { imageDataUrl } from './image-data-url';
import { ResponseCache, responseCacheKey } from './response-cache';

/** One answer of an endpoint model, with what it cost. */
export interface EndpointAnswer {
  readonly reply: ChatReply;
  /** True when the reply came from the run folder's cache (nothing was sent). */
  readonly cached: boolean;
  /** Wall time of the request when it was made (from the cache: the original request's). */
  readonly latencyMs: number;
}

/** Asks an endpoint model about images, through the response cache. */
export interface EndpointAnswerer {
  readonly client: EndpointClient;
  readonly cache: ResponseCache | undefined;
  /** One question (the text already in its prompt style) about one image file. */
  ask(request: { image: string; text: string }, options?: { signal?: AbortSignal }): Promise<EndpointAnswer>;
}

/**
 * The messages of one question: an optional system message, then one user message with the text
 * and the image as a base64 data URL of the file's own bytes (text first, as lmms-eval's
 * openai_compatible model sends them).
 */
export function questionMessages(text: string, imageUrl: string, system?: string): ChatCompletionMessageParam[] {
  return [
    ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
    {
      role: 'user',
      content: [
        { type: 'text', text },
        { type: 'image_url', image_url: { url: imageUrl } },
      ],
    },
  ];
}

/**
 * A model source over an OpenAI-compatible endpoint: every reply is looked up in (and then written
 * to) `cachePath` before anything is sent, so a resumed run or a re-grade never pays twice; a
 * question asked while the same question is in flight waits for that request's reply.
 */
export async function createEndpointAnswerer(options: { config: EndpointConfig; apiKey?: string; cachePath?: string; fetch?: typeof fetch }): Promise<EndpointAnswerer> {
  const { config } = options;
  const client = createEndpointClient(config, { ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }), ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
  const cache = options.cachePath === undefined ? undefined : await ResponseCache.open(options.cachePath);
  const inFlight = new Map<string, Promise<{ reply: ChatReply; latencyMs: number }>>();
  // The same image path and text asked while an earlier call is still on its way (read, cache, request): shared
  // in call order, before the image is read, so the later call is the one marked cached whatever order the reads end in.
  const askedNow = new Map<string, ReturnType<EndpointAnswerer['ask']>>();
  const answer: EndpointAnswerer['ask'] = async (request, askOptions = {}) => {
    const image = await imageDataUrl(request.image);
    const messages = questionMessages(request.text, image.url, config.system);
    const key = responseCacheKey({ model: config.model, messages, decoding: config.decoding, imageSha256: new Map([[image.url, image.sha256]]) });
    const known = cache?.get(key);
    if (known !== undefined) return { reply: known.reply, cached: true, latencyMs: known.latencyMs };
    // The same question asked again while its first request is in flight (POPE repeats questions
    // across splits) waits for that request instead of paying twice.
    const pending = inFlight.get(key);
    if (pending !== undefined) return { ...(await pending), cached: true };
    const sending = (async () => {
      const started = performance.now();
      const reply = await client.chat({ messages, decoding: config.decoding }, askOptions.signal === undefined ? {} : { signal: askOptions.signal });
      const latencyMs = Math.round(performance.now() - started);
      await cache?.set({ key, model: config.model, reply, latencyMs });
      return { reply, latencyMs };
    })();
    inFlight.set(key, sending);
    try {
      return { ...(await sending), cached: false };
    } finally {
      inFlight.delete(key);
    }
  };
  return {
    client,
    cache,
    async ask(request, askOptions = {}) {
      const requestKey = `${request.image}\n${request.text}`;
      const earlier = askedNow.get(requestKey);
      if (earlier !== undefined) return { ...(await earlier), cached: true };
      const answering = answer(request, askOptions);
      askedNow.set(requestKey, answering);
      try {
        return await answering;
      } finally {
        askedNow.delete(requestKey);
      }
    },
  };
}
