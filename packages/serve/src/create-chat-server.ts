import { randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { FileFormatError, parseWithSchema } from '@mmvp/core';
import type { Pipeline } from '@mmvp/pipeline';
import { parseChatRequest, pipelineQuestion } from './chat-request';
import { imageBytes, undecodableImage } from './image-url';
import { OpenAiHttpError, errorBody } from './openai-error';
import { createRequestBatcher } from './request-batcher';
import { serveOptionsSchema, type ServeOptions } from './serve-options';

/** `eos` and `stop` both end as OpenAI's `stop`; `length` stays `length`. */
const FINISH_REASONS = { eos: 'stop', stop: 'stop', length: 'length' } as const;

/**
 * A pipeline behind OpenAI's chat-completions API, on Fastify (routing, body limits, JSON parsing
 * and graceful close come from it): `GET /v1/models`, `POST /v1/chat/completions` with one text +
 * one `image_url` (data URL) user message, `max_tokens`, `temperature`, `top_p`, `seed`, `stop`,
 * `stream` (SSE). The question text goes through the pipeline's own chat template (as `ask` does
 * with an already formatted question), so a greedy answer equals the in-process one. Every refused
 * request gets an OpenAI-shaped JSON error with a 4xx status; nothing else ever shows a stack trace.
 * Not listening yet: call `listen` (or use {@link startChatServer}).
 */
export function createChatServer(pipeline: Pick<Pipeline, 'askMany'>, options: ServeOptions): FastifyInstance {
  const settings = parseWithSchema(serveOptionsSchema, options, 'serve options');
  const batcher = createRequestBatcher(pipeline, { windowMs: settings.batchWindowMs, maxBatchSize: settings.maxBatchSize });
  const app = Fastify({ bodyLimit: settings.maxBodyBytes, logger: false, return503OnClosing: true });
  const expected = settings.bearerToken === undefined ? undefined : Buffer.from(`Bearer ${settings.bearerToken}`);

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof OpenAiHttpError) return reply.status(error.status).send(errorBody(error));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the request body is larger than the server's limit of ${settings.maxBodyBytes} bytes` : error.message;
      return reply.status(status).send(errorBody(new OpenAiHttpError(status, message, { ...(error.code === undefined ? {} : { code: error.code.toLowerCase() }) })));
    }
    process.stderr.write(`mmvp serve: request failed: ${error.message.split('\n')[0]}\n`);
    return reply.status(500).send(errorBody(new OpenAiHttpError(500, 'the pipeline failed on this request; see the server log', { code: 'internal_error' })));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody(new OpenAiHttpError(404, `no route ${request.method} ${request.url.split('?')[0]}; routes: GET /v1/models, POST /v1/chat/completions`))));
  app.addHook('onRequest', async (request) => {
    if (expected === undefined) return;
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new OpenAiHttpError(401, 'missing or wrong bearer token (Authorization: Bearer <key>)', { code: 'invalid_api_key' });
  });

  app.get('/v1/models', async () => ({ object: 'list', data: [{ id: settings.modelId, object: 'model', created: 0, owned_by: 'mmvp' }] }));

  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseChatRequest(request.body);
    if (body.model !== settings.modelId) throw new OpenAiHttpError(404, `the model '${body.model}' does not exist; this server serves '${settings.modelId}'`, { param: 'model', code: 'model_not_found' });
    const question = pipelineQuestion(body);
    const image = await imageBytes(question.imageUrl, { maxImageBytes: settings.maxImageBytes, fileRoot: settings.fileRoot });
    const ask = {
      image,
      question: question.text,
      prompt: 'original' as const, // the text is already the whole question: 'original' with no options leaves it as sent
      ...(question.maxNewTokens === undefined ? {} : { maxNewTokens: question.maxNewTokens }),
      ...(question.temperature === undefined ? {} : { temperature: question.temperature }),
      ...(question.topP === undefined ? {} : { topP: question.topP }),
      ...(question.seed === undefined ? {} : { seed: question.seed }),
      ...(question.stop === undefined ? {} : { stop: question.stop }),
    };
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const common = { id, created, model: settings.modelId, ...(settings.systemFingerprint === undefined ? {} : { system_fingerprint: settings.systemFingerprint }) };
    if (!question.stream) {
      const answer = await batcher.ask(ask).catch(imageError);
      return {
        ...common,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: answer.text, refusal: null }, logprobs: null, finish_reason: FINISH_REASONS[answer.finishReason] }],
        usage: { prompt_tokens: answer.promptLength, completion_tokens: answer.tokenIds.length, total_tokens: answer.promptLength + answer.tokenIds.length },
      };
    }
    return streamAnswer(reply, common, (onToken) => batcher.ask(ask, onToken).catch(imageError));
  });
  return app;
}

/** An image the pipeline could not decode is the request's fault (400); anything else is the server's. */
function imageError(error: unknown): never {
  throw FileFormatError.isInstance(error) ? undecodableImage() : error;
}

/** Server-sent events as OpenAI streams them: a role chunk, one chunk per token, the finish chunk, `[DONE]`. */
async function streamAnswer(reply: FastifyReply, common: Record<string, unknown>, run: (onToken: (text: string) => void) => ReturnType<ReturnType<typeof createRequestBatcher>['ask']>): Promise<FastifyReply> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (delta: Record<string, unknown>, finish: string | null) =>
    raw.write(`data: ${JSON.stringify({ ...common, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`);
  send({ role: 'assistant', content: '' }, null);
  try {
    const answer = await run((text) => send({ content: text }, null));
    send({}, FINISH_REASONS[answer.finishReason]);
  } catch (error) {
    if (error instanceof OpenAiHttpError) raw.write(`data: ${JSON.stringify(errorBody(error))}\n\n`);
    else {
      process.stderr.write(`mmvp serve: streamed request failed: ${(error as Error).message.split('\n')[0]}\n`);
      raw.write(`data: ${JSON.stringify(errorBody(new OpenAiHttpError(500, 'the pipeline failed on this request; see the server log', { code: 'internal_error' })))}\n\n`);
    }
  }
  raw.end('data: [DONE]\n\n');
  return reply;
}
