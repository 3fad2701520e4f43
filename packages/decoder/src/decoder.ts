import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InvalidArgumentError, ModelLoadError, type Tensor, tensor } from '@mmvp/core';
import { applyChatTemplate, type ChatTemplate } from './chat-template';
import { loadDecoderConfig, type DecoderConfig } from './decoder-config';
import { embedIds, splice, tokenizePrompt, type DecoderPrompt } from './prompt-embedding';
import { argmax, createRandom, sampleTopP, type DecodingStrategy } from './sampling';
import { openSession, type ExecutionProvider } from './session';
import { StopStringTracker } from './stop-strings';
import { loadTokenizer, type DecoderTokenizer } from './tokenizer';

/** Options of loadDecoder: the model folder, execution provider and threads. */
export interface LoadDecoderOptions {
  /** Model folder: config.json, tokenizer.json, tokenizer_config.json, onnx/embed_tokens.onnx, onnx/decoder_model_merged.onnx. */
  readonly modelPath: string;
  readonly executionProvider?: ExecutionProvider;
  /** Threads inside one ONNX operator (default: ORT's choice). */
  readonly intraOpThreads?: number;
}

/** One streamed piece of generated text. */
export interface TokenEvent {
  /** Which prompt of the batch (0-based). */
  readonly prompt: number;
  readonly tokenId: number;
  /** New text since the previous event for this prompt (may be '' while a multi-byte character or a possible stop string is incomplete). */
  readonly text: string;
}

/** Prompts (text around the visual tokens) and generation settings of one generate call. */
export interface GenerateOptions {
  readonly prompts: readonly DecoderPrompt[];
  /** Upper bound on generated tokens per prompt (default 64). */
  readonly maxNewTokens?: number;
  /** EOS cannot end an answer before this many tokens (its logits are masked), as transformers' min_new_tokens. Default 0. */
  readonly minNewTokens?: number;
  /** Greedy by default. */
  readonly decoding?: DecodingStrategy;
  /** Generation of a prompt ends when its text contains one of these; the text is cut before it. */
  readonly stop?: readonly string[];
  /** Called with each generated token, for streaming. */
  readonly onToken?: (event: TokenEvent) => void;
  readonly signal?: AbortSignal;
  /**
   * false recomputes the whole sequence at every step instead of reusing the KV cache. Slow; it exists
   * so tests can check the cached path against an independent one.
   */
  readonly useCache?: boolean;
}

/** Why generation stopped: the end-of-sequence token, a stop string, or the token limit. */
export type FinishReason = 'eos' | 'stop' | 'length';

/** One generated answer: text, token ids and why it stopped. */
export interface Generation {
  readonly text: string;
  /** Generated ids, the EOS token included when it ended the answer. */
  readonly tokenIds: readonly number[];
  readonly finishReason: FinishReason;
  /** Prompt length in positions (text tokens + visual tokens). */
  readonly promptLength: number;
}

/**
 * A Llama-style decoder run from two ONNX files: embed_tokens (text ids -> embeddings) and
 * decoder_model_merged (embeddings + attention mask + positions + KV cache -> logits + new cache).
 * Visual tokens are spliced into the prompt embeddings at the image placeholder, as LLaVA does.
 */
export interface Decoder {
  readonly modelPath: string;
  readonly config: DecoderConfig;
  readonly tokenizer: DecoderTokenizer;
  /** Prompt text for one question with an image, from a built-in template or the folder's own. */
  applyTemplate(template: ChatTemplate, question: string): string;
  /** Token ids and embedding length of a prompt, without running the decoder. */
  tokenize(prompt: DecoderPrompt): { before: number[]; after: number[]; visualCount: number; length: number };
  /** First-step logits at every prompt position [S, V] (no cache, one prompt). */
  promptLogits(prompt: DecoderPrompt): Promise<Tensor>;
  /** Generates one answer per prompt (a batch, left-padded), greedy or sampled, with the KV cache. */
  generate(options: GenerateOptions): Promise<Generation[]>;
  /** Releases the decoder's ONNX sessions. */
  dispose(): Promise<void>;
}

interface CacheLayout {
  readonly pastNames: readonly string[]; // past_key_values.{i}.key, .value in layer order
  readonly presentNames: readonly string[];
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly feedsPositionIds: boolean;
}

