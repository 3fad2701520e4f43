import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from './build-model';
import { clipVisionNaming, resolveTap } from './graph-tap';
import { parseCpuinfo, type CpuFeatures } from './cpu-features';
import { formatModelFolderReport, inspectModelFolder } from './inspect-model';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const tinyClip = join(repo, 'models/tiny-clip');
const tinyDino = join(repo, 'models/tiny-dinov2');
const variants = join(repo, 'models/tap-variants');
const externalClip = fileURLToPath(new URL('./__fixtures__/tiny-clip-external', import.meta.url));

/** A model folder in a temp dir with tiny-clip's config files and the given onnx/ files. */
function folderWith(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmvp-inspect-'));
  mkdirSync(join(dir, 'onnx'));
  copyFileSync(join(tinyClip, 'config.json'), join(dir, 'config.json'));
  copyFileSync(join(tinyClip, 'preprocessor_config.json'), join(dir, 'preprocessor_config.json'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'onnx', name), typeof content === 'string' ? readFileSync(content) : content);
  return dir;
}

describe('inspectModelFolder on the shipped models', () => {
  it('tiny-clip: family, widths, grid, I/O, every tap of the vision graph, the text graph noted', async () => {
    const report = await inspectModelFolder(tinyClip);
    expect(report).toMatchObject({ family: 'CLIP', numLayers: 4, hiddenSize: 64, intermediateSize: 256, numHeads: 4, patchSize: 8, inputSize: [32, 32], patchGrid: [4, 4], dtypes: ['fp32'], problems: [] });
    const vision = report.files.find((f) => f.file === 'vision_model.onnx')!;
    expect(vision.tappable).toBe(true);
    expect(vision.encoderLayers).toBe(4);
    expect(vision.inputs.map((v) => `${v.name} ${v.type}`)).toEqual(['pixel_values float32']);
    expect(vision.outputs.map((v) => v.name)).toEqual(['image_embeds', 'last_hidden_state']);
    expect(vision.taps.map((t) => t.tap)).toEqual(['layer 0', 'layer 1', 'layer 2', 'layer 3', 'layer 4', 'prenorm', 'last']);
    expect(vision.taps.find((t) => t.tap === 'layer 3')).toMatchObject({ hiddenStateIndex: 3, tensor: '/vision_model/encoder/layers.2/Add_1_output_0', via: 'rewrite', elementType: 'float32' });
    expect(vision.taps.find((t) => t.tap === 'prenorm')).toMatchObject({ hiddenStateIndex: 4, tensor: 'last_hidden_state', via: 'output' });
    const text = report.files.find((f) => f.file === 'text_model.onnx')!;
    expect(text).toMatchObject({ tappable: false, problem: null, note: 'text encoder: taps read vision encoders only' });
    const text_ = formatModelFolderReport(report);
    expect(text_).toContain('input: 32x32 px, patch 8 -> grid 4x4\n');
    expect(text_).toContain('taps: layer 0..4, prenorm, last (float32) - taps can read this file');
  });

  it('tiny-dinov2: the processor grid and the interpolated native grid', async () => {
    const report = await inspectModelFolder(tinyDino);
    expect(report).toMatchObject({ family: 'DINOv2', numLayers: 3, hiddenSize: 48, intermediateSize: 192, patchGrid: [4, 4], nativeGrid: [8, 8], problems: [] });
    expect(formatModelFolderReport(report)).toContain('grid 4x4 (position embeddings for 8x8, interpolated)');
    expect(report.files[0]!.taps.find((t) => t.tap === 'prenorm')).toMatchObject({ tensor: '/encoder/layer.2/Add_1_output_0', via: 'rewrite' });
  });

  it('tiny-siglip: the SigLIP naming (no class token, hidden_states[L] = input of post_layernorm)', async () => {
    const report = await inspectModelFolder(join(repo, 'models/tiny-siglip'));
    expect(report).toMatchObject({ family: 'SigLIP', numLayers: 3, hiddenSize: 64, patchSize: 8, inputSize: [32, 32], patchGrid: [4, 4], problems: [] });
    const vision = report.files.find((f) => f.file === 'vision_model.onnx')!;
    expect(vision.tappable).toBe(true);
    expect(vision.taps.map((t) => t.tap)).toEqual(['layer 0', 'layer 1', 'layer 2', 'layer 3', 'prenorm', 'last']);
    expect(vision.taps.find((t) => t.tap === 'prenorm')).toMatchObject({ hiddenStateIndex: 3, tensor: '/vision_model/encoder/layers.2/Add_1_output_0', via: 'rewrite' });
    expect(vision.taps.find((t) => t.tap === 'last')).toMatchObject({ tensor: 'last_hidden_state', via: 'output' });
  });

  it('every tap variant: dtype, weight storage, and all taps readable', async () => {
    const expected: Record<string, [string, RegExp]> = {
      'shared-identity': ['fp32', /^float32 weights$/],
      opset14: ['fp32', /^float32 weights$/],
      opset11: ['fp32', /^float32 weights$/],
      fp16: ['fp16', /^float16 weights$/],
      int8: ['int8', /MatMulInteger/],
      'int8-full-range': ['int8', /MatMulInteger/],
      uint8: ['uint8', /MatMulInteger/],
      q4: ['q4', /MatMulNBits/],
    };
    for (const family of ['clip', 'dinov2']) {
      for (const [variant, [dtype, weights]] of Object.entries(expected)) {
        const report = await inspectModelFolder(join(variants, `${family}-${variant}`));
        expect(report.problems, `${family}-${variant}`).toEqual([]);
        expect(report.dtypes).toEqual([dtype]);
        const file = report.files[0]!;
        expect(file.weights).toMatch(weights);
        expect(file.tappable).toBe(true);
        expect(file.taps).toHaveLength(3 + 1 + 2);
        if (variant.startsWith('opset')) expect(file.opsets).toContain(`ai.onnx ${variant.slice(5)}`);
      }
    }
  });

  it('int8 files: the format found, and a warning for full-range u8s8 only on a CPU without VNNI (injected)', async () => {
    const cpu = (file: string): CpuFeatures => ({ arch: 'x64', ...parseCpuinfo(readFileSync(fileURLToPath(new URL(`./__fixtures__/cpuinfo/${file}`, import.meta.url)), 'utf8')), source: 'injected' });
    const amd = cpu('amd-epyc-avx2.txt');
    const intel = cpu('intel-xeon-vnni.txt');
    const full = await inspectModelFolder(join(variants, 'clip-int8-full-range'), { cpu: amd });
    expect(full.files[0]!.quantization).toMatchObject({ format: 'u8s8', granularity: 'per-tensor', weightRange: [-127, 127], mayOverflowInt16: true });
    expect(full.cpu).toMatchObject({ cpuClass: 'x86-no-vnni' });
    expect(full.problems).toEqual([]); // a warning, not a problem: the file runs
    expect(full.warnings).toHaveLength(1);
    expect(full.warnings[0]).toMatch(
      /^vision_model_int8\.onnx has full-range u8s8 int8 weights .*AVX2 without VNNI.* 0\.31 \(CLIP --layer -2\) and 0\.056 \(DINOv2\) .*reduce-range \(7-bit\) or u8u8 .*fp32 or fp16.*avx512_vnni/,
    );
    expect(full.warnings[0]).not.toContain('\n');
    const text = formatModelFolderReport(full);
    expect(text).toContain('    int8 format: u8s8 (uint8 activations x int8 weights), per-tensor, weights in [-127, 127]: full range');
    expect(text).toContain(`    warning: ${full.warnings[0]}`);
    expect(text).toContain('  cpu for int8: x86-no-vnni (AVX2 without VNNI');
    expect((await inspectModelFolder(join(variants, 'clip-int8-full-range'), { cpu: intel })).warnings).toEqual([]);
    for (const safe of ['clip-int8', 'dinov2-int8', 'clip-uint8', 'dinov2-uint8']) {
      const report = await inspectModelFolder(join(variants, safe), { cpu: amd });
      expect(report.warnings, safe).toEqual([]);
      expect(report.files[0]!.quantization!.mayOverflowInt16).toBe(false);
    }
    const float = await inspectModelFolder(join(variants, 'clip-shared-identity'), { cpu: amd });
    expect(float.files[0]!.quantization).toBeNull();
    expect(formatModelFolderReport(float)).not.toMatch(/int8 format|cpu for int8/);
  });

  it('lists tapped copies in the cache, and marks them stale when the source changes', async () => {
    const dir = folderWith({ 'vision_model.onnx': join(tinyClip, 'onnx/vision_model.onnx') });
    const model = join(dir, 'onnx/vision_model.onnx');
    const tapped = await resolveTap(model, { kind: 'layer', layer: -2 }, { naming: clipVisionNaming, numLayers: 4 });
    let report = await inspectModelFolder(dir);
    expect(report.files[0]!.cache).toEqual([{ path: tapped.modelPath, hiddenStateIndex: 3, outputName: tapped.outputName, current: true }]);
    expect(formatModelFolderReport(report)).toContain(`cached tap: hidden_states[3] ${tapped.modelPath}\n`);
    writeFileSync(model, Buffer.concat([readFileSync(model), Buffer.from([0x32, 0x01, 0x78])])); // doc_string "x": new hash
    report = await inspectModelFolder(dir);
    expect(report.files[0]!.cache[0]!.current).toBe(false);
    expect(formatModelFolderReport(report)).toContain('(stale: the source changed since)');
  });
});

