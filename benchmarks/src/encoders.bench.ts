/**
 * Encoder throughput: images/s of our CLIP vision encoder vs transformers.js on the SAME ONNX file, vs a
 * bare onnxruntime `session.run` on pre-made tensors (the floor for our overhead).
 *
 * Models: models/tiny-clip (32 px, width 64, 4 layers) and a ViT-B/16-sized random-weight CLIP vision
 * export (224 px, width 768, 12 layers, ~350 MB) made here by tools/make_tiny_encoders.py with
 * /usr/bin/python3 into a temp dir (reused across runs; never committed).
 *
 *   pnpm --filter @mmvp/cli... build && pnpm bench encoders
 *   MMVP_BENCH_SKIP_BIG=1 pnpm bench encoders     # tiny model only
 *   MMVP_BENCH_THREADS=1 pnpm bench encoders      # intra-op threads for every path (default: ORT's choice);
 *                                                 # 1 is steadier on a shared machine, and makes the
 *                                                 # images/CPU-s column the cost of the work itself
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { tensor, type Tensor } from '@mmvp/core';
import { createClipVisionEncoder } from '@mmvp/encoder-clip';
import { releaseSessions } from '@mmvp/onnx';
import { printTable } from './timing';

const root = fileURLToPath(new URL('../../', import.meta.url));
const threads = process.env.MMVP_BENCH_THREADS ? Number(process.env.MMVP_BENCH_THREADS) : undefined;

interface BenchModel {
  readonly name: string;
  readonly dir: string;
  readonly size: number;
  readonly batch: number;
  readonly minSeconds: number;
  readonly minCalls: number;
}

function bigModel(): string {
  const dir = join(tmpdir(), 'mmvp-bench-clip-vit-b16');
  if (!existsSync(join(dir, 'onnx', 'vision_model.onnx'))) {
    console.log(`making a ViT-B/16-sized CLIP vision export in ${dir} (tools/make_tiny_encoders.py --preset vit-b16) ...`);
    execFileSync('/usr/bin/python3', [join(root, 'tools', 'make_tiny_encoders.py'), '--preset', 'vit-b16', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dir;
}

function randomPixels(batch: number, size: number): Tensor {
  const data = new Float32Array(batch * 3 * size * size); // [B, 3, H, W]
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = (state / 2 ** 32) * 4 - 2;
  }
  return tensor(data, [batch, 3, size, size]);
}

export default async function run(): Promise<void> {
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  const models: BenchModel[] = [{ name: 'tiny-clip (32px, D64, 4 layers)', dir: join(root, 'models', 'tiny-clip'), size: 32, batch: 8, minSeconds: 3, minCalls: 100 }];
  if (!process.env.MMVP_BENCH_SKIP_BIG) models.push({ name: 'ViT-B/16 CLIP vision (224px, D768, 12 layers)', dir: bigModel(), size: 224, batch: 4, minSeconds: 6, minCalls: 3 });
  console.log(`onnxruntime-node ${ort.env.versions.node}, @huggingface/transformers ${transformers.env.version}, cpu EP, intra-op threads ${threads ?? 'ORT default'}`);

  const summary: string[] = [];
  for (const model of models) {
    const onnxPath = join(model.dir, 'onnx', 'vision_model.onnx');
    const pixels = randomPixels(model.batch, model.size);
    // Paths are measured in interleaved rounds and each keeps its best round, so load from other
    // processes on a shared machine hits them alike.
    const encoder = await createClipVisionEncoder({ modelPath: model.dir, batchSize: model.batch, intraOpThreads: threads });
    await encoder.resolveTap({ kind: 'layer', layer: -2 });
    const bare = await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', interOpNumThreads: 1, ...(threads ? { intraOpNumThreads: threads } : {}) });
    const feeds = { pixel_values: new ort.Tensor('float32', pixels.data, pixels.dims) };
    transformers.env.localModelPath = dirname(model.dir) + '/';
    const tjsModel = await transformers.CLIPVisionModelWithProjection.from_pretrained(basename(model.dir), {
      dtype: 'fp32',
      device: 'cpu',
      local_files_only: true,
      ...(threads ? { session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 } } : {}),
    });
    const tjsPixels = new transformers.Tensor('float32', pixels.data, [...pixels.dims]);
    const images = Array.from({ length: model.batch }, (_, i) => join(root, 'models', 'tiny-clip', 'reference', 'images', `image-${i % 3}.png`));
    const paths: [string, () => Promise<unknown>][] = [
      // 1. bare session.run on pre-made ORT tensors: the floor for any wrapper.
      ['bare session.run (pre-made tensors)', () => bare.run(feeds)],
      // 2. ours on the same file: last_hidden_state (no tap), LLaVA's tapped hidden_states[-2] patch tokens, image_embeds.
      ['mmvp encodePixels (tap last, all tokens)', () => encoder.encodePixels(pixels, { tap: { kind: 'last' }, tokens: 'all' })],
      ['mmvp encodePixels (tap layer -2, patch tokens)', () => encoder.encodePixels(pixels, { tap: { kind: 'layer', layer: -2 }, tokens: 'patch' })],
      ['mmvp embedPixels (image_embeds)', () => encoder.embedPixels(pixels)],
      // 3. transformers.js on the same ONNX file (CLIPVisionModelWithProjection loads onnx/vision_model.onnx).
      ['transformers.js model({ pixel_values })', () => tjsModel({ pixel_values: tjsPixels })],
    ];
    // 4. ours end to end from PNG files (decode + Pillow-exact preprocessing + encode), for scale.
    if (model.size === 32) {
      paths.push(['mmvp preprocess(PNG files) + encodePixels', async () => encoder.encodePixels(await encoder.preprocess(images), { tap: { kind: 'layer', layer: -2 }, tokens: 'patch' })]);
    }
    // Calls are interleaved one by one (bare, ours, transformers.js, bare, ...) and each is timed in wall
    // time and in process CPU time, so drifting load from other processes hits every path alike. With
    // one intra-op thread, CPU time is the cost of the work itself and barely moves when the machine is
    // crowded; wall time does.
    const totals = new Map<string, { wallSeconds: number; cpuSeconds: number; calls: number }>(paths.map(([name]) => [name, { wallSeconds: 0, cpuSeconds: 0, calls: 0 }]));
    for (const [, fn] of paths) await fn(); // warm-up
    const started = performance.now();
    for (let round = 0; (performance.now() - started) / 1000 < model.minSeconds * paths.length || round < model.minCalls; round++) {
      for (let j = 0; j < paths.length; j++) {
        const [name, fn] = paths[(j + round) % paths.length]!; // rotate the order: no path always runs first
        const cpuBefore = process.cpuUsage();
        const wallBefore = performance.now();
        await fn();
        const wall = (performance.now() - wallBefore) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const total = totals.get(name)!;
        total.wallSeconds += wall;
        total.cpuSeconds += (cpu.user + cpu.system) / 1e6;
        total.calls++;
      }
    }
    await bare.release();
    await tjsModel.dispose();
    await releaseSessions();
    const rate = (name: string) => (totals.get(name)!.calls * model.batch) / totals.get(name)!.wallSeconds;
    const cpuRate = (name: string) => (totals.get(name)!.calls * model.batch) / totals.get(name)!.cpuSeconds;
    const rows = paths.map(([name]) => ({ path: name, 'images/s (wall)': rate(name), 'images/CPU-s': cpuRate(name), calls: totals.get(name)!.calls }));
    const [bareName, oursName, oursTapName, , tjsName] = paths.map(([name]) => name) as [string, string, string, string, string];
    console.log(`\n${model.name}, batch ${model.batch}: ${onnxPath}`);
    printTable(rows);
    for (const [what, measureRate] of [
      ['wall', rate],
      ['CPU', cpuRate],
    ] as const) {
      const ours = measureRate(oursName);
      summary.push(
        `${model.name} [${what}]: ours/bare session.run = ${(ours / measureRate(bareName)).toFixed(3)} (overhead ${((1 - ours / measureRate(bareName)) * 100).toFixed(1)}%), ` +
          `ours/transformers.js = ${(ours / measureRate(tjsName)).toFixed(3)}, tapped layer -2 / bare = ${(measureRate(oursTapName) / measureRate(bareName)).toFixed(3)}`,
      );
    }
  }
  console.log('\nratios (higher is better for us; wall-clock figures on a shared, oversubscribed CPU are noisy, CPU-time figures much less):');
  for (const line of summary) console.log(`  ${line}`);
  if (!process.env.MMVP_BENCH_SKIP_BIG) await dtypeVariants(bigModel());
}

/**
 * The same ViT-B/16-sized CLIP as float32, `_fp16` and `_int8` exports (made by tools/make_tap_variants.py
 * --convert with the transforms the tap tests use), through mmvp's encoder with the LLaVA tap
 * (hidden_states[-2], patch tokens): images per second, and the largest difference from float32,
 * so a user can pick a dtype knowingly. Interleaved rounds, best of each kept, as above.
 */
