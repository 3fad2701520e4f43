// Against the PyTorch run of the same weights (tools/make_tiny_siglip.py -> models/tiny-siglip/reference).
// Tolerance: max abs diff < 1e-4 on every tensor (float32 onnxruntime vs float32 PyTorch; observed ~1e-6).
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, readNpyFloat32 } from '@mmvp/core';
import { decodeModel, encodeModel, releaseSessions } from '@mmvp/onnx';
import siglipModule, { createSiglipTextEncoder, createSiglipVisionEncoder, readSiglipLogitParameters } from './index';
import { hiddenState, maxAbsDiff } from '../../onnx/src/__fixtures__/compare-hidden-states';

const modelPath = fileURLToPath(new URL('../../../models/tiny-siglip', import.meta.url));
const reference = (name: string) => join(modelPath, 'reference', name);
const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-siglip-cache-'));
const TOLERANCE = 1e-4;

afterAll(() => releaseSessions());

/** A copy of the tiny SigLIP folder (without references) to break. */
function copyOfModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmvp-siglip-copy-'));
  cpSync(modelPath, dir, { recursive: true, filter: (src) => !src.includes('reference') && !src.includes('.mmvp-cache') });
  return dir;
}

describe('SigLIP vision encoder vs PyTorch', () => {
  it('matches every hidden state, prenorm, the post-norm patch tokens and the attention-pooled embedding', async () => {
    const encoder = await createSiglipVisionEncoder({ modelPath, cacheDir });
    expect(encoder.provider).toBe('siglip');
    expect(encoder.hiddenSize).toBe(64);
    expect(encoder.patchGrid).toEqual([4, 4]);
    expect(encoder.numLayers).toBe(3);
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    const hidden = await readNpyFloat32(reference('hidden_states.npy')); // [L+1, B, N, D]
    const diffs: Record<string, number> = {};
    for (let layer = -4; layer <= 3; layer++) {
      const out = await encoder.encodePixels(pixels, { tap: { kind: 'layer', layer }, tokens: 'patch' });
      expect(out.dims).toEqual([3, 16, 64]); // no class token: 16 patch tokens
      diffs[`layer ${layer}`] = maxAbsDiff(out.data, hiddenState(hidden, layer < 0 ? 4 + layer : layer).data);
    }
    const prenorm = await encoder.encodePixels(pixels, { tap: { kind: 'prenorm' }, tokens: 'all' });
    diffs.prenorm = maxAbsDiff(prenorm.data, (await readNpyFloat32(reference('prenorm.npy'))).data);
    const last = await encoder.encodePixels(pixels, { tap: { kind: 'last' }, tokens: 'patch' });
    diffs.last = maxAbsDiff(last.data, (await readNpyFloat32(reference('last_hidden_state.npy'))).data);
    const embeds = await encoder.embedPixels(pixels);
    expect(embeds.dims).toEqual([3, 64]);
    diffs.pooler_output = maxAbsDiff(embeds.data, (await readNpyFloat32(reference('pooler_output.npy'))).data);
    for (const [what, diff] of Object.entries(diffs)) expect(diff, what).toBeLessThan(TOLERANCE);
    // the taps are different tensors (prenorm is not the post-norm output)
    expect(maxAbsDiff(prenorm.data, last.data)).toBeGreaterThan(0.01);
  });

  it('resizes the reference PNGs to Pillow-made pixel_values (no crop, mean/std 0.5)', async () => {
    const encoder = await createSiglipVisionEncoder({ modelPath, cacheDir });
    const pixels = await encoder.preprocess([0, 1, 2].map((i) => reference(`images/image-${i}.png`)));
    expect(pixels.dims).toEqual([3, 3, 32, 32]);
    expect(maxAbsDiff(pixels.data, (await readNpyFloat32(reference('pixel_values.npy'))).data)).toBeLessThan(TOLERANCE);
  });

  it('gives the same result in batches of 1 and 8', async () => {
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    const one = await createSiglipVisionEncoder({ modelPath, cacheDir, batchSize: 1 });
    const eight = await createSiglipVisionEncoder({ modelPath, cacheDir, batchSize: 8 });
    expect(maxAbsDiff((await one.embedPixels(pixels)).data, (await eight.embedPixels(pixels)).data)).toBeLessThan(1e-5);
  });

  it("refuses tokens 'cls' (SigLIP has no class token) and loads through the ComponentModule", async () => {
    const encoder = await siglipModule.create({ modelPath, cacheDir });
    const pixels = await readNpyFloat32(reference('pixel_values.npy'));
    await expect(encoder.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'cls' })).rejects.toThrow(/no class token.*valid choices: 'patch', 'all'/);
    await expect(siglipModule.create({ modelPath, cropRounding: 'round' })).rejects.toThrow(/cropRounding/);
  });
});

