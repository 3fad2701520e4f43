import { readFileSync } from 'node:fs';
import { arch as osArch, cpus } from 'node:os';

/** What this process knows about the CPU it runs on. */
export interface CpuFeatures {
  /** Node's `process.arch`: 'x64', 'arm64', ... */
  readonly arch: string;
  /** The CPU's model name ('AMD EPYC 7B13', 'Intel(R) Xeon(R) ...'), or null when unknown. */
  readonly model: string | null;
  /** Instruction-set flags as Linux names them (`avx2`, `avx512_vnni`, ...); null when they could not be read. */
  readonly flags: ReadonlySet<string> | null;
  /** Where the flags came from: '/proc/cpuinfo', 'os' (model only, no flags), or 'injected' (tests). */
  readonly source: string;
}

/** How onnxruntime's CPU kernels compute an 8-bit integer matrix product (MatMulInteger, ConvInteger, QLinearMatMul). */
export type Int8Arithmetic = 'exact' | 'int16-pair-saturating';

/** Which class of CPU this is for int8 work, and the arithmetic of its u8s8 (uint8 x int8) kernel. */
export interface Int8KernelInfo {
  /** 'x86-vnni': avx512_vnni, avx_vnni or amx_int8; 'x86-no-vnni': AVX2 / AVX-512 without VNNI; 'unknown': flags unreadable. */
  readonly cpuClass: 'x86-vnni' | 'x86-no-vnni' | 'arm64' | 'unknown';
  /**
   * uint8 activations x int8 weights: 'exact' (every product summed in int32) or 'int16-pair-saturating'
   * (vpmaddubsw adds two neighbouring uint8 x int8 products into an int16 and clamps it to
   * [-32768, 32767]; weights with |w| > 64 can overflow it). u8u8 is exact on every CPU.
   */
  readonly u8s8: Int8Arithmetic;
  /** The reason, in words, for a report line. */
  readonly reason: string;
}

/** x86 flags whose int8 dot-product instructions sum uint8 x int8 products in int32 (vpdpbusd, AMX tiles). */
const vnniFlags: readonly string[] = ['avx512_vnni', 'avx_vnni', 'amx_int8'];

/**
 * The model name and flags of the first processor in `/proc/cpuinfo` text (x86: `model name` and
 * `flags`; arm64: `Features`, with `CPU implementer`/`CPU part` when there is no model name).
 */
export function parseCpuinfo(text: string): { model: string | null; flags: Set<string> | null } {
  let model: string | null = null;
  let flags: Set<string> | null = null;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) {
      if (line.trim() === '' && (model !== null || flags !== null)) break; // end of the first processor
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if ((key === 'model name' || key === 'hardware') && model === null) model = value;
    if ((key === 'flags' || key === 'features') && flags === null) flags = new Set(value.split(/\s+/).filter(Boolean));
  }
  return { model, flags };
}

/**
 * The CPU this process runs on: flags from /proc/cpuinfo (Linux), else the model name from `os.cpus()`
 * with flags unknown. `cpuinfoPath` and `arch` are for tests.
 */
export function readCpuFeatures(options: { cpuinfoPath?: string; arch?: string } = {}): CpuFeatures {
  const arch = options.arch ?? osArch();
  try {
    const parsed = parseCpuinfo(readFileSync(options.cpuinfoPath ?? '/proc/cpuinfo', 'utf8'));
    if (parsed.flags !== null) return { arch, model: parsed.model ?? cpus()[0]?.model ?? null, flags: parsed.flags, source: '/proc/cpuinfo' };
  } catch {
    // not Linux, or /proc is not mounted: model name only
  }
  return { arch, model: cpus()[0]?.model ?? null, flags: null, source: 'os' };
}

let cached: CpuFeatures | undefined;

/** readCpuFeatures() of this process, read once. */
export function currentCpuFeatures(): CpuFeatures {
  cached ??= readCpuFeatures();
  return cached;
}

/**
 * Which int8 arithmetic onnxruntime's CPU kernels use on `cpu` (onnxruntime's quantization docs: on
 * x86-64 with AVX2 and AVX-512 it uses VPMADDUBSW for U8S8, which may saturate; there is no such issue
 * on x64 with VNNI or on ARM). Flags unknown on x86 count as 'may saturate' (the safe assumption).
 */
export function int8KernelInfo(cpu: CpuFeatures): Int8KernelInfo {
  if (cpu.arch === 'arm64') return { cpuClass: 'arm64', u8s8: 'exact', reason: 'arm64: int8 dot products accumulate in int32' };
  if (cpu.flags === null) {
    return { cpuClass: 'unknown', u8s8: 'int16-pair-saturating', reason: `CPU flags unknown (${cpu.arch}, read from ${cpu.source}): u8s8 may saturate` };
  }
  const vnni = vnniFlags.filter((flag) => cpu.flags!.has(flag));
  if (vnni.length > 0) return { cpuClass: 'x86-vnni', u8s8: 'exact', reason: `${vnni.join(', ')}: u8s8 sums products in int32 (vpdpbusd)` };
  const simd = cpu.flags.has('avx512bw') ? 'AVX-512' : cpu.flags.has('avx2') ? 'AVX2' : 'SSE';
  return { cpuClass: 'x86-no-vnni', u8s8: 'int16-pair-saturating', reason: `${simd} without VNNI: u8s8 adds product pairs into saturating int16 (vpmaddubsw)` };
}
