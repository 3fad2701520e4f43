export { loadDecoder } from './decoder';
export type { Decoder, LoadDecoderOptions, GenerateOptions, Generation, FinishReason, TokenEvent } from './decoder';
export type { DecoderPrompt, PromptTokens } from './prompt-embedding';
export type { DecoderConfig } from './decoder-config';
/** @public a model's tokenizer on its own, to count or inspect the tokens of a prompt */
export { loadTokenizer } from './tokenizer';
export type { DecoderTokenizer } from './tokenizer';
/** @public the valid chat template names, for a caller's own option checks */
export { applyChatTemplate, formatQuestion, VICUNA_SYSTEM, TEMPLATE_NAMES, QUESTION_STYLES } from './chat-template';
export type { ChatTemplate, TemplateName, TemplateContext, QuestionStyle } from './chat-template';
export type { DecodingStrategy } from './sampling';
