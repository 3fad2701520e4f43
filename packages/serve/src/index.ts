/** @public an OpenAI-compatible chat server around any answer function, not only a pipeline */
export { createChatServer } from './create-chat-server';
export { servePipeline } from './serve-pipeline';
export type { RunningServer, ServePipelineOptions } from './serve-pipeline';
/** @public the server's options schema, for a caller's own validation */
export { serveOptionsSchema } from './serve-options';
export type { ServeOptions } from './serve-options';
export type { ChatRequest, PipelineQuestion } from './chat-request';
/** @public an OpenAI-style error reply, thrown by a custom server's answer function */
export { OpenAiHttpError } from './openai-error';
export type { RequestBatcher } from './request-batcher';