describe('SigLIP text encoder vs PyTorch', () => {
  it('tokenizes like the reference Unigram (pads with </s> to max_length) and matches pooler_output', async () => {
    const encoder = await createSiglipTextEncoder({ modelPath, batchSize: 3 });
    const texts = JSON.parse(readFileSync(reference('texts.json'), 'utf8')) as string[];
    const ids = await readNpy(reference('input_ids.npy'));
    expect(Array.from(encoder.tokenize(texts))).toEqual(Array.from(ids.data as BigInt64Array));
    const embeds = await encoder.encodeTexts(texts);
    expect(embeds.dims).toEqual([4, 64]);
    expect(maxAbsDiff(embeds.data, (await readNpyFloat32(reference('text_pooler_output.npy'))).data)).toBeLessThan(TOLERANCE);
  });

  it('reads special tokens written as AddedToken objects; a pad token the tokenizer lacks is one line', async () => {
    const dir = copyOfModel();
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, pad_token: { content: '</s>', special: true }, eos_token: { content: '</s>' } }));
    const texts = JSON.parse(readFileSync(reference('texts.json'), 'utf8')) as string[];
    const ids = await readNpy(reference('input_ids.npy'));
    expect(Array.from((await createSiglipTextEncoder({ modelPath: dir })).tokenize(texts))).toEqual(Array.from(ids.data as BigInt64Array));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, pad_token: '<nothing>', eos_token: '<nothing>' }));
    await expect(createSiglipTextEncoder({ modelPath: dir })).rejects.toThrow(/tokenizer\.json has no pad token \('<nothing>'\), which SigLIP pads every text with up to 16 tokens/);
  });

  it('reads logit_scale and logit_bias from onnx/model.onnx; logits and sigmoid scores match SiglipModel', async () => {
    const parameters = await readSiglipLogitParameters(modelPath);
    const expected = JSON.parse(readFileSync(reference('logits.json'), 'utf8')) as { logitScale: number; logitBias: number; logitsPerText: number[][]; sigmoid: number[][] };
    expect(parameters.logitScale).toBeCloseTo(expected.logitScale, 5);
    expect(parameters.logitBias).toBeCloseTo(expected.logitBias, 5);
    expect(parameters.source).toMatch(/model\.onnx$/);
    const texts = JSON.parse(readFileSync(reference('texts.json'), 'utf8')) as string[];
    const text = await (await createSiglipTextEncoder({ modelPath })).encodeTexts(texts); // [4, E]
    const image = await (await createSiglipVisionEncoder({ modelPath, cacheDir })).embedPixels(await readNpyFloat32(reference('pixel_values.npy'))); // [3, E]
    const norm = (data: Float32Array, row: number, width: number) => Math.hypot(...data.subarray(row * width, (row + 1) * width));
    for (let t = 0; t < 4; t++) {
      for (let i = 0; i < 3; i++) {
        let dot = 0;
        for (let c = 0; c < 64; c++) dot += text.data[t * 64 + c]! * image.data[i * 64 + c]!;
        const logit = (parameters.logitScale * dot) / (norm(text.data, t, 64) * norm(image.data, i, 64)) + parameters.logitBias;
        expect(Math.abs(logit - expected.logitsPerText[t]![i]!)).toBeLessThan(1e-3);
        expect(Math.abs(1 / (1 + Math.exp(-logit)) - expected.sigmoid[t]![i]!)).toBeLessThan(1e-4);
      }
    }
  });
});

