import type * as ort from 'onnxruntime-node';
import { InvalidArgumentError, ShapeMismatchError, formatShape, type Tensor } from '@mmvp/core';
import { IMAGE_PLACEHOLDER } from './chat-template';
import type { DecoderTokenizer } from './tokenizer';

/** One prompt: text with at most one image placeholder, and the visual tokens that replace it. */
export interface DecoderPrompt {
  /** Prompt text after the chat template; `<image>` marks where the visual tokens go. */
  readonly text: string;
  /** Visual tokens [T, H] (or [1, T, H]) in the decoder's embedding space. */
  readonly visualTokens?: Tensor;
}

/** Token ids around the placeholder: `before` (with BOS when the tokenizer config adds it) and `after` (with EOS when it adds that). */
export interface PromptTokens {
  readonly before: number[];
  readonly after: number[];
  readonly visualCount: number;
}

/**
 * Splits the prompt at the placeholder and tokenizes each side on its own, as LLaVA's
 * `tokenizer_image_token` does (so a SentencePiece-style tokenizer prefixes '▁' to each chunk),
 * adding BOS once at the very start when `add_bos_token` is set and the text does not already begin
 * with the BOS string.
 */
export function tokenizePrompt(tokenizer: DecoderTokenizer, prompt: DecoderPrompt, hiddenSize: number): PromptTokens {
  const parts = prompt.text.split(IMAGE_PLACEHOLDER);
  const visual = prompt.visualTokens;
  if (parts.length > 2) throw new InvalidArgumentError(`prompt has ${parts.length - 1} '${IMAGE_PLACEHOLDER}' placeholders; one image per prompt is supported`);
  if (visual !== undefined && parts.length === 1) {
    throw new InvalidArgumentError(
      `prompt has visual tokens but no '${IMAGE_PLACEHOLDER}' placeholder to put them at; use a template that contains '${IMAGE_PLACEHOLDER}' (prompt: ${JSON.stringify(prompt.text.slice(0, 120))})`,
    );
  }
  if (visual === undefined && parts.length === 2) {
    throw new InvalidArgumentError(`prompt contains '${IMAGE_PLACEHOLDER}' but no visualTokens were given`);
  }
  let visualCount = 0;
  if (visual !== undefined) {
    const dims = visual.dims;
    const ok = (dims.length === 2 || (dims.length === 3 && dims[0] === 1)) && dims[dims.length - 1] === hiddenSize;
    if (!ok) {
      throw new ShapeMismatchError(
        `visual tokens have shape ${formatShape(dims)} but the decoder needs [T, ${hiddenSize}] (its hidden_size in config.json); the adapter's output size must equal the language model's hidden size`,
      );
    }
    visualCount = dims[dims.length - 2]!;
  }
  let first = parts[0]!;
  let withBos = tokenizer.addBosToken && tokenizer.bosTokenId !== undefined;
  if (tokenizer.bosToken !== undefined && first.startsWith(tokenizer.bosToken)) {
    first = first.slice(tokenizer.bosToken.length);
    withBos = tokenizer.bosTokenId !== undefined;
  }
  const before = [...(withBos ? [tokenizer.bosTokenId!] : []), ...(first === '' ? [] : tokenizer.encode(first))];
  const after = parts.length === 2 && parts[1] !== '' ? tokenizer.encode(parts[1]!) : [];
  // add_eos_token: EOS once at the very end of the prompt, as the Hugging Face Llama tokenizer appends it
  // (rare for chat models, whose configs set it false), unless the text already ends with the EOS string
  if (tokenizer.addEosToken && tokenizer.eosTokenId !== undefined && !(tokenizer.eosToken !== undefined && prompt.text.endsWith(tokenizer.eosToken))) {
    (parts.length === 2 ? after : before).push(tokenizer.eosTokenId);
  }
  return { before, after, visualCount };
}

/** Runs embed_tokens on `ids` -> [n, H] rows. */
export async function embedIds(session: ort.InferenceSession, ortModule: typeof ort, ids: readonly number[], hiddenSize: number): Promise<Float32Array> {
  if (ids.length === 0) return new Float32Array(0);
  const inputIds = new ortModule.Tensor(
    'int64',
    BigInt64Array.from(ids, (id) => BigInt(id)),
    [1, ids.length],
  );
  const out = await session.run({ input_ids: inputIds });
  const embeds = out.inputs_embeds ?? Object.values(out)[0]!;
  const data = embeds.data as Float32Array; // [1, n, H]
  if (data.length !== ids.length * hiddenSize) {
    throw new ShapeMismatchError(`embed_tokens returned ${formatShape(embeds.dims)} for ${ids.length} ids; expected [1, ${ids.length}, ${hiddenSize}] (config.json hidden_size)`);
  }
  return data;
}

/** Prompt embeddings [S, H]: text rows before, the visual tokens, text rows after. */
export function splice(before: Float32Array, visual: Tensor | undefined, after: Float32Array): Float32Array {
  const visualData = visual?.data ?? new Float32Array(0);
  const out = new Float32Array(before.length + visualData.length + after.length); // [S, H]
  out.set(before, 0);
  out.set(visualData, before.length);
  out.set(after, before.length + visualData.length);
  return out;
}
