import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpyFloat32, type Tensor } from '@mmvp/core';
import { buildModel } from './build-model';
import { decodeModel } from './proto/onnx-proto';
import { clipVisionNaming, dinov2Naming, resolveTap, type GraphTap } from './graph-tap';
import { getSession, releaseSessions } from './session-cache';
import { ortToTensor, tensorToOrt } from './tensor-conversion';
import { hiddenState, maxAbsDiff } from './__fixtures__/compare-hidden-states';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const tinyClip = join(repo, 'models/tiny-clip');
const tinyDino = join(repo, 'models/tiny-dinov2');
const externalClip = fileURLToPath(new URL('./__fixtures__/tiny-clip-external', import.meta.url));
const cacheRoot = mkdtempSync(join(tmpdir(), 'mmvp-taps-'));

afterAll(() => releaseSessions());

async function runTap(modelPath: string, tap: GraphTap, naming = clipVisionNaming, numLayers = 4, pixels: Tensor, cacheDir = cacheRoot) {
  const resolved = await resolveTap(modelPath, tap, { naming, numLayers, cacheDir });
  const session = await getSession(resolved.modelPath);
  const out = await session.run({ pixel_values: tensorToOrt(pixels) }, [resolved.outputName]);
  return { resolved, tensor: ortToTensor(out[resolved.outputName]!) };
}

describe('graph taps vs PyTorch hidden_states', () => {
  it('CLIP vision: every hidden state, prenorm and last (max abs diff < 1e-4)', async () => {
    const pixels = await readNpyFloat32(join(tinyClip, 'reference/pixel_values.npy'));
    const hidden = await readNpyFloat32(join(tinyClip, 'reference/hidden_states.npy'));
    const model = join(tinyClip, 'onnx/vision_model.onnx');
    for (let k = 0; k <= 4; k++) {
      const { tensor } = await runTap(model, { kind: 'layer', layer: k }, clipVisionNaming, 4, pixels);
      expect(tensor.dims).toEqual(hidden.dims.slice(1));
      expect(maxAbsDiff(tensor.data, hiddenState(hidden, k).data)).toBeLessThan(1e-4);
    }
    const minusTwo = await runTap(model, { kind: 'layer', layer: -2 }, clipVisionNaming, 4, pixels);
    expect(maxAbsDiff(minusTwo.tensor.data, hiddenState(hidden, 3).data)).toBeLessThan(1e-4);
    const prenorm = await runTap(model, { kind: 'prenorm' }, clipVisionNaming, 4, pixels);
    expect(prenorm.resolved.origin).toBe('source'); // CLIP's last_hidden_state is already the encoder output
    expect(maxAbsDiff(prenorm.tensor.data, (await readNpyFloat32(join(tinyClip, 'reference/prenorm.npy'))).data)).toBeLessThan(1e-4);
  });

  it('DINOv2: every hidden state and prenorm (input of the final layernorm)', async () => {
    const pixels = await readNpyFloat32(join(tinyDino, 'reference/pixel_values.npy'));
    const hidden = await readNpyFloat32(join(tinyDino, 'reference/hidden_states.npy'));
    const model = join(tinyDino, 'onnx/model.onnx');
    for (let k = 0; k <= 3; k++) {
      const { tensor } = await runTap(model, { kind: 'layer', layer: k }, dinov2Naming, 3, pixels);
      expect(maxAbsDiff(tensor.data, hiddenState(hidden, k).data)).toBeLessThan(1e-4);
    }
    const prenorm = await runTap(model, { kind: 'prenorm' }, dinov2Naming, 3, pixels);
    expect(prenorm.resolved.origin).not.toBe('source');
    expect(maxAbsDiff(prenorm.tensor.data, (await readNpyFloat32(join(tinyDino, 'reference/prenorm.npy'))).data)).toBeLessThan(1e-4);
    const last = await runTap(model, { kind: 'last' }, dinov2Naming, 3, pixels);
    expect(maxAbsDiff(last.tensor.data, (await readNpyFloat32(join(tinyDino, 'reference/last_hidden_state.npy'))).data)).toBeLessThan(1e-4);
  });

  it('works on an opset-14 export (decomposed LayerNorm) with external data (.onnx_data), same weights as tiny-clip', async () => {
    const pixels = await readNpyFloat32(join(tinyClip, 'reference/pixel_values.npy'));
    const hidden = await readNpyFloat32(join(tinyClip, 'reference/hidden_states.npy'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'mmvp-taps-external-'));
    for (let k = 0; k <= 4; k++) {
      const { resolved, tensor } = await runTap(join(externalClip, 'onnx/vision_model.onnx'), { kind: 'layer', layer: k }, clipVisionNaming, 4, pixels, cacheDir);
      expect(resolved.origin).toBe(k === 4 ? 'source' : 'rewritten');
      expect(maxAbsDiff(tensor.data, hiddenState(hidden, k).data)).toBeLessThan(1e-4);
    }
  });
});

