import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeModel, encodeModel } from '@mmvp/onnx';

// Helpers the embed tests of the library (embed-features.test.ts) and of the CLI (apps/cli/test/embed.test.ts)
// share through @mmvp/study/testing: comparing features with the PyTorch references of the tiny models, and a
// model copy with a NaN weight.

/** The largest absolute difference of two arrays of the same length (an Error when the lengths differ). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} and ${b.length})`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** A reference hidden_states.npy [L+1, B, T, D] -> hidden_states[k] as [B, T - first, D], tokens from `first` on. */
export function hiddenStateLayer(all: { readonly data: Float32Array; readonly dims: readonly number[] }, k: number, first = 0): Float32Array {
  const [, b, t, d] = all.dims as [number, number, number, number];
  const out = new Float32Array(b * (t - first) * d); // [B, T - first, D]
  for (let i = 0; i < b; i++) out.set(all.data.subarray(((k * b + i) * t + first) * d, ((k * b + i) * t + t) * d), i * (t - first) * d);
  return out;
}

/**
 * A copy of the model folder `source` at FOLDER/NAME whose first float of the initializer matching `initializer`
 * in onnx/FILE is NaN (through @mmvp/onnx's ONNX codec); resolves with the copy's path.
 */
export async function modelWithNanWeight(source: string, folder: string, name: string, file: string, initializer: RegExp): Promise<string> {
  const copy = join(folder, name);
  await cp(source, copy, { recursive: true });
  const path = join(copy, 'onnx', file);
  const model = decodeModel(await readFile(path));
  const weight = model.graph!.initializer!.find((t) => initializer.test(t.name ?? ''))!;
  const raw = new Float32Array(new Uint8Array(weight.raw_data!).buffer);
  raw[0] = Number.NaN;
  weight.raw_data = new Uint8Array(raw.buffer);
  await writeFile(path, encodeModel(model));
  return copy;
}
