// The vision tower's int8 report (issue #25), with the CPU injected so both branches run on any machine.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCpuinfo, type CpuFeatures } from './cpu-features';
import { clipVisionNaming } from './graph-tap';
import { releaseSessions } from './session-cache';
import { createVisionTower } from './vision-tower';
import { tapVariantsRoot } from './__fixtures__/tap-variants';

afterAll(() => releaseSessions());

const cpu = (file: string): CpuFeatures => ({ arch: 'x64', ...parseCpuinfo(readFileSync(fileURLToPath(new URL(`./__fixtures__/cpuinfo/${file}`, import.meta.url)), 'utf8')), source: 'injected' });

const tower = (folder: string, file: string, features: CpuFeatures) =>
  createVisionTower({
    onnxPath: join(tapVariantsRoot, folder, 'onnx', file),
    naming: clipVisionNaming,
    numLayers: 3,
    outputs: ['image_embeds', 'last_hidden_state'],
    pooledOutput: 'image_embeds',
    imageSize: [16, 16],
    modelName: 'CLIP',
    sessionOptions: {},
    batchSize: 2,
    cpu: features,
  });

describe('createVisionTower: int8 report', () => {
  it('full-range u8s8: a warning on the AMD EPYC (no VNNI), none on the Intel Xeon (VNNI)', async () => {
    const amd = await tower('clip-int8-full-range', 'vision_model_int8.onnx', cpu('amd-epyc-avx2.txt'));
    expect(amd.int8!.description).toMatch(/^vision_model_int8\.onnx: u8s8 \(uint8 activations x int8 weights\), per-tensor, weights in \[-127, 127\]: full range/);
    expect(amd.int8!.warning).toMatch(/vision_model_int8\.onnx has full-range u8s8 int8 weights .* \(AVX2 without VNNI/);
    const intel = await tower('clip-int8-full-range', 'vision_model_int8.onnx', cpu('intel-xeon-vnni.txt'));
    expect(intel.int8!.format).toEqual(amd.int8!.format);
    expect(intel.int8!.warning).toBeNull();
  });

  it('reduce-range u8s8 and u8u8: no warning even without VNNI; float files: no int8 report', async () => {
    const amd = cpu('amd-epyc-avx2.txt');
    expect((await tower('clip-int8', 'vision_model_int8.onnx', amd)).int8).toMatchObject({ format: { format: 'u8s8', granularity: 'per-channel' }, warning: null });
    expect((await tower('clip-uint8', 'vision_model_uint8.onnx', amd)).int8).toMatchObject({ format: { format: 'u8u8' }, warning: null });
    expect((await tower('clip-shared-identity', 'vision_model.onnx', amd)).int8).toBeNull();
  });
});
