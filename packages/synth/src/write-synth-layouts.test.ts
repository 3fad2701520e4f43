/**
 * The layouts `mmvp synth` writes, checked on writeSynth itself (moved from apps/cli/test/synth.test.ts,
 * same checks; the CLI keeps its smoke test, flag errors and the lock).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSynth } from './write-synth';

const root = mkdtempSync(join(tmpdir(), 'mmvp-synth-layouts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The real MMVP-VLM: 9 patterns x 15 pairs, ids 1..270, Orientation/ 1-30 ... Camera_Perspective/ 241-270.
const REAL_VLM_ORDER = ['Orientation', 'Presence', 'State', 'Quantity', 'Spatial', 'Color', 'Structural_Character', 'Text', 'Camera_Perspective'];

describe('writeSynth layouts (what mmvp synth writes)', () => {
  it('writes the real benchmarks layouts with 15 pairs per pattern (the defaults: 224 px JPEG)', async () => {
    const out = join(root, 'eval');
    const summary = await writeSynth({ out, seed: 7, contactSheets: false });
    expect(summary).toMatchObject({ split: 'eval', seed: 7, size: 224, pairs: 135, images: 270 });
    const manifest = JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8'));
    expect(manifest).toMatchObject({ imageFormat: 'jpeg', jpeg: { quality: 95, chromaSubsampling: '4:4:4' } });
    const questions = readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(questions[0]).toBe('Index,Question,Options,Correct Answer');
    expect(questions).toHaveLength(271);
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images'))).toHaveLength(270);
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images')).every((name) => name.endsWith('.jpg'))).toBe(true);
    const vlm = readFileSync(join(out, 'MMVP_VLM', 'Questions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(vlm).toHaveLength(270);
    REAL_VLM_ORDER.forEach((type, p) => {
      const ids = readdirSync(join(out, 'MMVP_VLM', 'MLLM_VLM Images', type))
        .map((f) => Number.parseInt(f, 10))
        .sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: 30 }, (_, k) => 30 * p + k + 1));
      expect(vlm.slice(30 * p, 30 * p + 30).every((row) => row.split(',')[1] === type)).toBe(true);
    });
  }, 120_000);

  it('pairs 150 gives the official 300 questions and images; imageFormat png writes lossless files', async () => {
    const out = join(root, 'official');
    const summary = await writeSynth({ out, pairs: 150, size: 64, imageFormat: 'png', contactSheets: false });
    expect(summary).toMatchObject({ size: 64, pairs: 150 });
    expect(JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8'))).toMatchObject({ imageFormat: 'png' });
    const patterns = readFileSync(join(out, 'MMVP', 'patterns.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const perPattern = [...new Set(patterns.map((row) => row.split(',')[1]))].map((pattern) => patterns.filter((row) => row.split(',')[1] === pattern).length / 2);
    expect(perPattern).toEqual([17, 17, 17, 17, 17, 17, 16, 16, 16]);
    expect(
      readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(301);
    const images = readdirSync(join(out, 'MMVP', 'MMVP Images'));
    expect(images).toHaveLength(300);
    expect(images.every((name) => name.endsWith('.png'))).toBe(true);
    expect(
      readFileSync(join(out, 'MMVP_VLM', 'Questions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(271);
  }, 120_000);

  it('writes the train split with count pairs', async () => {
    const out = join(root, 'train');
    const summary = await writeSynth({ out, split: 'train', count: 9, size: 336 });
    expect(summary).toMatchObject({ split: 'train', pairs: 9, images: 18, size: 336 });
    const lines = readFileSync(join(out, 'train', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(18);
    expect(lines[0]).toMatchObject({ width: 336, height: 336, pair_id: 1, side: 0, pattern: 'Orientation and Direction' });
    expect(readdirSync(join(out, 'contact-sheets'))).toHaveLength(9);
  }, 120_000);

  it('refuses to write into a non-empty output folder without overwrite', async () => {
    const out = join(root, 'twice');
    await writeSynth({ out, pairsPerPattern: 1, contactSheets: false });
    await expect(writeSynth({ out, pairsPerPattern: 1 })).rejects.toThrow(/already exists and is not empty/);
    await writeSynth({ out, pairsPerPattern: 1, overwrite: true });
  });

  it('overwrite over a larger set leaves exactly the new set: no old extra images, no old contact sheets of the split (#13.7)', async () => {
    const out = join(root, 'shrink');
    await writeSynth({ out, split: 'train', count: 9, size: 64 });
    await writeSynth({ out, pairsPerPattern: 3, size: 64 });
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images'))).toHaveLength(54);
    const sheetsBefore = readdirSync(join(out, 'contact-sheets'));
    expect(sheetsBefore.filter((name) => name.startsWith('eval-'))).toHaveLength(9);
    await writeSynth({ out, pairsPerPattern: 1, size: 64, overwrite: true, contactSheets: false });
    // independent of the writer: what a reader finds on disk against what the 1-pair set must be
    expect(readdirSync(join(out, 'MMVP', 'MMVP Images')).sort()).toEqual(Array.from({ length: 18 }, (_, k) => `${k + 1}.jpg`).sort());
    expect(
      readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(19);
    for (const type of REAL_VLM_ORDER) expect(readdirSync(join(out, 'MMVP_VLM', 'MLLM_VLM Images', type))).toHaveLength(2);
    expect(readFileSync(join(out, 'ground-truth.jsonl'), 'utf8').trim().split('\n')).toHaveLength(9);
    const sheetsAfter = readdirSync(join(out, 'contact-sheets'));
    expect(sheetsAfter.filter((name) => name.startsWith('eval-'))).toEqual([]); // the old eval sheets are gone
    expect(sheetsAfter).toEqual(sheetsBefore.filter((name) => name.startsWith('train-'))); // the train split's stay
    expect(readdirSync(join(out, 'train', 'images'))).toHaveLength(18);
    expect(readdirSync(out).sort()).toEqual(['MMVP', 'MMVP_VLM', 'contact-sheets', 'ground-truth.jsonl', 'synth.json', 'train']);
  });
});