/** Loads an LLM decoder folder (embed_tokens.onnx + decoder_model_merged.onnx, tokenizer, config). */
export async function loadDecoder(options: LoadDecoderOptions): Promise<Decoder> {
  const { modelPath, executionProvider = 'cpu', intraOpThreads } = options;
  const config = await loadDecoderConfig(modelPath);
  const tokenizer = await loadTokenizer(modelPath);
  const embedPath = join(modelPath, 'onnx', 'embed_tokens.onnx');
  const decoderPath = join(modelPath, 'onnx', 'decoder_model_merged.onnx');
  const embedSession = await openSession(embedPath, executionProvider, intraOpThreads);
  const decoderSession = await openSession(decoderPath, executionProvider, intraOpThreads);
  const layout = inspectDecoder(decoderSession, decoderPath, config);
  if (!embedSession.inputNames.includes('input_ids')) {
    throw new ModelLoadError(`${embedPath} has inputs [${embedSession.inputNames.join(', ')}], expected 'input_ids'`);
  }
  return new OnnxDecoder(modelPath, config, tokenizer, embedSession, decoderSession, layout);
}

/** Checks the decoder's I/O names against config.json and reads the KV-cache shape. */
function inspectDecoder(session: ort.InferenceSession, path: string, config: DecoderConfig): CacheLayout {
  const inputs = session.inputNames;
  for (const name of ['inputs_embeds', 'attention_mask']) {
    if (!inputs.includes(name)) throw new ModelLoadError(`${path} has no '${name}' input (inputs: ${inputs.join(', ')}); export the decoder with inputs_embeds, attention_mask, position_ids and past_key_values.*`);
  }
  const pastInputs = inputs.filter((n) => n.startsWith('past_key_values.'));
  if (pastInputs.length === 0) {
    throw new ModelLoadError(
      `${path} has no KV-cache inputs (expected past_key_values.{0..${config.numLayers - 1}}.key|value for the ${config.numLayers} layers in config.json; inputs: ${inputs.join(', ')}). ` +
        'Export the merged decoder with past key values (e.g. optimum-cli export onnx --task text-generation-with-past, or tools/make_tiny_llama.py).',
    );
  }
  const pastNames: string[] = [];
  const presentNames: string[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    for (const kind of ['key', 'value']) {
      const past = `past_key_values.${i}.${kind}`;
      const present = `present.${i}.${kind}`;
      if (!inputs.includes(past)) throw new ModelLoadError(`${path} lacks input '${past}': config.json says num_hidden_layers=${config.numLayers} but the graph has ${pastInputs.length / 2} cached layers`);
      if (!session.outputNames.includes(present)) throw new ModelLoadError(`${path} lacks output '${present}' (outputs: ${session.outputNames.join(', ')})`);
      pastNames.push(past);
      presentNames.push(present);
    }
  }
  if (pastInputs.length !== pastNames.length) {
    throw new ModelLoadError(`${path} has ${pastInputs.length / 2} cached layers but config.json says num_hidden_layers=${config.numLayers}`);
  }
  if (!session.outputNames.includes('logits')) throw new ModelLoadError(`${path} has no 'logits' output (outputs: ${session.outputNames.join(', ')})`);
  // [batch, kv_heads, past_len, head_dim] from the graph where it is static; config.json otherwise.
  let numKeyValueHeads = config.numKeyValueHeads;
  let headDim = config.headDim;
  const meta = session.inputMetadata?.find((m) => m.name === pastNames[0]);
  if (meta?.isTensor) {
    const [, heads, , dim] = meta.shape;
    if (typeof heads === 'number' && heads !== numKeyValueHeads) {
      throw new ModelLoadError(`${path}: ${pastNames[0]} has ${heads} key/value heads but config.json says num_key_value_heads=${numKeyValueHeads}`);
    }
    if (typeof dim === 'number' && dim !== headDim) throw new ModelLoadError(`${path}: ${pastNames[0]} has head_dim ${dim} but config.json gives ${headDim}`);
    if (typeof heads === 'number') numKeyValueHeads = heads;
    if (typeof dim === 'number') headDim = dim;
  }
  return { pastNames, presentNames, numKeyValueHeads, headDim, feedsPositionIds: inputs.includes('position_ids') };
}

class OnnxDecoder implements Decoder {
  constructor(
    readonly modelPath: string,
    readonly config: DecoderConfig,
    readonly tokenizer: DecoderTokenizer,
    private readonly embedSession: ort.InferenceSession,
    private readonly decoderSession: ort.InferenceSession,
    private readonly layout: CacheLayout,
  ) {}

  applyTemplate(template: ChatTemplate, question: string): string {
    return applyChatTemplate(template, question, {
      bosToken: this.tokenizer.bosToken,
      eosToken: this.tokenizer.eosToken,
      modelChatTemplate: this.tokenizer.chatTemplate,
      source: this.modelPath,
    });
  }