describe('SigLIP logit_scale / logit_bias in the export variants', () => {
  const expected = () => JSON.parse(readFileSync(reference('logits.json'), 'utf8')) as { logitScale: number; logitBias: number };

  it('external data, an exporter-folded exp(logit_scale), and only a weight variant of model.onnx', async () => {
    // 1. both scalars in an external data file (onnx.save_model(..., save_as_external_data=True, size_threshold=0))
    const external = copyOfModel();
    const path = join(external, 'onnx/model.onnx');
    const model = decodeModel(readFileSync(path), path);
    const blob: number[] = [];
    for (const tensor of model.graph!.initializer!.filter((t) => t.name === 'logit_scale' || t.name === 'logit_bias')) {
      const offset = blob.length;
      blob.push(...tensor.raw_data!);
      tensor.raw_data = undefined;
      tensor.data_location = 1;
      tensor.external_data = [
        { key: 'location', value: 'model.onnx_data' },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: '4' },
      ];
    }
    writeFileSync(path, encodeModel(model));
    writeFileSync(join(external, 'onnx/model.onnx_data'), Uint8Array.from(blob));
    const fromExternal = await readSiglipLogitParameters(external);
    expect(fromExternal.logitScale).toBeCloseTo(expected().logitScale, 5);
    expect(fromExternal.logitBias).toBeCloseTo(expected().logitBias, 5);

    // 2. exp(logit_scale) constant-folded into an anonymous initializer feeding the Mul before logits_per_text
    const folded = copyOfModel();
    const foldedPath = join(folded, 'onnx/model.onnx');
    const graph = decodeModel(readFileSync(foldedPath), foldedPath);
    const exp = graph.graph!.node!.find((n) => n.op_type === 'Exp' && n.input?.[0] === 'logit_scale')!;
    graph.graph!.node = graph.graph!.node!.filter((n) => n !== exp);
    const scale = graph.graph!.initializer!.find((t) => t.name === 'logit_scale')!;
    const value = new Float32Array([Math.exp(new DataView(scale.raw_data!.buffer, scale.raw_data!.byteOffset, 4).getFloat32(0, true))]);
    scale.name = exp.output![0]!; // what constant folding leaves: the Exp's output as an initializer
    scale.raw_data = new Uint8Array(value.buffer);
    writeFileSync(foldedPath, encodeModel(graph));
    const fromFolded = await readSiglipLogitParameters(folded);
    expect(fromFolded.logitScale).toBeCloseTo(expected().logitScale, 5);
    expect(fromFolded.logitBias).toBeCloseTo(expected().logitBias, 5);

    // 3. only a weight variant of the combined export (e.g. model_quantized.onnx)
    const variant = copyOfModel();
    cpSync(join(variant, 'onnx/model.onnx'), join(variant, 'onnx/model_quantized.onnx'));
    rmSync(join(variant, 'onnx/model.onnx'));
    const fromVariant = await readSiglipLogitParameters(variant);
    expect(fromVariant.source).toMatch(/model_quantized\.onnx$/);
    expect(fromVariant.logitBias).toBeCloseTo(expected().logitBias, 5);
  });
});

describe('SigLIP bad input: one clear line each', () => {
  it('a SiglipModel export whose graph has no logit_bias', async () => {
    const dir = copyOfModel();
    const path = join(dir, 'onnx/model.onnx');
    const model = decodeModel(readFileSync(path), path);
    model.graph!.initializer = model.graph!.initializer!.filter((t) => t.name !== 'logit_bias');
    writeFileSync(path, encodeModel(model));
    const error = (await readSiglipLogitParameters(dir).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/^SigLIP folder .* has no logit_bias: .*model\.onnx has a logit_scale and no logit_bias; .*config\.json has no top-level logit_bias either/);
    expect(error.message).not.toContain('\n');
  });

  it('an export without logit_bias (no model.onnx, config.json without it)', async () => {
    const dir = copyOfModel();
    rmSync(join(dir, 'onnx/model.onnx'));
    await expect(readSiglipLogitParameters(dir)).rejects.toThrow(/^SigLIP folder .* has no logit_scale and logit_bias: no .*onnx\/model\.onnx.*config\.json has no top-level logit_scale and logit_bias either/);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, logit_scale: Math.log(12.5) }));
    const error = await readSiglipLogitParameters(dir).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/has no logit_bias:/);
    expect((error as Error).message).not.toContain('\n');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, logit_scale: Math.log(12.5), logit_bias: -7.5 }));
    expect((await readSiglipLogitParameters(dir)).logitBias).toBe(-7.5);
  });

  it('a tokenizer that does not match the text tower', async () => {
    const dir = copyOfModel();
    // the tiny CLIP's BPE tokenizer (709 ids) in a SigLIP folder whose token table has fewer rows
    cpSync(fileURLToPath(new URL('../../../models/tiny-clip/tokenizer.json', import.meta.url)), join(dir, 'tokenizer.json'));
    const error = await createSiglipTextEncoder({ modelPath: dir }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/tokenizer\.json does not match the SigLIP text tower: its token ids run to 708 but .*config\.json text_config\.vocab_size is \d+/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('a CLIP export under the SigLIP file name: the I/O check lists what the file has', async () => {
    const dir = copyOfModel();
    cpSync(fileURLToPath(new URL('../../../models/tiny-clip/onnx/vision_model.onnx', import.meta.url)), join(dir, 'onnx/vision_model.onnx'));
    await expect(createSiglipVisionEncoder({ modelPath: dir })).rejects.toThrow(/has no output 'pooler_output'; its outputs are 'image_embeds' or 'last_hidden_state'/);
  });
});