describe('inspectModelFolder on bad input: one clear line each', () => {
  it('not a model folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-inspect-empty-'));
    await expect(inspectModelFolder(dir)).rejects.toThrow(/has no config\.json \(a Hugging Face model folder needs config\.json/);
    await expect(inspectModelFolder(join(dir, 'nope'))).rejects.toThrow(/model folder .*nope does not exist/);
  });

  it('a file path instead of a folder names the folder to give', async () => {
    await expect(inspectModelFolder(join(tinyClip, 'onnx/vision_model.onnx'))).rejects.toThrow(
      `vision_model.onnx is a file, not a model folder: give the folder that holds config.json and onnx/*.onnx (perhaps ${tinyClip})`,
    );
    await expect(inspectModelFolder(join(tinyClip, 'config.json'))).rejects.toThrow(/config\.json is a file, not a model folder/);
  });

  it('a 0-byte ONNX file says it is empty', async () => {
    const dir = folderWith({ 'vision_model.onnx': new Uint8Array(0) });
    const report = await inspectModelFolder(dir);
    expect(report.problems).toEqual([`${join(dir, 'onnx', 'vision_model.onnx')} is empty (0 bytes), not an ONNX model: an interrupted download or copy; fetch the file again`]);
  });

  it('a decoder (LLM) folder is described as one, with no problem', async () => {
    const report = await inspectModelFolder(join(repo, 'models/tiny-llama'));
    expect(report).toMatchObject({ family: 'llama', decoder: true, numLayers: 2, hiddenSize: 64, problems: [] });
    expect(report.files.map((file) => [file.file, file.note, file.problem])).toEqual([
      ['decoder_model_merged.onnx', 'language-model decoder: taps read vision encoders only', null],
      ['embed_tokens.onnx', 'text encoder: taps read vision encoders only', null],
    ]);
    expect(formatModelFolderReport(report)).toContain('a decoder (language model) folder');
    const clip = await inspectModelFolder(tinyClip);
    expect(clip.decoder).toBe(false);
  });

  it('a truncated ONNX file', async () => {
    const dir = folderWith({ 'vision_model.onnx': readFileSync(join(tinyClip, 'onnx/vision_model.onnx')).subarray(0, 5000) });
    const report = await inspectModelFolder(dir);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/^cannot read vision_model\.onnx: /);
    expect(report.problems[0]).not.toContain('\n');
  });

  it('a graph with no recognisable encoder layers', async () => {
    const foreign = buildModel({ inputs: [{ name: 'pixel_values' }], outputs: [{ name: 'last_hidden_state' }], nodes: [{ opType: 'Relu', inputs: ['pixel_values'], outputs: ['last_hidden_state'] }] });
    const report = await inspectModelFolder(folderWith({ 'vision_model.onnx': foreign }));
    expect(report.problems).toEqual([
      "vision_model.onnx has no recognisable CLIP vision encoder layers: no node is named '/vision_model/encoder/layers.0/...' (taps need the module-scoped node names torch >= 1.13 writes, e.g. '/vision_model/encoder/layers.0/layer_norm1/LayerNormalization')",
    ]);
  });

  it('a tap index out of range', async () => {
    await expect(inspectModelFolder(tinyClip, { tap: { kind: 'layer', layer: 9 } })).rejects.toThrow(
      'layer 9 does not exist: this encoder has 4 layers, so hidden_states indices run from -5 to 4 (0 = embeddings, 4 = last layer, -2 = second to last)',
    );
    const one = await inspectModelFolder(tinyClip, { tap: { kind: 'layer', layer: -2 } });
    expect(one.files.find((f) => f.file === 'vision_model.onnx')!.taps).toEqual([
      { tap: 'layer -2', hiddenStateIndex: 3, tensor: '/vision_model/encoder/layers.2/Add_1_output_0', via: 'rewrite', elementType: 'float32' },
    ]);
  });

  it('a missing external-data file', async () => {
    const dir = folderWith({ 'vision_model.onnx': join(externalClip, 'onnx/vision_model.onnx') });
    const report = await inspectModelFolder(dir);
    expect(report.problems).toEqual([`vision_model.onnx: external data file 'vision_model.onnx_data' (referenced by the model) does not exist in ${join(dir, 'onnx')}`]);
  });

  it('a graph whose LayerNorm reads two activations says what it found', async () => {
    // layer 0's LayerNorm scale is computed from the image: two activations enter the scope
    const nodes = [
      { opType: 'ReduceMean', name: '/vision_model/gate/ReduceMean', inputs: ['pixel_values'], outputs: ['gate'], attributes: { axes: [0, 1], keepdims: 0 } },
      { opType: 'LayerNormalization', name: '/vision_model/encoder/layers.0/layer_norm1/LayerNormalization', inputs: ['pixel_values', 'gate'], outputs: ['ln'] },
      { opType: 'Add', name: '/vision_model/encoder/layers.0/Add', inputs: ['pixel_values', 'ln'], outputs: ['last_hidden_state'] },
    ];
    const model = buildModel({ inputs: [{ name: 'pixel_values', shape: [1, 2, 4] }], outputs: [{ name: 'last_hidden_state' }], nodes });
    const dir = folderWith({ 'vision_model.onnx': model });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    config.vision_config.num_hidden_layers = 1;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const report = await inspectModelFolder(dir);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/found 2 activations among the inputs of its 1 nodes: 'pixel_values' \(activation: depends on graph input 'pixel_values'\), 'gate' \(activation/);
  });
});
