import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { FileFormatError, InvalidArgumentError, ModelLoadError, concatBatch, parseWithSchema, type Tensor, type TextEncoderV1 } from '@mmvp/core';
import { checkFiniteOutput, checkSessionNames, getSession, int64TensorToOrt, ortToTensor, resolveModelFolder } from '@mmvp/onnx';
import { siglipTextConfig } from './siglip-config';
import { siglipEncoderOptionsSchema, type SiglipEncoderOptions } from './siglip-encoder-options';

/** SigLIP's text tower as a TextEncoderV1. */
export interface SiglipTextEncoder extends TextEncoderV1 {
  readonly onnxPath: string;
  /** Sequence length every text is padded or truncated to (config max_position_embeddings: 64 for the real models). */
  readonly maxLength: number;
  /** Token ids [B, S] exactly as fed to the model: the text's pieces, `</s>`, then padding to maxLength. */
  tokenize(texts: readonly string[]): BigInt64Array;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new FileFormatError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

/** Largest token id tokenizer.json can produce (model vocabulary and added tokens). */
function largestTokenId(json: Record<string, unknown>): number {
  let largest = -1;
  const model = json.model as { vocab?: unknown } | undefined;
  if (Array.isArray(model?.vocab))
    largest = model.vocab.length - 1; // Unigram: [[piece, score], ...]
  else if (model?.vocab && typeof model.vocab === 'object') for (const id of Object.values(model.vocab)) if (typeof id === 'number') largest = Math.max(largest, id);
  for (const token of (json.added_tokens as { id?: unknown }[] | undefined) ?? []) if (typeof token.id === 'number') largest = Math.max(largest, token.id);
  return largest;
}

/**
 * SigLIP's text tower (`onnx/text_model.onnx`: input_ids -> pooler_output) with the folder's tokenizer.json
 * through @huggingface/tokenizers. As SigLIP's processor does (`padding='max_length'`, input_ids only),
 * every text is padded to max_position_embeddings with the pad token: the tower has no attention mask and
 * pools the LAST position, so the padding is part of the model's input. Texts longer than that are cut,
 * keeping the final `</s>`. A tokenizer whose ids do not fit the tower's embedding table is refused.
 *
 * @example
 * ```ts
 * import { createSiglipTextEncoder } from '@mmvp/encoder-siglip';
 *
 * const text = await createSiglipTextEncoder({ modelPath: 'models/tiny-siglip' });
 * const embeddings = await text.encodeTexts(['a photo of a dog facing left']); // [1, E]
 * console.log(embeddings.dims);
 * ```
 */
export async function createSiglipTextEncoder(options: SiglipEncoderOptions): Promise<SiglipTextEncoder> {
  const settings = parseWithSchema(siglipEncoderOptionsSchema, options, 'SigLIP encoder options');
  const folder = await resolveModelFolder(settings.modelPath, ['tokenizer.json']);
  const config = siglipTextConfig(folder.config, folder.configPath);
  const onnxPath = folder.onnxPath('text_model', settings.dtype);
  const tokenizerJson = await readJson(folder.tokenizerPath!);
  const largest = largestTokenId(tokenizerJson);
  if (largest >= config.vocab_size) {
    throw new ModelLoadError(
      `${folder.tokenizerPath} does not match the SigLIP text tower: its token ids run to ${largest} but ${folder.configPath} text_config.vocab_size is ${config.vocab_size} (rows of the token embedding); use the tokenizer of the same checkpoint`,
    );
  }
  const session = await getSession(onnxPath, { executionProvider: settings.executionProvider, intraOpThreads: settings.intraOpThreads });
  checkSessionNames(session, { inputs: ['input_ids'], outputs: ['pooler_output'] }, onnxPath);
  const tokenizerConfig = folder.tokenizerConfigPath ? await readJson(folder.tokenizerConfigPath) : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (cause) {
    throw new ModelLoadError(`${folder.tokenizerPath} could not be loaded as a tokenizer: ${(cause as Error).message}`, { cause });
  }
  const maxLength = config.max_position_embeddings;
  // tokenizer_config.json writes a special token as a string or as an AddedToken object { content, ... }
  const tokenName = (value: unknown, fallback: string): string =>
    typeof value === 'string' ? value : typeof (value as { content?: unknown } | null)?.content === 'string' ? (value as { content: string }).content : fallback;
  const tokenId = (value: unknown, fallback: string) => tokenizer.token_to_id(tokenName(value, fallback));
  const eos = tokenId(tokenizerConfig.eos_token, '</s>');
  const pad = tokenId(tokenizerConfig.pad_token, '</s>') ?? eos;
  if (pad === undefined) {
    throw new ModelLoadError(`${folder.tokenizerPath} has no pad token ('${tokenName(tokenizerConfig.pad_token, '</s>')}'), which SigLIP pads every text with up to ${maxLength} tokens`);
  }
  const padId: number = pad;
  const usesMask = session.inputNames.includes('attention_mask');

  function tokenize(texts: readonly string[]): BigInt64Array {
    const ids = new BigInt64Array(texts.length * maxLength); // [B, S]
    texts.forEach((text, row) => {
      let encoded = tokenizer.encode(text).ids;
      if (encoded.length > maxLength) encoded = eos !== undefined && encoded.at(-1) === eos ? [...encoded.slice(0, maxLength - 1), eos] : encoded.slice(0, maxLength);
      for (let i = 0; i < maxLength; i++) ids[row * maxLength + i] = BigInt(i < encoded.length ? encoded[i]! : padId);
    });
    return ids;
  }

  return {
    specificationVersion: 'v1',
    onnxPath,
    maxLength,
    tokenize,
    async encodeTexts(texts: readonly string[], encodeOptions: { signal?: AbortSignal } = {}): Promise<Tensor> {
      if (texts.length === 0) throw new InvalidArgumentError('encodeTexts needs at least one text');
      const parts: Tensor[] = [];
      for (let start = 0; start < texts.length; start += settings.batchSize) {
        encodeOptions.signal?.throwIfAborted();
        const chunk = texts.slice(start, start + settings.batchSize);
        const ids = tokenize(chunk);
        const feeds: Record<string, ReturnType<typeof int64TensorToOrt>> = { input_ids: int64TensorToOrt(ids, [chunk.length, maxLength]) };
        if (usesMask) {
          // SigLIP was trained without a text mask (its processor returns input_ids only): all ones = no mask
          feeds.attention_mask = int64TensorToOrt(new BigInt64Array(ids.length).fill(1n), [chunk.length, maxLength]);
        }
        const out = await session.run(feeds, ['pooler_output']);
        parts.push(ortToTensor(out.pooler_output!, `${onnxPath} pooler_output`)); // [b, E]
      }
      return checkFiniteOutput(concatBatch(parts), onnxPath, 'pooler_output'); // [B, E]
    },
  };
}
