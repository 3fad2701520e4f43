import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { FileFormatError, InvalidArgumentError, ModelLoadError, concatBatch, parseWithSchema, type Tensor, type TextEncoderV1 } from '@mmvp/core';
import { checkFiniteOutput, checkSessionNames, getSession, int64TensorToOrt, ortToTensor, resolveModelFolder } from '@mmvp/onnx';
import { clipTextConfig } from './clip-config';
import { clipEncoderOptionsSchema, type ClipEncoderOptions } from './clip-encoder-options';

/** CLIP's text tower as a TextEncoderV1. */
export interface ClipTextEncoder extends TextEncoderV1 {
  readonly onnxPath: string;
  /** Sequence length every text is padded or truncated to (config max_position_embeddings). */
  readonly maxLength: number;
  /** Token ids [B, S] exactly as fed to the model: BOS ... EOS, padded with the pad token. */
  tokenize(texts: readonly string[]): BigInt64Array;
  /** Tokens of `text` with BOS and EOS before truncation: above `maxLength`, the text is cut (as Hugging Face does). */
  tokenCount(text: string): number;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new FileFormatError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

/**
 * CLIP's text tower (`onnx/text_model.onnx`: input_ids[, attention_mask] -> text_embeds) with the folder's
 * tokenizer.json through @huggingface/tokenizers. Texts are padded/truncated to max_position_embeddings
 * like the Hugging Face processor with `padding='max_length', truncation=True` (truncation keeps the final
 * <|endoftext|>, which is where CLIP pools).
 *
 * @example
 * ```ts
 * import { createClipTextEncoder } from '@mmvp/encoder-clip';
 *
 * const text = await createClipTextEncoder({ modelPath: 'models/tiny-clip' });
 * const embeddings = await text.encodeTexts(['a photo of a dog facing left']); // [1, E]
 * console.log(embeddings.dims);
 * ```
 */
export async function createClipTextEncoder(options: ClipEncoderOptions): Promise<ClipTextEncoder> {
  const settings = parseWithSchema(clipEncoderOptionsSchema, options, 'CLIP encoder options');
  const folder = await resolveModelFolder(settings.modelPath, ['tokenizer.json']);
  const config = clipTextConfig(folder.config, folder.configPath);
  const onnxPath = folder.onnxPath('text_model', settings.dtype);
  const session = await getSession(onnxPath, { executionProvider: settings.executionProvider, intraOpThreads: settings.intraOpThreads });
  checkSessionNames(session, { inputs: ['input_ids'], outputs: ['text_embeds'] }, onnxPath);
  const tokenizerJson = await readJson(folder.tokenizerPath!);
  const tokenizerConfig = folder.tokenizerConfigPath ? await readJson(folder.tokenizerConfigPath) : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (cause) {
    throw new ModelLoadError(`${folder.tokenizerPath} could not be loaded as a tokenizer: ${(cause as Error).message}`, { cause });
  }
  const maxLength = config.max_position_embeddings;
  const eosOrUndefined = config.eos_token_id ?? tokenizer.token_to_id('<|endoftext|>');
  if (eosOrUndefined === undefined) throw new ModelLoadError(`${folder.configPath} has no text_config.eos_token_id and ${folder.tokenizerPath} has no <|endoftext|> token`);
  const eos: number = eosOrUndefined;
  // Hugging Face CLIP tokenizers pad with <|endoftext|>; the causal mask keeps padding out of the EOS token.
  const pad = tokenizer.token_to_id(String(tokenizerConfig.pad_token ?? '<|endoftext|>')) ?? eos;
  const padId: number = pad;
  const usesMask = session.inputNames.includes('attention_mask');

  function tokenize(texts: readonly string[]): BigInt64Array {
    const ids = new BigInt64Array(texts.length * maxLength); // [B, S]
    texts.forEach((text, row) => {
      let encoded = tokenizer.encode(text).ids;
      if (encoded.length > maxLength) encoded = [...encoded.slice(0, maxLength - 1), eos];
      for (let i = 0; i < maxLength; i++) ids[row * maxLength + i] = BigInt(i < encoded.length ? encoded[i]! : padId);
    });
    return ids;
  }

  return {
    specificationVersion: 'v1',
    onnxPath,
    maxLength,
    tokenize,
    tokenCount: (text: string) => tokenizer.encode(text).ids.length,
    async encodeTexts(texts: readonly string[], encodeOptions: { signal?: AbortSignal } = {}): Promise<Tensor> {
      if (texts.length === 0) throw new InvalidArgumentError('encodeTexts needs at least one text');
      const parts: Tensor[] = [];
      for (let start = 0; start < texts.length; start += settings.batchSize) {
        encodeOptions.signal?.throwIfAborted();
        const chunk = texts.slice(start, start + settings.batchSize);
        const ids = tokenize(chunk);
        const feeds: Record<string, ReturnType<typeof int64TensorToOrt>> = { input_ids: int64TensorToOrt(ids, [chunk.length, maxLength]) };
        if (usesMask) {
          const mask = new BigInt64Array(ids.length);
          for (let i = 0; i < ids.length; i++) mask[i] = 1n; // padding sits after EOS; causal attention never reads it
          feeds.attention_mask = int64TensorToOrt(mask, [chunk.length, maxLength]);
        }
        const out = await session.run(feeds, ['text_embeds']);
        parts.push(ortToTensor(out.text_embeds!, `${onnxPath} text_embeds`)); // [b, E]
      }
      return checkFiniteOutput(concatBatch(parts), onnxPath, 'text_embeds'); // [B, E]
    },
  };
}
