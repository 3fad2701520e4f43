/**
 * MMVP-Synth: speed and the JPEG choice.
 * 1. Throughput: pairs per second generated (scene + render) and written end to end by writeSynth,
 *    JPEG (the default, sharp / libjpeg-turbo, 4:4:4) against PNG (our own encoder), both copies as
 *    `mmvp synth` writes them. Target: 1,000 pairs at 224 px under 15 s. Reference on the same
 *    machine: sharp's PNG encoder on the same pixels (`ratio` = ours / sharp).
 * 2. Fine detail: is the JPEG quality high enough that the pattern details survive? For each quality,
 *    the tiny CLIP of the zoo (models/zoo/tiny-clip, 64 px) scores MMVP-VLM on a JPEG copy of the same
 *    eval set; reported: how many of its 135 pair decisions (and per pattern, Texts and Orientation
 *    above all) equal its decisions on the lossless PNGs, and the PSNR of the decoded pixels per pattern.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { MMVP_PATTERNS } from '@mmvp/core';
import { loadMmvpVlm } from '@mmvp/datasets';
import { createClipTextEncoder, createClipVisionEncoder } from '@mmvp/encoder-clip';
import { evaluateMmvpVlm } from '@mmvp/metrics';
import { PATTERNS, SYNTH_JPEG_QUALITY, createRng, encodeJpeg, encodePng, generatePair, writeSynth } from '@mmvp/synth';
import { measure, printTable } from './timing';

const zooClip = fileURLToPath(new URL('../../models/zoo/tiny-clip', import.meta.url));

async function throughput(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const size of [224, 336]) {
    let j = 0;
    const generate = await measure(() => generatePair(PATTERNS[j % 9]!, createRng(1, 'bench', j++), size), { minSeconds: 3 });
    const pair = generatePair('Texts', createRng(2), size);
    const image = pair.images[0].data;
    const ours = await measure(() => encodePng(image, size, size), { minSeconds: 2 });
    const sharpPng = await measure(
      () =>
        sharp(image, { raw: { width: size, height: size, channels: 3 } })
          .png({ compressionLevel: 1 })
          .toBuffer(),
      { minSeconds: 2 },
    );
    const jpeg = await measure(() => encodeJpeg(image, size, size), { minSeconds: 2 });
    rows.push({ size, step: 'generate + render (pairs/s)', perSecond: generate.perSecond });
    rows.push({ size, step: 'encode PNG, ours (images/s)', perSecond: ours.perSecond });
    rows.push({ size, step: 'encode PNG, sharp level 1 (images/s)', perSecond: sharpPng.perSecond, ratio: ours.perSecond / sharpPng.perSecond });
    rows.push({ size, step: `encode JPEG q${SYNTH_JPEG_QUALITY} 4:4:4, sharp (images/s)`, perSecond: jpeg.perSecond });
  }
  const pairs = 27 * 9; // 243 pairs, 486 images, each written twice (MMVP and MMVP-VLM)
  for (const imageFormat of ['jpeg', 'png'] as const) {
    const out = mkdtempSync(join(tmpdir(), 'mmvp-synth-bench-'));
    try {
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      await writeSynth({ out, seed: 1, pairsPerPattern: 27, contactSheets: false, imageFormat });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = process.cpuUsage(cpuStart);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      // Wall clock is what a user waits (sharp encodes on its own threads); CPU time shows the cost on a shared machine.
      rows.push({ size: 224, step: `writeSynth eval ${imageFormat}, ${pairs} pairs (pairs/s, wall)`, perSecond: pairs / seconds, 'seconds per 1000 pairs': (1000 * seconds) / pairs });
      rows.push({ size: 224, step: `writeSynth eval ${imageFormat}, ${pairs} pairs (pairs/s, CPU time)`, perSecond: pairs / cpuSeconds, 'seconds per 1000 pairs': (1000 * cpuSeconds) / pairs });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  printTable(rows.map((r) => ({ ratio: '', 'seconds per 1000 pairs': '', ...r })));
}

/** Copies an MMVP_VLM folder of PNGs as JPEGs of one quality (same pixels, same names but .jpg). */
async function jpegCopy(pngRoot: string, out: string, quality: number): Promise<void> {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'Questions.csv'), readFileSync(join(pngRoot, 'Questions.csv')));
  for (const type of readdirSync(join(pngRoot, 'MLLM_VLM Images'))) {
    mkdirSync(join(out, 'MLLM_VLM Images', type), { recursive: true });
    for (const name of readdirSync(join(pngRoot, 'MLLM_VLM Images', type))) {
      const { data, info } = await sharp(join(pngRoot, 'MLLM_VLM Images', type, name))
        .raw()
        .toBuffer({ resolveWithObject: true });
      writeFileSync(join(out, 'MLLM_VLM Images', type, name.replace('.png', '.jpg')), await encodeJpeg(data, info.width, info.height, quality));
    }
  }
}

