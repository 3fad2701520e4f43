// Issue #25: onnxruntime's u8s8 MatMulInteger on x86 without VNNI adds neighbouring uint8 x int8 products
// into int16s that saturate. Shown on the fixtures' real weights and real quantized activations with an
// injected no-VNNI CPU (so on any machine), checked against onnxruntime on the CPU that runs the test, and
// end to end against tools/emulate_int8_kernels.py's PyTorch emulation (the committed int8-emulation.json).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpyFloat32 } from '@mmvp/core';
import { int8KernelInfo, parseCpuinfo, type CpuFeatures, type Int8KernelInfo } from './cpu-features';
import { clipVisionNaming, dinov2Naming, resolveTap } from './graph-tap';
import { decodeModel, encodeModel, int64ToNumber, TensorDataType, type TensorProto } from './proto/onnx-proto';
import { getSession, releaseSessions } from './session-cache';
import { ortToTensor, tensorToOrt } from './tensor-conversion';
import { hiddenState, maxAbsDiff } from './__fixtures__/compare-hidden-states';
import { emulateMatMulInteger } from './__fixtures__/emulate-matmul-integer';
import { SATURATED_INT8_TOLERANCE, TAP_VARIANTS, TAP_VARIANT_TAPS, tapVariantTolerance, tapVariantsRoot, testCpuKernel } from './__fixtures__/tap-variants';

const work = mkdtempSync(join(tmpdir(), 'mmvp-int8-saturation-'));
afterAll(() => releaseSessions());

function injected(file: string): CpuFeatures {
  const { model, flags } = parseCpuinfo(readFileSync(fileURLToPath(new URL(`./__fixtures__/cpuinfo/${file}`, import.meta.url)), 'utf8'));
  return { arch: 'x64', model, flags, source: 'injected' };
}
const amdAvx2 = int8KernelInfo(injected('amd-epyc-avx2.txt')); // AMD EPYC 7302P: avx2, no VNNI
const intelVnni = int8KernelInfo(injected('intel-xeon-vnni.txt')); // this repository's Intel Xeon: avx512_vnni, avx_vnni, amx_int8

const families = [
  { family: 'clip', graph: 'vision_model', naming: clipVisionNaming },
  { family: 'dinov2', graph: 'model', naming: dinov2Naming },
] as const;
const fixtures = [
  { variant: 'int8', suffix: '_int8' }, // u8s8, 7-bit per-channel weights (reduce_range)
  { variant: 'int8-full-range', suffix: '_int8' }, // u8s8, weights in [-127, 127]
  { variant: 'uint8', suffix: '_uint8' }, // u8u8
] as const;

/** One MatMulInteger of a fixture as onnxruntime ran it here: its uint8 input, zero points, weights, and int32 output. */
interface CapturedProduct {
  readonly node: string;
  readonly a: Uint8Array;
  readonly zeroPointA: number;
  readonly b: Int8Array | Uint8Array;
  readonly zeroPointB: ArrayLike<number>;
  readonly shape: { m: number; k: number; n: number };
  readonly output: Int32Array;
}

