/**
 * Mining benchmarks.
 *
 * 1. Candidate search on N random unit vectors of width 768 (N = 100,000 by default;
 *    MMVP_BENCH_MINING_N overrides): exact blocked search (ours, the reference for correctness), the
 *    naive loop, usearch's own SIMD brute force (`exactSearch`, the strongest exact reference on this
 *    machine) and usearch HNSW (build + search, recall@10 against exact). All-pairs exact search of
 *    100k x 100k is 7.7e12 multiply-adds, too slow for 2 cores in JavaScript, so the exact searches
 *    time a subset of queries against all N rows and extrapolate linearly to N queries (printed as
 *    "extrapolated"). Random Gaussian vectors have no cluster structure: the hardest case for HNSW.
 * 2. The embed step end to end (read + hash + decode + preprocess in workers, encode, write shards) in
 *    images/s against the bare encoders on pixel_values already in memory, with the tiny models.
 *    The tiny encoders cost almost nothing, so this ratio shows the pipeline's own overhead; with
 *    ViT-L the encoder dominates and the ratio approaches 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { tensor } from '@mmvp/core';
import { createClipVisionEncoder } from '@mmvp/encoder-clip';
import { createDinov2Encoder } from '@mmvp/encoder-dinov2';
import { buildUsearchIndex, describeModel, embedCollection, EmbeddingStore, exactTopK, naiveTopK, normalizeRows, recallAtK, sampleRows, usearchExactTopK, type MiningModel, type TopK } from '@mmvp/mining';
import { sha256Bytes } from '@mmvp/results';
import { printTable } from './timing';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export default async function run(): Promise<void> {
  await candidateSearch();
  await embedStep();
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function gaussianMatrix(n: number, d: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

async function candidateSearch(): Promise<void> {
  const n = Number(process.env.MMVP_BENCH_MINING_N ?? 100_000);
  const d = 768;
  const k = 10;
  const vectors = normalizeRows(gaussianMatrix(n, d, 42), d);
  const exactQueries = sampleRows(n, Math.min(n, 400));
  const naiveQueries = sampleRows(n, Math.min(n, 40));
  console.log(`candidate search: ${n} random unit vectors of width ${d}, k = ${k}; exact searches time ${exactQueries.length} (naive: ${naiveQueries.length}) queries and extrapolate to ${n}`);

  let start = process.hrtime.bigint();
  const exact = exactTopK(vectors, d, k, { queryRows: exactQueries });
  const exactSeconds = (seconds(start) * n) / exactQueries.length;

  start = process.hrtime.bigint();
  const naive = naiveTopK(vectors, d, k, { queryRows: naiveQueries });
  const naiveSeconds = (seconds(start) * n) / naiveQueries.length;
  const exactOnNaive: TopK = sliceQueries(exact, exactQueries, naiveQueries);
  const naiveAgrees = recallAtK(naive, exactOnNaive);

  start = process.hrtime.bigint();
  const simdTop = usearchExactTopK(vectors, d, k, { queryRows: exactQueries });
  const simdSeconds = (seconds(start) * n) / exactQueries.length;
  const simdRecall = recallAtK(simdTop, exact);

  const rows: Record<string, string | number>[] = [
    { method: 'exact blocked (ours, reference)', 'seconds for N queries': exactSeconds, note: 'extrapolated', 'recall@10': 1, 'vs exact blocked': 1 },
    { method: 'naive loop', 'seconds for N queries': naiveSeconds, note: 'extrapolated', 'recall@10': naiveAgrees, 'vs exact blocked': exactSeconds / naiveSeconds },
    { method: 'usearch exactSearch (SIMD brute force)', 'seconds for N queries': simdSeconds, note: 'extrapolated', 'recall@10': simdRecall, 'vs exact blocked': exactSeconds / simdSeconds },
  ];

  for (const expansionSearch of [64, 256]) {
    // usearch fixes expansion_search when the index is made, so each setting is its own build
    start = process.hrtime.bigint();
    const index = buildUsearchIndex(vectors, d, { expansionSearch });
    const buildSeconds = seconds(start);
    start = process.hrtime.bigint();
    const all = index.search(sampleRows(n), k);
    const searchSeconds = seconds(start);
    const recall = recallAtK(sliceQueries(all, sampleRows(n), exactQueries), exact);
    rows.push({
      method: `usearch HNSW (M=16, ef_add=128, ef_search=${expansionSearch})`,
      'seconds for N queries': buildSeconds + searchSeconds,
      note: `measured: build ${buildSeconds.toFixed(1)} s + search ${searchSeconds.toFixed(1)} s`,
      'recall@10': recall,
      'vs exact blocked': exactSeconds / (buildSeconds + searchSeconds),
    });
  }
  printTable(rows);
}

function sliceQueries(top: TopK, have: Int32Array, want: Int32Array): TopK {
  const position = new Map<number, number>();
  have.forEach((row, q) => position.set(row, q));
  const indices = new Int32Array(want.length * top.k);
  const scores = new Float32Array(want.length * top.k);
  want.forEach((row, q) => {
    const from = position.get(row)!;
    indices.set(top.indices.subarray(from * top.k, (from + 1) * top.k), q * top.k);
    scores.set(top.scores.subarray(from * top.k, (from + 1) * top.k), q * top.k);
  });
  return { k: top.k, queries: want.length, queryRows: want, indices, scores };
}

async function embedStep(): Promise<void> {
  const count = Number(process.env.MMVP_BENCH_MINING_IMAGES ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'mmvp-mining-bench-'));
  try {
    const paths: string[] = [];
    let state = 7;
    for (let i = 0; i < count; i++) {
      const data = Buffer.alloc(224 * 224 * 3);
      for (let j = 0; j < data.length; j++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        data[j] = (state >>> 24) & 0xf0;
      }
      const path = join(dir, `${i}.jpg`);
      await sharp(data, { raw: { width: 224, height: 224, channels: 3 } })
        .jpeg({ quality: 90 })
        .toFile(path);
      paths.push(path);
    }
    const clipEncoder = await createClipVisionEncoder({ modelPath: join(repo, 'models/tiny-clip') });
    const dinoEncoder = await createDinov2Encoder({ modelPath: join(repo, 'models/tiny-dinov2') });
    const models: MiningModel[] = [];
    for (const [key, encoder, onnxPath, config] of [
      ['clip', clipEncoder, clipEncoder.onnxPath, join(repo, 'models/tiny-clip/preprocessor_config.json')],
      ['dino', dinoEncoder, dinoEncoder.onnxPath, dinoEncoder.preprocessorConfigPath],
    ] as const) {
      const [h, w] = encoder.imageSize;
      const dimension = (await encoder.embedPixels(tensor(new Float32Array(3 * h * w), [1, 3, h, w]))).dims[1]!;
      const identity = await describeModel({ folder: encoder.modelId, onnxPath, embedding: key, dimension, preprocessing: { config: sha256Bytes(await readFile(config)) } });
      models.push({ key, encoder, identity, processor: { kind: 'image-processor', preprocessorConfigPath: config } });
    }

    // bare encoders: pixel_values already in memory, batches of 16, both models
    const pixels = await Promise.all([clipEncoder.preprocess(paths.slice(0, 16)), dinoEncoder.preprocess(paths.slice(0, 16))]);
    let start = process.hrtime.bigint();
    for (let done = 0; done < count; done += 16) {
      await clipEncoder.embedPixels(pixels[0]);
      await dinoEncoder.embedPixels(pixels[1]);
    }
    const bare = (Math.ceil(count / 16) * 16) / seconds(start);

    const rows: Record<string, string | number>[] = [{ step: 'bare encoders (CLIP + DINOv2 embedPixels on in-memory pixels)', 'images/s': bare, 'vs bare': 1, 'peak RSS growth MiB': '-' }];
    for (const workers of [0, 1, 2]) {
      const store = await EmbeddingStore.open(join(dir, `store-${workers}`), { models: Object.fromEntries(models.map((m) => [m.key, m.identity])) });
      let maxRss = 0;
      const rssBefore = process.memoryUsage().rss;
      start = process.hrtime.bigint();
      await embedCollection({ paths, store, models, workers, batchSize: 16, shardSize: 64, onProgress: () => (maxRss = Math.max(maxRss, process.memoryUsage().rss)) });
      const rate = count / seconds(start);
      rows.push({ step: `embed step end to end, ${workers} decode worker(s)`, 'images/s': rate, 'vs bare': rate / bare, 'peak RSS growth MiB': (maxRss - rssBefore) / 2 ** 20 });
    }
    console.log(`\nembed step: ${count} JPEGs of 224x224 with models/tiny-clip and models/tiny-dinov2 (read, sha256, decode, both processors, encode, shards of 64)`);
    printTable(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