  tokenize(prompt: DecoderPrompt) {
    const t = tokenizePrompt(this.tokenizer, prompt, this.config.hiddenSize);
    return { ...t, length: t.before.length + t.visualCount + t.after.length };
  }

  /** Prompt embeddings [S, H], checked against max_position_embeddings. */
  private async embedPrompt(prompt: DecoderPrompt, index: number): Promise<Float32Array> {
    const t = this.tokenize(prompt);
    const max = this.config.maxPositionEmbeddings;
    if (t.length > max) {
      throw new InvalidArgumentError(
        `prompt ${index} is ${t.length} positions long (${t.before.length + t.after.length} text tokens + ${t.visualCount} visual tokens) but the model's max_position_embeddings is ${max} (${join(this.modelPath, 'config.json')}); shorten the question or use fewer visual tokens`,
      );
    }
    const H = this.config.hiddenSize;
    const ids = [...t.before, ...t.after];
    const rows = await embedIds(this.embedSession, ort, ids, H); // [n, H]
    return splice(rows.subarray(0, t.before.length * H), prompt.visualTokens, rows.subarray(t.before.length * H));
  }

  private emptyPast(batch: number): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.layout.pastNames) {
      feeds[name] = new ort.Tensor('float32', new Float32Array(0), [batch, this.layout.numKeyValueHeads, 0, this.layout.headDim]);
    }
    return feeds;
  }

  /** One decoder call. embeds [B, S, H], mask [B, P+S], positions [B, S]. */
  private async step(embeds: Float32Array, batch: number, length: number, mask: BigInt64Array, positions: BigInt64Array, past: Record<string, ort.Tensor>) {
    const H = this.config.hiddenSize;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: new ort.Tensor('float32', embeds, [batch, length, H]),
      attention_mask: new ort.Tensor('int64', mask, [batch, mask.length / batch]),
      ...past,
    };
    if (this.layout.feedsPositionIds) feeds.position_ids = new ort.Tensor('int64', positions, [batch, length]);
    const out = await this.decoderSession.run(feeds);
    const present: Record<string, ort.Tensor> = {};
    this.layout.pastNames.forEach((name, i) => {
      present[name] = out[this.layout.presentNames[i]!]!;
    });
    return { logits: out.logits!, present };
  }

  async promptLogits(prompt: DecoderPrompt): Promise<Tensor> {
    const embeds = await this.embedPrompt(prompt, 0); // [S, H]
    const S = embeds.length / this.config.hiddenSize;
    const mask = new BigInt64Array(S).fill(1n);
    const positions = BigInt64Array.from({ length: S }, (_, i) => BigInt(i));
    const { logits } = await this.step(embeds, 1, S, mask, positions, this.emptyPast(1));
    const V = logits.dims[2]!;
    return tensor(new Float32Array(logits.data as Float32Array), [S, V]);
  }

  async generate(options: GenerateOptions): Promise<Generation[]> {
    const { prompts, maxNewTokens = 64, minNewTokens = 0, decoding = { kind: 'greedy' }, stop = [], onToken, signal, useCache = true } = options;
    if (prompts.length === 0) return [];
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new InvalidArgumentError(`maxNewTokens must be a non-negative integer (got ${maxNewTokens})`);
    signal?.throwIfAborted();
    const H = this.config.hiddenSize;
    const B = prompts.length;
    const promptEmbeds = await Promise.all(prompts.map((p, i) => this.embedPrompt(p, i))); // B x [S_b, H]
    const lengths = promptEmbeds.map((e) => e.length / H);
    const S = Math.max(...lengths);
    // Left padding: row b starts at S - lengths[b]; padded rows are zero embeddings with mask 0.
    let sequence = new Float32Array(B * S * H); // [B, S, H]
    let mask = new BigInt64Array(B * S); // [B, S]
    promptEmbeds.forEach((e, b) => {
      const offset = S - lengths[b]!;
      sequence.set(e, (b * S + offset) * H);
      mask.fill(1n, b * S + offset, (b + 1) * S);
    });
    const positions = positionsFromMask(mask, B, S);
    const random = decoding.kind === 'sample' ? createRandom(decoding.seed ?? 0) : undefined;
    const eos = new Set(this.config.eosTokenIds);
    if (this.tokenizer.eosTokenId !== undefined) eos.add(this.tokenizer.eosTokenId);
    const generated: number[][] = prompts.map(() => []);
    const finish: (FinishReason | undefined)[] = prompts.map(() => undefined);
    const trackers = prompts.map(() => new StopStringTracker(stop));
    const texts: string[] = prompts.map(() => '');
    const maxTotal = this.config.maxPositionEmbeddings;
    let past = this.emptyPast(B);
    let stepEmbeds = sequence;
    let stepLength = S;
    let stepPositions = positions;
    for (let t = 0; t < maxNewTokens; t++) {
      signal?.throwIfAborted();
      const { logits, present } = await this.step(stepEmbeds, B, stepLength, mask, stepPositions, useCache ? past : this.emptyPast(B));
      const logitsData = logits.data as Float32Array; // [B, stepLength, V]
      const V = logits.dims[2]!;
      const next: number[] = [];
      for (let b = 0; b < B; b++) {
        if (finish[b] !== undefined) {
          next.push(this.tokenizer.padTokenId ?? this.config.eosTokenIds[0] ?? 0);
          continue;
        }
        const start = (b * stepLength + stepLength - 1) * V;
        let row = logitsData.subarray(start, start + V);
        if (generated[b]!.length < minNewTokens) {
          row = row.slice();
          for (const id of eos) if (id < V) row[id] = -Infinity;
        }
        const id = random === undefined ? argmax(row) : sampleTopP(row, decoding.kind === 'sample' ? decoding.temperature : 1, decoding.kind === 'sample' ? (decoding.topP ?? 1) : 1, random);
        next.push(id);
        generated[b]!.push(id);
        if (eos.has(id)) {
          finish[b] = 'eos';
          onToken?.({ prompt: b, tokenId: id, text: trackers[b]!.flush() });
          continue;
        }
        const decoded = this.tokenizer.decode(generated[b]!);
        const update = trackers[b]!.update(decoded);
        texts[b] = update.text;
        if (update.stopped) finish[b] = 'stop';
        onToken?.({ prompt: b, tokenId: id, text: update.delta });
        if (finish[b] === undefined && lengths[b]! + generated[b]!.length > maxTotal) finish[b] = 'length'; // the next input would sit at position maxTotal
      }
      if (finish.every((f) => f !== undefined) || t === maxNewTokens - 1) break;
      // Next step input: the new token's embedding, one more mask column, positions + 1.
      const nextEmbeds = await embedIds(this.embedSession, ort, next, H); // [B, H]
      const total = mask.length / B;
      const grown = new BigInt64Array(B * (total + 1));
      for (let b = 0; b < B; b++) {
        grown.set(mask.subarray(b * total, (b + 1) * total), b * (total + 1));
        grown[b * (total + 1) + total] = 1n;
      }
      mask = grown;
      if (useCache) {
        const previous = stepPositions;
        const previousLength = stepLength;
        stepPositions = BigInt64Array.from({ length: B }, (_, b) => previous[b * previousLength + previousLength - 1]! + 1n); // [B, 1]
        past = present;
        stepEmbeds = nextEmbeds.slice(); // [B, 1, H]
        stepLength = 1;
      } else {
        const L = stepLength + 1;
        const longer = new Float32Array(B * L * H); // [B, L, H]
        for (let b = 0; b < B; b++) {
          longer.set(sequence.subarray(b * stepLength * H, (b + 1) * stepLength * H), b * L * H);
          longer.set(nextEmbeds.subarray(b * H, (b + 1) * H), (b * L + stepLength) * H);
        }
        sequence = longer;
        stepEmbeds = longer;
        stepLength = L;
        stepPositions = positionsFromMask(mask, B, L);
      }
    }
    return prompts.map((_, b) => {
      const reason = finish[b] ?? 'length';
      const text = reason === 'eos' ? this.tokenizer.decode(generated[b]!) : texts[b]!;
      return { text: reason === 'stop' ? texts[b]! : text, tokenIds: generated[b]!, finishReason: reason, promptLength: lengths[b]! };
    });
  }

  /** Sessions live in @mmvp/onnx's shared cache (releaseSessions() frees them); nothing else is held. */
  async dispose(): Promise<void> {}
}

/** position_ids [B, L] from a left-padded mask: cumsum(mask) - 1, padded positions set to 1 (as transformers does). */
function positionsFromMask(mask: BigInt64Array, batch: number, length: number): BigInt64Array {
  const positions = new BigInt64Array(batch * length);
  for (let b = 0; b < batch; b++) {
    let count = 0n;
    for (let i = 0; i < length; i++) {
      const m = mask[b * length + i]!;
      count += m;
      positions[b * length + i] = m === 0n ? 1n : count - 1n;
    }
  }
  return positions;
}
