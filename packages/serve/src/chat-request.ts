import { z } from 'zod';
import { OpenAiHttpError } from './openai-error';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const imagePart = z.object({ type: z.literal('image_url'), image_url: z.union([z.string(), z.object({ url: z.string(), detail: z.string().optional() }).passthrough()]) }).passthrough();
const message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant']),
    content: z.union([z.string(), z.array(z.union([textPart, imagePart])), z.null()]),
  })
  .passthrough();

/**
 * The part of OpenAI's chat-completions request the server reads; other fields OpenAI clients send
 * (`user`, `stream_options`, `logprobs: false`, ...) are accepted and ignored.
 */
export const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1, 'messages is empty; send at least one user message'),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    seed: z.number().int().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    stream: z.boolean().nullish(),
    n: z.literal(1).nullish(),
  })
  .passthrough();

/** A checked chat-completions request. */
export type ChatRequest = z.output<typeof chatRequestSchema>;

/** One question for the pipeline, read from a chat request. */
export interface PipelineQuestion {
  readonly text: string;
  readonly imageUrl: string;
  readonly maxNewTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly stream: boolean;
}

/** Parses a body into a request, or a 400 naming the first problem (`param` = its field). */
export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null) throw new OpenAiHttpError(400, 'the body must be a JSON object (a chat-completions request)');
  const result = chatRequestSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = issue.path.join('.');
    throw new OpenAiHttpError(400, `${param === '' ? 'request' : param}: ${issue.message}`, { param: param === '' ? 'request' : String(issue.path[0]) });
  }
  return result.data;
}

/**
 * The pipeline's question of a request: the pipeline's own chat template holds the system line and
 * the image placeholder, so a request is one user message with its text part(s) and exactly one image
 * (earlier turns and system messages are refused, not silently dropped).
 */
export function pipelineQuestion(request: ChatRequest): PipelineQuestion {
  const users = request.messages.filter((item) => item.role === 'user');
  if (users.length !== 1 || request.messages.length !== 1) {
    throw new OpenAiHttpError(400, "send exactly one user message (the pipeline's chat template sets its own system line; earlier turns are not supported)", { param: 'messages', code: 'unsupported_conversation' });
  }
  const content = users[0]!.content;
  const parts = typeof content === 'string' ? [{ type: 'text' as const, text: content }] : (content ?? []);
  const texts = parts.flatMap((part) => (part.type === 'text' ? [part.text] : []));
  const images = parts.flatMap((part) => (part.type === 'image_url' ? [typeof part.image_url === 'string' ? part.image_url : part.image_url.url] : []));
  if (images.length !== 1) throw new OpenAiHttpError(400, `the pipeline answers about exactly one image; the message has ${images.length} image_url part(s)`, { param: 'messages', code: 'image_count' });
  const text = texts.join('\n');
  if (text.trim() === '') throw new OpenAiHttpError(400, 'the user message has no text; send the question as a text part', { param: 'messages' });
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  return {
    text,
    imageUrl: images[0]!,
    ...(maxTokens == null ? {} : { maxNewTokens: maxTokens }),
    // top_p 0 keeps only the most likely token: greedy, as OpenAI treats it
    ...(request.top_p === 0 ? { temperature: 0 } : request.temperature == null ? {} : { temperature: request.temperature }),
    ...(request.top_p == null || request.top_p === 0 ? {} : { topP: request.top_p }),
    ...(request.seed == null ? {} : { seed: request.seed }),
    ...(request.stop == null ? {} : { stop: typeof request.stop === 'string' ? [request.stop] : request.stop }),
    stream: request.stream === true,
  };
}