function integers(t: TensorProto): Int8Array | Uint8Array {
  const raw = t.raw_data!;
  return t.data_type === TensorDataType.INT8 ? new Int8Array(raw.buffer, raw.byteOffset, raw.length) : new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

const captured = new Map<string, Promise<CapturedProduct[]>>();
/** Runs a fixture with every MatMulInteger's A, zero point of A and int32 output as extra graph outputs. */
function capture(family: string, graphName: string, variant: string, suffix: string): Promise<CapturedProduct[]> {
  const key = `${family}-${variant}`;
  let result = captured.get(key);
  if (!result) {
    result = (async () => {
      const model = decodeModel(readFileSync(join(tapVariantsRoot, key, 'onnx', `${graphName}${suffix}.onnx`)));
      const graph = model.graph!;
      const inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
      const products = (graph.node ?? []).filter((n) => n.op_type === 'MatMulInteger');
      const extra = new Map<string, number>();
      for (const n of products) {
        extra.set(n.input![0]!, TensorDataType.UINT8);
        extra.set(n.input![2]!, TensorDataType.UINT8);
        extra.set(n.output![0]!, TensorDataType.INT32);
      }
      graph.output = [...(graph.output ?? []), ...[...extra].map(([name, type]) => ({ name, type: { tensor_type: { elem_type: type } } }))];
      const path = join(work, `${key}.onnx`);
      writeFileSync(path, encodeModel(model));
      const session = await getSession(path);
      const pixels = await readNpyFloat32(join(tapVariantsRoot, 'reference', family, 'pixel_values.npy'));
      const out = await session.run({ pixel_values: tensorToOrt(pixels) }, [...extra.keys()]);
      return products.map((n) => {
        const a = out[n.input![0]!]!;
        const b = inits.get(n.input![1]!)!;
        const [k, cols] = (b.dims ?? []).map(int64ToNumber) as [number, number]; // [K, N]
        return {
          node: n.name!,
          a: a.data as Uint8Array, // [B, T, K]
          zeroPointA: (out[n.input![2]!]!.data as Uint8Array)[0]!,
          b: integers(b),
          zeroPointB: integers(inits.get(n.input![3]!)!),
          shape: { m: a.data.length / k, k, n: cols },
          output: out[n.output![0]!]!.data as Int32Array,
        };
      });
    })();
    captured.set(key, result);
  }
  return result;
}

/** Largest |x - y| of two integer results (exact in float64). */
function largestDifference(x: Float64Array, y: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < x.length; i++) largest = Math.max(largest, Math.abs(x[i]! - y[i]!));
  return largest;
}

function emulate(p: CapturedProduct, kernel: Int8KernelInfo) {
  return emulateMatMulInteger(p.a, p.b, p.shape, { a: p.zeroPointA, b: p.zeroPointB }, kernel.u8s8);
}

describe('int8 MatMulInteger arithmetic on the fixtures', () => {
  it('the injected CPUs: an AMD EPYC with AVX2 saturates u8s8, an Intel Xeon with VNNI does not', () => {
    expect(amdAvx2).toMatchObject({ cpuClass: 'x86-no-vnni', u8s8: 'int16-pair-saturating' });
    expect(intelVnni).toMatchObject({ cpuClass: 'x86-vnni', u8s8: 'exact' });
  });

  describe.each(families)('$family', ({ family, graph }) => {
    it('no VNNI (injected AMD EPYC): the full-range u8s8 fixture saturates; the reduce-range u8s8 and the u8u8 ones never do', async () => {
      const counts: Record<string, { saturated: number; changed: number; pairs: number }> = {};
      for (const { variant, suffix } of fixtures) {
        const products = await capture(family, graph, variant, suffix);
        expect(products.length).toBeGreaterThanOrEqual(18); // 6 weight MatMuls x 3 layers
        let saturated = 0;
        let changed = 0;
        let pairs = 0;
        for (const p of products) {
          if (p.b instanceof Int8Array) expect(Array.from(p.zeroPointB).every((z) => z === 0)).toBe(true); // symmetric int8 weights
          const exact = emulate(p, intelVnni);
          const noVnni = emulate(p, amdAvx2);
          expect(exact.saturated).toBe(0);
          saturated += noVnni.saturated;
          pairs += noVnni.pairSums;
          for (let i = 0; i < exact.values.length; i++) if (exact.values[i] !== noVnni.values[i]) changed++;
        }
        counts[variant] = { saturated, changed, pairs };
      }
      expect(counts['int8-full-range']!.saturated).toBeGreaterThan(100); // measured here: clip 1113 of 78592, dinov2 826 of 78336 pair sums
      expect(counts['int8-full-range']!.changed).toBeGreaterThan(100);
      expect(counts.int8).toMatchObject({ saturated: 0, changed: 0 });
      expect(counts.int8!.pairs).toBeGreaterThan(0); // the pairs were formed, none overflowed (|w| <= 64)
      expect(counts.uint8).toMatchObject({ saturated: 0, changed: 0, pairs: 0 }); // u8u8 never takes the int16 path
    });

    it("this CPU: onnxruntime's int32 products equal the arithmetic the feature module picks for it, exactly", async () => {
      for (const { variant, suffix } of fixtures) {
        for (const p of await capture(family, graph, variant, suffix)) {
          const expected = emulate(p, testCpuKernel).values;
          const alternative = emulate(p, testCpuKernel.u8s8 === 'exact' ? amdAvx2 : intelVnni).values;
          const got = Float64Array.from(p.output);
          // Exact equality is asserted only where it was observed (x86 with VNNI, this project's machines). On a
          // CPU without VNNI the saturating arithmetic is what the AMD figures match to 4 digits, but no run
          // here confirmed it bit for bit, so there (and where the flags are unreadable) either arithmetic passes.
          if (testCpuKernel.cpuClass !== 'x86-vnni') expect([largestDifference(got, expected), largestDifference(got, alternative)]).toContain(0);
          else expect(largestDifference(got, expected), `${family}-${variant} ${p.node} (${testCpuKernel.reason})`).toBe(0);
        }
      }
    });
  });
});

