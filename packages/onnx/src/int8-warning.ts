import type { Int8KernelInfo } from './cpu-features';
import type { QuantizationFormat } from './quantization-format';

/**
 * The measured cost of saturation, quoted in the warning: max |hidden state - PyTorch float32| of our
 * full-range u8s8 fixtures (models/tap-variants/{clip,dinov2}-int8-full-range, --layer -2) on an AMD EPYC
 * with AVX2 and no VNNI (issue #25; tools/emulate_int8_kernels.py reproduces both to 4 digits), and with
 * VNNI (Intel Xeon with avx512_vnni, the README's table).
 */
const fullRangeInt8Error = { clipNoVnni: 0.31, dinov2NoVnni: 0.056, clipVnni: 0.011, dinov2Vnni: 0.006 } as const;

/**
 * One warning line when `format` is a u8s8 graph whose int8 weights use the full range and `kernel` says
 * this CPU adds u8s8 products into saturating int16s (x86 without VNNI, or flags unknown); null otherwise.
 */
export function int8SaturationWarning(file: string, format: QuantizationFormat | null, kernel: Int8KernelInfo): string | null {
  if (!format?.mayOverflowInt16 || kernel.u8s8 === 'exact') return null;
  const e = fullRangeInt8Error;
  return (
    `${file} has full-range u8s8 int8 weights (int16 pair sums up to ${format.worstPairSum}) that this CPU saturates (${kernel.reason}): ` +
    `our full-range fixtures differ from float32 by ${e.clipNoVnni} (CLIP --layer -2) and ${e.dinov2NoVnni} (DINOv2) on an AMD EPYC without VNNI, ` +
    `${e.clipVnni} / ${e.dinov2Vnni} with VNNI; use a reduce-range (7-bit) or u8u8 int8 export (transformers.js' convert.py makes those for CLIP and DINOv2), fp32 or fp16, or a CPU with avx512_vnni or avx_vnni`
  );
}

const written = new Set<string>();

/**
 * Hands an encoder load's int8 warning to `onWarning`, or, without one, writes it once per process to
 * stderr as `mmvp: warning: ...` (a warning, never an exception: the file still runs).
 */
export function reportInt8Warning(warning: string | null, onWarning?: (line: string) => void): void {
  if (warning === null) return;
  if (onWarning) {
    onWarning(warning);
  } else if (!written.has(warning)) {
    written.add(warning);
    process.stderr.write(`mmvp: warning: ${warning}\n`);
  }
}