/** Mean PSNR (dB) per pattern between the PNG and the decoded JPEG images of a folder. */
async function psnrByPattern(pngRoot: string, jpegRoot: string, typeToPattern: Map<string, string>): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (const type of readdirSync(join(pngRoot, 'MLLM_VLM Images'))) {
    const values: number[] = [];
    for (const name of readdirSync(join(pngRoot, 'MLLM_VLM Images', type))) {
      const a = await sharp(join(pngRoot, 'MLLM_VLM Images', type, name))
        .raw()
        .toBuffer();
      const b = await sharp(join(jpegRoot, 'MLLM_VLM Images', type, name.replace('.png', '.jpg')))
        .raw()
        .toBuffer();
      let squared = 0;
      for (let i = 0; i < a.length; i++) squared += (a[i]! - b[i]!) ** 2;
      values.push(squared === 0 ? 99 : 10 * Math.log10((255 * 255) / (squared / a.length)));
    }
    result.set(typeToPattern.get(type) ?? type, values.reduce((s, v) => s + v, 0) / values.length);
  }
  return result;
}

async function jpegQuality(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'mmvp-synth-jpeg-'));
  try {
    await writeSynth({ out: root, seed: 2024, pairsPerPattern: 15, size: 64, contactSheets: false, imageFormat: 'png' });
    const pngRoot = join(root, 'MMVP_VLM');
    const vision = await createClipVisionEncoder({ modelPath: zooClip });
    const text = await createClipTextEncoder({ modelPath: zooClip });
    const score = async (folder: string) => evaluateMmvpVlm((await loadMmvpVlm(folder)).pairs, { vision, text, order: MMVP_PATTERNS });
    const lossless = await score(pngRoot);
    const decisions = (rows: typeof lossless.rows) => rows.map((row) => `${row.pred1}/${row.pred2}`);
    const typeToPattern = new Map(lossless.rows.map((row) => [row.pattern, row.pattern]));
    const rows: Record<string, string | number>[] = [];
    const focus = ['Texts', 'Orientation and Direction', 'Color and Appearance'];
    rows.push({
      quality: 'png',
      'same decisions (of 135)': 135,
      ...Object.fromEntries(focus.map((p) => [`${p} score`, lossless.perPattern.find((s) => s.pattern === p)?.score ?? 0])),
      'average score': lossless.average,
      'min pattern PSNR (dB)': '',
    });
    for (const quality of [75, 85, 90, 95, 100]) {
      const folder = join(root, `jpeg-${quality}`);
      await jpegCopy(pngRoot, folder, quality);
      const result = await score(folder);
      const same = decisions(result.rows).filter((d, i) => d === decisions(lossless.rows)[i]).length;
      const psnr = await psnrByPattern(pngRoot, folder, typeToPattern);
      rows.push({
        quality,
        'same decisions (of 135)': same,
        ...Object.fromEntries(focus.map((p) => [`${p} score`, result.perPattern.find((s) => s.pattern === p)?.score ?? 0])),
        'average score': result.average,
        'min pattern PSNR (dB)': Math.min(...psnr.values()),
      });
    }
    await vision.dispose();
    console.log('\nJPEG quality vs lossless PNG: tiny CLIP (models/zoo/tiny-clip) MMVP-VLM on the same 64 px eval set (seed 2024), 4:4:4');
    printTable(rows);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export default async function run(): Promise<void> {
  await throughput();
  await jpegQuality();
}
