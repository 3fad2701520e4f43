// eval-vlm picks the encoder family from config.json's model_type; each family against the PyTorch run of
// the same tiny weights on the mmvp-vlm-tiny set (tools/make_tiny_siglip.py: models/*/reference/mmvp-vlm.json).
// Decisions must be identical; logits within 1e-3 (float32 onnxruntime vs float32 PyTorch, scale up to 100).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sigmoidChoices } from '@mmvp/metrics';
import { evaluateVlm } from './evaluate-vlm';
import type { EvalVlmEvent } from './evaluate-vlm-options';

const data = fileURLToPath(new URL('../../../metrics/src/__fixtures__/mmvp-vlm-tiny/', import.meta.url));
const modelsRoot = fileURLToPath(new URL('../../../../models/', import.meta.url));

interface Reference {
  logitScale: number;
  logitBias: number;
  pairs: { qid1: number; qid2: number; logits: number[][]; sigmoid?: number[][]; pred1: string; pred2: string; correct: boolean }[];
  perPattern: Record<string, number>;
}

describe.each([
  { model: 'tiny-siglip', family: 'siglip' },
  { model: 'tiny-openclip-gelu-378', family: 'clip' },
  { model: 'tiny-openclip-quickgelu-224', family: 'clip' },
])('evaluateVlm on $model ($family) vs PyTorch', ({ model, family }) => {
  it('makes the same per-pair decisions and per-pattern scores, with logits within 1e-3', async () => {
    const folder = join(modelsRoot, model);
    const reference = JSON.parse(readFileSync(join(folder, 'reference', 'mmvp-vlm.json'), 'utf8')) as Reference;
    const events: EvalVlmEvent[] = [];
    const result = await evaluateVlm({ model: folder, data, batchSize: 8, onEvent: (event) => events.push(event) });
    expect(result.document.family).toBe(family);
    expect(events[0]).toMatchObject({ type: 'resolved', family, encoderPackage: `@mmvp/encoder-${family}` });
    // SigLIP: the checkpoint's scale and bias (from onnx/model.onnx); CLIP: 100 and 0
    expect(result.document.logitScale).toBeCloseTo(reference.logitScale, 4);
    expect(result.document.logitBias).toBeCloseTo(reference.logitBias, 5);
    expect(result.rows.map((row) => [row.qid1, row.qid2, row.pred1, row.pred2])).toEqual(reference.pairs.map((pair) => [pair.qid1, pair.qid2, pair.pred1, pair.pred2]));
    expect(Object.fromEntries(result.document.perPattern.map((row) => [row.pattern, row.score]))).toEqual(reference.perPattern);
    let largest = 0;
    result.rows.forEach((row, i) => {
      for (const t of [0, 1]) for (const m of [0, 1]) largest = Math.max(largest, Math.abs(row.logits[t]![m]! - reference.pairs[i]!.logits[t]![m]!));
    });
    expect(largest).toBeLessThan(1e-3);
    if (family === 'siglip') {
      expect(result.document.rule).toMatch(/sigmoid/);
      for (const [i, row] of result.rows.entries()) {
        // SigLIP's own scores, and their per-statement argmax is the rule's choice
        expect(Math.abs(row.sigmoid![0][0] - reference.pairs[i]!.sigmoid![0]![0]!)).toBeLessThan(1e-4);
        expect(sigmoidChoices(row.logits).map((c) => `img${c}`)).toEqual([row.pred1, row.pred2]);
      }
    } else {
      expect(result.rows.every((row) => row.sigmoid === undefined)).toBe(true);
    }
  });
});

describe('evaluateVlm bad input', () => {
  it('an unknown model_type: one line listing the supported ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmvp-eva-'));
    cpSync(join(modelsRoot, 'tiny-clip'), dir, { recursive: true, filter: (src) => !src.includes('reference') });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'eva_clip' }));
    const error = (await evaluateVlm({ model: dir, data }).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/config\.json has model_type 'eva_clip', which no encoder package here runs; supported model_type values: 'clip', 'clip_vision_model', 'siglip' or 'siglip_vision_model'/);
    expect(error.message).not.toContain('\n');
  });
});
