import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MmvpError, ModelLoadError, ShapeMismatchError, readNpyFloat32, tensor, type Tensor } from '@mmvp/core';
import { loadDecoder, type Decoder, type TokenEvent } from './decoder';

const modelPath = fileURLToPath(new URL('../../../models/tiny-llama/', import.meta.url));
const noCachePath = fileURLToPath(new URL('./__fixtures__/no-cache-decoder/', import.meta.url));

interface ReferenceCase {
  question: string;
  prompt: string;
  ids_before_image: number[];
  ids_after_image: number[];
  sequence_length: number;
  greedy_ids: number[];
  greedy_text: string;
  min_top2_margin: number;
}

let decoder: Decoder;
let visual: Tensor;
let cases: ReferenceCase[];

beforeAll(async () => {
  decoder = await loadDecoder({ modelPath });
  visual = await readNpyFloat32(`${modelPath}reference/visual_tokens.npy`); // [T, H]
  cases = JSON.parse(await readFile(`${modelPath}reference/cases.json`, 'utf8')).cases;
});
afterAll(async () => decoder.dispose());

const promptOf = (c: ReferenceCase) => ({ text: decoder.applyTemplate('llava_v1', c.question), visualTokens: visual });

describe('against the PyTorch reference (tools/make_tiny_llama.py)', () => {
  it('renders the llava_v1 prompt and tokenizes it like the Python BPE, around the placeholder', () => {
    for (const c of cases) {
      expect(decoder.applyTemplate('llava_v1', c.question)).toBe(c.prompt);
      const t = decoder.tokenize(promptOf(c));
      expect(t.before).toEqual(c.ids_before_image);
      expect(t.after).toEqual(c.ids_after_image);
      expect(t.length).toBe(c.sequence_length);
    }
  });

  it('first-step logits equal PyTorch within 1e-4 at every prompt position', async () => {
    for (const [k, c] of cases.entries()) {
      const reference = await readNpyFloat32(`${modelPath}reference/logits_${k}.npy`); // [S, V]
      const ours = await decoder.promptLogits(promptOf(c));
      expect(ours.dims).toEqual(reference.dims);
      let maxDiff = 0;
      for (let i = 0; i < ours.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours.data[i]! - reference.data[i]!));
      console.log(`case ${k}: first-step logits [${ours.dims.join(', ')}] max abs difference vs PyTorch ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it('greedy continuations (with the KV cache) equal PyTorch token for token', async () => {
    for (const c of cases) {
      const [generation] = await decoder.generate({ prompts: [promptOf(c)], maxNewTokens: 16 });
      expect(generation!.tokenIds).toEqual(c.greedy_ids);
      expect(generation!.text).toBe(c.greedy_text.replace(/^ /, '')); // HF's Strip decoder drops the one leading space
      expect(generation!.finishReason).toBe(c.greedy_ids.at(-1) === 2 ? 'eos' : 'length');
    }
  });
});

describe('decoding paths agree', () => {
  it('cached decoding gives the same tokens as recomputing without the cache', async () => {
    const prompts = cases.map(promptOf);
    const cached = await decoder.generate({ prompts, maxNewTokens: 12 });
    const uncached = await decoder.generate({ prompts, maxNewTokens: 12, useCache: false });
    expect(cached.map((g) => g.tokenIds)).toEqual(uncached.map((g) => g.tokenIds));
    const sampling = { kind: 'sample', temperature: 1.5, topP: 0.95, seed: 7 } as const;
    const sampledCached = await decoder.generate({ prompts: [prompts[0]!], maxNewTokens: 12, decoding: sampling });
    const sampledUncached = await decoder.generate({ prompts: [prompts[0]!], maxNewTokens: 12, decoding: sampling, useCache: false });
    expect(sampledCached[0]!.tokenIds).toEqual(sampledUncached[0]!.tokenIds);
  });

  it('a left-padded batch gives the same answers as one-by-one runs', async () => {
    const prompts = [...cases.map(promptOf), { text: decoder.applyTemplate('llava_v1', 'Hi?'), visualTokens: tensor(visual.data.slice(0, 2 * 64), [2, 64]) }];
    const lengths = prompts.map((p) => decoder.tokenize(p).length);
    expect(new Set(lengths).size).toBeGreaterThan(1); // the batch really needs padding
    const batched = await decoder.generate({ prompts, maxNewTokens: 12 });
    for (const [i, p] of prompts.entries()) {
      const [single] = await decoder.generate({ prompts: [p], maxNewTokens: 12 });
      expect(batched[i]!.tokenIds).toEqual(single!.tokenIds);
      expect(batched[i]!.text).toBe(single!.text);
    }
  });
});

describe('generation controls', () => {
  it('streams exactly the final text, in order', async () => {
    const events: TokenEvent[] = [];
    const [generation] = await decoder.generate({ prompts: [promptOf(cases[0]!)], maxNewTokens: 16, onToken: (e) => events.push(e) });
    expect(events.map((e) => e.text).join('')).toBe(generation!.text);
    expect(events.map((e) => e.tokenId)).toEqual(generation!.tokenIds);
  });

  it('stops at a stop string and cuts the text before it', async () => {
    const [full] = await decoder.generate({ prompts: [promptOf(cases[0]!)], maxNewTokens: 16 });
    const words = full!.text.trim().split(' ');
    expect(words.length).toBeGreaterThan(2);
    const stop = ` ${words[2]}`;
    const streamed: string[] = [];
    const [cut] = await decoder.generate({ prompts: [promptOf(cases[0]!)], maxNewTokens: 16, stop: [stop], onToken: (e) => streamed.push(e.text) });
    expect(cut!.finishReason).toBe('stop');
    expect(cut!.text).toBe(full!.text.slice(0, full!.text.indexOf(stop)));
    expect(streamed.join('')).toBe(cut!.text);
    expect(cut!.tokenIds.length).toBeLessThan(full!.tokenIds.length);
  });

  it('sampling repeats for the same seed and reaches greedy as the temperature goes to 0', async () => {
    const prompt = promptOf(cases[1]!);
    const sample = (seed: number, temperature = 2) => decoder.generate({ prompts: [prompt], maxNewTokens: 10, decoding: { kind: 'sample', temperature, seed } });
    const [a] = await sample(1);
    const [b] = await sample(1);
    expect(a!.tokenIds).toEqual(b!.tokenIds);
    const others = await Promise.all([2, 3, 4, 5].map((s) => sample(s)));
    expect(others.some(([g]) => g!.tokenIds.join() !== a!.tokenIds.join())).toBe(true);
    const [cold] = await sample(9, 1e-4);
    const [greedy] = await decoder.generate({ prompts: [prompt], maxNewTokens: 10 });
    expect(cold!.tokenIds).toEqual(greedy!.tokenIds);
  });

  it('honours maxNewTokens and an AbortSignal', async () => {
    const [short] = await decoder.generate({ prompts: [promptOf(cases[2]!)], maxNewTokens: 3 });
    expect(short!.tokenIds.length).toBeLessThanOrEqual(3);
    const controller = new AbortController();
    const run = decoder.generate({ prompts: [promptOf(cases[2]!)], maxNewTokens: 16, signal: controller.signal, onToken: () => controller.abort() });
    await expect(run).rejects.toThrow(/abort/i);
  });

  it('stops at max_position_embeddings with finishReason length', async () => {
    const text = decoder.applyTemplate('llava_v1', 'Q?');
    const textLength = decoder.tokenize({ text, visualTokens: tensor(new Float32Array(64), [1, 64]) }).length - 1;
    const T = 252 - textLength; // prompt of 252 positions: 4 more fit (positions 252..255), so 5 tokens come out
    const visualTokens = tensor(
      new Float32Array(T * 64).map((_, i) => visual.data[i % visual.data.length]!),
      [T, 64],
    ); // [T, H]
    const [generation] = await decoder.generate({ prompts: [{ text, visualTokens }], maxNewTokens: 16, minNewTokens: 16 });
    expect(generation!.promptLength).toBe(252);
    expect(generation!.tokenIds.length).toBe(5);
    expect(generation!.finishReason).toBe('length');
  });

  it("renders the folder's own chat_template", () => {
    const text = decoder.applyTemplate('folder', 'What color is the cup?');
    expect(text).toBe('USER: <image>\nWhat color is the cup? ASSISTANT:');
    expect(decoder.applyTemplate('plain', 'Q?')).toBe('<image>\nQ?\n');
  });
});

describe('bad input gets a clear error', () => {
  it('a decoder folder whose ONNX lacks the cache inputs', async () => {
    const error = await loadDecoder({ modelPath: noCachePath }).catch((e: unknown) => e);
    expect(ModelLoadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/decoder_model_merged\.onnx has no KV-cache inputs \(expected past_key_values\.\{0\.\.0\}\.key\|value/);
  });

  it('a template without an image placeholder', () => {
    expect(() => decoder.applyTemplate({ jinja: "USER: {{ messages[0]['content'][1]['text'] }} ASSISTANT:" }, 'Q?')).toThrow(/renders 0 '<image>' placeholders, expected exactly 1/);
    expect(() => decoder.tokenize({ text: 'USER: Q? ASSISTANT:', visualTokens: visual })).toThrow(/no '<image>' placeholder/);
    expect(() => decoder.applyTemplate('vicuna' as never, 'Q?')).toThrow(/choose 'llava_v1', 'vicuna_v1', 'plain' or 'folder'/);
  });

  it('a prompt longer than max_position_embeddings', async () => {
    const long = tensor(new Float32Array(300 * 64), [300, 64]);
    const run = decoder.generate({ prompts: [{ text: decoder.applyTemplate('llava_v1', 'Q?'), visualTokens: long }], maxNewTokens: 2 });
    await expect(run).rejects.toThrow(/prompt 0 is \d+ positions long .* max_position_embeddings is 256/);
  });

  it('visual tokens whose width differs from hidden_size', async () => {
    const narrow = tensor(new Float32Array(6 * 32), [6, 32]);
    const error = await decoder.generate({ prompts: [{ text: decoder.applyTemplate('llava_v1', 'Q?'), visualTokens: narrow }] }).catch((e: unknown) => e);
    expect(ShapeMismatchError.isInstance(error)).toBe(true);
    expect(MmvpError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/visual tokens have shape \[6, 32\] but the decoder needs \[T, 64\]/);
  });
});
