/** @public the endpoint config file's schemas, for tools that write or check one */
export { endpointConfigSchema, endpointDecodingSchema, parseEndpointConfig, readEndpointConfigFile } from './endpoint-config';
export type { EndpointConfig, EndpointConfigInput, EndpointDecoding } from './endpoint-config';
export { createEndpointClient } from './endpoint-client';
export type { ChatReply, EndpointClient, EndpointClientLabels, EndpointClientSettings, EndpointUsage, ReplyOutcome } from './endpoint-client';
export { EndpointRequestError } from './endpoint-request-error';
export { createEndpointAnswerer, questionMessages } from './endpoint-answerer';
export type { EndpointAnswer, EndpointAnswerer } from './endpoint-answerer';
export type { CachedReply } from './response-cache';
export { imageDataUrl } from './image-data-url';
export type { ImageDataUrl } from './image-data-url';
export { publicEndpointUrl } from './public-url';
export type { RequestLimiter } from './request-limiter';
export { readEndpointApiKey } from './api-key';
export { endpointAnswerFields } from './answer-fields';