async function dtypeVariants(dir: string): Promise<void> {
  const source = join(dir, 'onnx', 'vision_model.onnx');
  for (const [variant, suffix] of [
    ['fp16', '_fp16'],
    ['int8', '_int8'],
  ] as const) {
    const target = join(dir, 'onnx', `vision_model${suffix}.onnx`);
    if (!existsSync(target)) execFileSync('/usr/bin/python3', [join(root, 'tools', 'make_tap_variants.py'), '--convert', source, '--variant', variant, '--out', target], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const pixels = randomPixels(4, 224);
  const tap = { kind: 'layer', layer: -2 } as const;
  const encoders: { dtype: string; encoder: Awaited<ReturnType<typeof createClipVisionEncoder>>; output: Tensor; cpuSeconds: number; wallSeconds: number; calls: number }[] = [];
  for (const dtype of ['fp32', 'fp16', 'int8'] as const) {
    const encoder = await createClipVisionEncoder({ modelPath: dir, batchSize: 4, dtype, intraOpThreads: threads });
    encoders.push({ dtype, encoder, output: await encoder.encodePixels(pixels, { tap, tokens: 'patch' }), cpuSeconds: 0, wallSeconds: 0, calls: 0 });
  }
  const reference = encoders[0]!.output.data;
  for (let round = 0; round < 3; round++) {
    for (const entry of encoders) {
      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      await entry.encoder.encodePixels(pixels, { tap, tokens: 'patch' });
      const cpu = process.cpuUsage(cpuBefore);
      entry.wallSeconds += (performance.now() - wallBefore) / 1000;
      entry.cpuSeconds += (cpu.user + cpu.system) / 1e6;
      entry.calls++;
    }
  }
  const rows = encoders.map((entry) => {
    let maxDifference = 0;
    for (let i = 0; i < reference.length; i++) maxDifference = Math.max(maxDifference, Math.abs(entry.output.data[i]! - reference[i]!));
    const fp32 = encoders[0]!;
    return {
      dtype: entry.dtype,
      'images/s (wall)': (entry.calls * 4) / entry.wallSeconds,
      'images/CPU-s': (entry.calls * 4) / entry.cpuSeconds,
      'speed vs fp32 (CPU)': fp32.cpuSeconds / fp32.calls / (entry.cpuSeconds / entry.calls),
      'max |diff| vs fp32': maxDifference,
    };
  });
  console.log('\nViT-B/16 CLIP vision, hidden_states[-2] patch tokens, batch 4: dtype variants of the same weights');
  printTable(rows);
  await releaseSessions();
}