interface EmulationFile {
  fixtures: Record<string, Record<'exact' | 'int16-pair-saturating', { maxAbsDiff: Record<string, number>; saturatedPairSums: number }>>;
}

describe('end to end: tools/emulate_int8_kernels.py (PyTorch module, both arithmetics) against the tolerances and this CPU', () => {
  const emulation = JSON.parse(readFileSync(join(tapVariantsRoot, 'reference', 'int8-emulation.json'), 'utf8')) as EmulationFile;
  const variants = Object.fromEntries(TAP_VARIANTS.map((v) => [v.variant, v]));

  it.each(families.flatMap((f) => fixtures.map((x) => ({ ...f, ...x }))))('$family-$variant', async ({ family, graph, naming, variant, suffix }) => {
    const entry = emulation.fixtures[`${family}-${variant}`]!;
    const tolerance = { vnni: tapVariantTolerance(variants[variant]!, intelVnni), noVnni: tapVariantTolerance(variants[variant]!, amdAvx2) };
    for (const { label } of TAP_VARIANT_TAPS) {
      expect(entry.exact.maxAbsDiff[label]!).toBeLessThan(tolerance.vnni);
      expect(entry['int16-pair-saturating'].maxAbsDiff[label]!).toBeLessThan(tolerance.noVnni);
    }
    if (variant === 'int8-full-range') {
      expect(tolerance.noVnni).toBe(SATURATED_INT8_TOLERANCE);
      expect(entry['int16-pair-saturating'].saturatedPairSums).toBeGreaterThan(0);
      // the saturation shows: no-VNNI arithmetic leaves the 5e-2 tolerance the exact arithmetic keeps
      expect(Math.max(...Object.values(entry['int16-pair-saturating'].maxAbsDiff))).toBeGreaterThan(tolerance.vnni);
    } else {
      expect(tolerance.noVnni).toBe(tolerance.vnni); // safe on both branches: one tolerance
      expect(entry['int16-pair-saturating'].maxAbsDiff).toEqual(entry.exact.maxAbsDiff);
    }
    // onnxruntime on this CPU gives what the emulation of this CPU's arithmetic gives
    const arithmetic = testCpuKernel.u8s8;
    const pixels = await readNpyFloat32(join(tapVariantsRoot, 'reference', family, 'pixel_values.npy'));
    const hidden = await readNpyFloat32(join(tapVariantsRoot, 'reference', family, 'hidden_states.npy'));
    const model = join(tapVariantsRoot, `${family}-${variant}`, 'onnx', `${graph}${suffix}.onnx`);
    for (const { label, tap, index } of TAP_VARIANT_TAPS) {
      const resolved = await resolveTap(model, tap, { naming, numLayers: 3, cacheDir: work });
      const session = await getSession(resolved.modelPath);
      const out = await session.run({ pixel_values: tensorToOrt(pixels) }, [resolved.outputName]);
      const measured = maxAbsDiff(ortToTensor(out[resolved.outputName]!).data, hiddenState(hidden, index).data);
      // as above: only the VNNI prediction was confirmed on a machine; elsewhere either prediction passes
      const predicted = [entry[arithmetic].maxAbsDiff[label]!, ...(testCpuKernel.cpuClass !== 'x86-vnni' ? [entry.exact.maxAbsDiff[label]!] : [])];
      expect(Math.min(...predicted.map((p) => Math.abs(measured - p))), `${family}-${variant} ${label}: measured ${measured} (${testCpuKernel.reason})`).toBeLessThan(2e-3);
    }
  });
});
