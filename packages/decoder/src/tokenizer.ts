import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { FileFormatError, InvalidConfigError, ModelLoadError } from '@mmvp/core';

/** A special token in tokenizer_config.json: a plain string or an AddedToken object `{ content }`. */
type SpecialTokenField = string | { content: string } | null | undefined;

function specialTokenText(field: SpecialTokenField): string | undefined {
  if (field == null) return undefined;
  return typeof field === 'string' ? field : field.content;
}

/**
 * The model folder's tokenizer (tokenizer.json + tokenizer_config.json) with the BOS/EOS policy its
 * config states. Text is encoded WITHOUT the tokenizer.json post-processor; BOS is added here when
 * `add_bos_token` says so, so chunks split around the image placeholder get exactly one BOS.
 */
export interface DecoderTokenizer {
  readonly bosToken: string | undefined;
  readonly bosTokenId: number | undefined;
  readonly eosToken: string | undefined;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly addBosToken: boolean;
  readonly addEosToken: boolean;
  /** The folder's own Jinja chat template, when tokenizer_config.json (or chat_template.jinja) has one. */
  readonly chatTemplate: string | undefined;
  /** Token ids of `text` with no special tokens added. */
  encode(text: string): number[];
  /** Text of `ids`, special tokens skipped. */
  decode(ids: readonly number[]): string;
  /** The id of a vocabulary token, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined;
}

/** Loads a decoder folder's tokenizer.json and tokenizer_config.json. */
export async function loadTokenizer(modelPath: string): Promise<DecoderTokenizer> {
  const tokenizerFile = join(modelPath, 'tokenizer.json');
  const configFile = join(modelPath, 'tokenizer_config.json');
  const tokenizerJson = await readJson(tokenizerFile);
  const config = (await readJson(configFile)) as Record<string, unknown>;
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson as object, config);
  } catch (cause) {
    throw new ModelLoadError(`cannot build a tokenizer from ${tokenizerFile}: ${(cause as Error).message}`, { cause });
  }
  const bosToken = specialTokenText(config.bos_token as SpecialTokenField);
  const eosToken = specialTokenText(config.eos_token as SpecialTokenField);
  const padToken = specialTokenText(config.pad_token as SpecialTokenField);
  const idOf = (token: string | undefined, field: string): number | undefined => {
    if (token === undefined) return undefined;
    const id = tokenizer.token_to_id(token);
    if (id === undefined) throw new InvalidConfigError(`${configFile}: ${field} '${token}' is not a token of ${tokenizerFile}`);
    return id;
  };
  let chatTemplate: string | undefined;
  const rawTemplate = config.chat_template;
  if (typeof rawTemplate === 'string') chatTemplate = rawTemplate;
  else if (Array.isArray(rawTemplate)) {
    const named = rawTemplate as { name: string; template: string }[];
    chatTemplate = (named.find((t) => t.name === 'default') ?? named[0])?.template;
  } else {
    chatTemplate = await readFile(join(modelPath, 'chat_template.jinja'), 'utf8').catch(() => undefined);
  }
  const addBosToken = config.add_bos_token === undefined ? bosToken !== undefined : config.add_bos_token === true;
  return {
    bosToken,
    bosTokenId: idOf(bosToken, 'bos_token'),
    eosToken,
    eosTokenId: idOf(eosToken, 'eos_token'),
    padTokenId: idOf(padToken, 'pad_token'),
    addBosToken,
    addEosToken: config.add_eos_token === true,
    chatTemplate,
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tokenizer.decode([...ids], { skip_special_tokens: true }),
    tokenToId: (token) => tokenizer.token_to_id(token),
  };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ModelLoadError(`cannot read ${path}: ${(cause as Error).message} (a decoder folder needs tokenizer.json and tokenizer_config.json)`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new FileFormatError(`${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}