describe('tap cache', () => {
  it('writes the rewritten model once and reuses it; a changed source gets a new entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-tapcache-'));
    mkdirSync(join(dir, 'onnx'));
    const model = join(dir, 'onnx/vision_model.onnx');
    copyFileSync(join(tinyClip, 'onnx/vision_model.onnx'), model);
    const options = { naming: clipVisionNaming, numLayers: 4 };
    const first = await resolveTap(model, { kind: 'layer', layer: -2 }, options);
    expect(first.origin).toBe('rewritten');
    expect(first.modelPath.startsWith(join(dir, 'onnx/.mmvp-cache'))).toBe(true);
    const written = statSync(first.modelPath).mtimeMs;
    const second = await resolveTap(model, { kind: 'layer', layer: 3 }, options); // same hidden state, other spelling
    expect(second.origin).toBe('cache');
    expect(second.modelPath).toBe(first.modelPath);
    expect(statSync(second.modelPath).mtimeMs).toBe(written);
    // the cached graph is cut at the tap: its only output is hidden_states[3]; layer 3 (0-based) is gone
    const tapped = decodeModel(readFileSync(first.modelPath));
    expect(tapped.graph!.output!.map((o) => o.name)).toEqual([first.outputName]);
    expect(tapped.graph!.node!.some((n) => n.name!.startsWith('/vision_model/encoder/layers.3/'))).toBe(false);
    expect(tapped.graph!.node!.some((n) => n.name!.startsWith('/vision_model/encoder/layers.2/'))).toBe(true);
    const source = readFileSync(model);
    // change the source (append an unknown-to-ORT but valid doc_string field) -> new hash, new entry
    writeFileSync(model, Buffer.concat([source, Buffer.from([0x32, 0x01, 0x78])])); // field 6 (doc_string) = "x"
    const third = await resolveTap(model, { kind: 'layer', layer: -2 }, options);
    expect(third.origin).toBe('rewritten');
    expect(third.modelPath).not.toBe(first.modelPath);
  });
});

describe('tap cache damage and unwritable caches', () => {
  it('a truncated cached graph is detected (size and sha256 in its sidecar) and rebuilt, not loaded (m9)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-tapcorrupt-'));
    mkdirSync(join(dir, 'onnx'));
    const model = join(dir, 'onnx/vision_model.onnx');
    copyFileSync(join(tinyClip, 'onnx/vision_model.onnx'), model);
    const options = { naming: clipVisionNaming, numLayers: 4 };
    const first = await resolveTap(model, { kind: 'layer', layer: 1 }, options);
    expect(first.origin).toBe('rewritten');
    const good = readFileSync(first.modelPath);
    writeFileSync(first.modelPath, good.subarray(0, Math.floor(good.length / 2))); // what QA did: truncate the cache
    await expect(getSession(first.modelPath)).rejects.toThrow(); // the damage is real: ORT cannot load it
    const again = await resolveTap(model, { kind: 'layer', layer: 1 }, options);
    expect(again.origin).toBe('rewritten');
    expect(again.modelPath).toBe(first.modelPath);
    expect(readFileSync(again.modelPath).equals(good)).toBe(true);
    const third = await resolveTap(model, { kind: 'layer', layer: 1 }, options);
    expect(third.origin).toBe('cache'); // intact now: reused
  });

  it('an unwritable cache folder names the tap cache and the ways to move it (m10)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-tapunwritable-'));
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const cacheDir = join(blocker, 'cache'); // cannot be created: a file is in the way
    await expect(resolveTap(join(tinyClip, 'onnx/vision_model.onnx'), { kind: 'layer', layer: 2 }, { naming: clipVisionNaming, numLayers: 4, cacheDir })).rejects.toThrow(
      new RegExp(
        `cannot write the tap cache ${cacheDir} \\(where the rewritten ONNX graph exposing hidden_states\\[2\\] is kept\\): ENOTDIR: .*give a writable folder with --cache-dir DIR, the encoder option cacheDir \\(pipeline config: encoders\\.<name>\\.options\\.cacheDir\\), or the MMVP_CACHE_DIR environment variable`,
      ),
    );
  });
});

describe('tap errors', () => {
  it('names the valid range for a layer that does not exist', async () => {
    await expect(resolveTap(join(tinyClip, 'onnx/vision_model.onnx'), { kind: 'layer', layer: 5 }, { naming: clipVisionNaming, numLayers: 4, cacheDir: cacheRoot })).rejects.toThrow(
      /layer 5 does not exist: this encoder has 4 layers, so hidden_states indices run from -5 to 4/,
    );
    await expect(resolveTap(join(tinyClip, 'onnx/vision_model.onnx'), { kind: 'layer', layer: -6 }, { naming: clipVisionNaming, numLayers: 4, cacheDir: cacheRoot })).rejects.toThrow(/does not exist/);
  });

  it('says what it looked for in a foreign graph, and when config and graph disagree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-foreign-'));
    const foreign = join(dir, 'foreign.onnx');
    writeFileSync(foreign, buildModel({ inputs: [{ name: 'pixel_values' }], outputs: [{ name: 'last_hidden_state' }], nodes: [{ opType: 'Relu', inputs: ['pixel_values'], outputs: ['last_hidden_state'] }] }));
    await expect(resolveTap(foreign, { kind: 'layer', layer: 1 }, { naming: clipVisionNaming, numLayers: 4, cacheDir: dir })).rejects.toThrow(
      /does not look like a CLIP vision export: no node is named '\/vision_model\/encoder\/layers.0\/...'/,
    );
    await expect(resolveTap(join(tinyDino, 'onnx/model.onnx'), { kind: 'prenorm' }, { naming: clipVisionNaming, numLayers: 3, cacheDir: dir })).rejects.toThrow(/CLIP vision/);
    await expect(resolveTap(join(tinyClip, 'onnx/vision_model.onnx'), { kind: 'layer', layer: 1 }, { naming: clipVisionNaming, numLayers: 6, cacheDir: dir })).rejects.toThrow(
      /has 4 CLIP vision encoder layers .* but config.json says num_hidden_layers = 6/,
    );
  });

  it('rejects a corrupt file with its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-corrupt-'));
    const corrupt = join(dir, 'vision_model.onnx');
    writeFileSync(corrupt, readFileSync(join(tinyClip, 'onnx/vision_model.onnx')).subarray(0, 5000));
    await expect(resolveTap(corrupt, { kind: 'layer', layer: 1 }, { naming: clipVisionNaming, numLayers: 4, cacheDir: dir })).rejects.toThrow(/vision_model.onnx/);
  });
});
