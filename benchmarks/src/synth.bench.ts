/**
 * MMVP-Synth throughput: pairs per second generated (scene + render) and written (PNG encode +
 * file writes, both MMVP and MMVP-VLM copies as `mmvp synth` does). Target: 1,000 pairs of 224x224
 * PNGs in under a minute. The reference on the same machine is sharp's PNG encoder (libvips + libspng,
 * same zlib level 1) on the same pixels; `ratio` = ours / sharp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PATTERNS, createRng, encodePng, generatePair, writeSynth } from '@mmvp/synth';
import { measure, printTable } from './timing';

export default async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const size of [224, 336]) {
    let j = 0;
    const generate = await measure(() => generatePair(PATTERNS[j % 9]!, createRng(1, 'bench', j++), size), { minSeconds: 3 });
    const pair = generatePair('Texts', createRng(2), size);
    const ours = await measure(() => encodePng(pair.images[0].data, size, size), { minSeconds: 2 });
    const image = pair.images[0].data;
    const sharpPng = await measure(() => sharp(image, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer(), { minSeconds: 2 });
    rows.push({ size, step: 'generate + render (pairs/s)', perSecond: generate.perSecond });
    rows.push({ size, step: 'encode PNG, ours (images/s)', perSecond: ours.perSecond });
    rows.push({ size, step: 'encode PNG, sharp level 1 (images/s)', perSecond: sharpPng.perSecond, ratio: ours.perSecond / sharpPng.perSecond });
  }
  const out = mkdtempSync(join(tmpdir(), 'mmvp-synth-bench-'));
  try {
    const pairs = 27 * 9; // 243 pairs, 486 images (x2 copies: MMVP and MMVP-VLM)
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    writeSynth({ out, seed: 1, pairsPerPattern: 27, contactSheets: false });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const perSecond = pairs / seconds;
    // Wall clock is what a user waits; CPU time shows the cost when the machine is shared.
    rows.push({ size: 224, step: `writeSynth eval, ${pairs} pairs end to end (pairs/s, wall)`, perSecond, 'seconds per 1000 pairs': 1000 / perSecond });
    rows.push({ size: 224, step: `writeSynth eval, ${pairs} pairs end to end (pairs/s, CPU time)`, perSecond: pairs / cpuSeconds, 'seconds per 1000 pairs': (1000 * cpuSeconds) / pairs });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  printTable(rows.map((r) => ({ ratio: '', 'seconds per 1000 pairs': '', ...r })));
}
