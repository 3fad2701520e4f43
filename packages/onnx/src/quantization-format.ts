import { readFile } from 'node:fs/promises';
import { decodeModel, int64ToNumber, TensorDataType, type GraphProto, type NodeProto, type TensorProto } from './proto/onnx-proto';

/** The integer types of an 8-bit matrix product: activations then weights ('u8s8' = uint8 x int8). */
export type Int8Format = 'u8s8' | 'u8u8' | 's8s8' | 's8u8';

/** How an ONNX graph stores and multiplies its 8-bit weights, read from the graph alone (nothing is run). */
export interface QuantizationFormat {
  /** The quantized operators found: 'MatMulInteger', 'ConvInteger', 'QLinearMatMul', 'QLinearConv', 'DequantizeLinear'. */
  readonly operators: readonly string[];
  /** Activation x weight integer types; 'mixed' when products differ, null when no activation type could be read. */
  readonly format: Int8Format | 'mixed' | null;
  readonly granularity: 'per-tensor' | 'per-channel' | 'mixed';
  /** Smallest and largest stored weight over all quantized weights (null when none could be read, e.g. external data). */
  readonly weightRange: readonly [number, number] | null;
  /**
   * The largest |a0 * w0 + a1 * w1| over neighbouring weights along K and uint8 activations 0..255, over the
   * int8 weights of u8s8 products: what x86 without VNNI adds into one int16 (vpmaddubsw). Null when no u8s8 weight was read.
   */
  readonly worstPairSum: number | null;
  /** True when a u8s8 pair sum can leave [-32768, 32767] (full-range int8 weights): onnxruntime may saturate on x86 without VNNI. */
  readonly mayOverflowInt16: boolean;
  /** How many weight tensors are quantized, and how many of them were read. */
  readonly quantizedWeights: number;
  readonly readWeights: number;
}

const INT16_MAX = 32767;
const INT16_MIN = -32768;

interface Product {
  op: string;
  weight: string;
  /** Weight layout: 'k-major' = [K, N] (MatMul B: pairs are rows k, k+1); 'row' = [N, K...] (Conv, Gemm transB: pairs contiguous). */
  layout: 'k-major' | 'row';
  activationZeroPoint: string | undefined;
  activationProducer: NodeProto | undefined;
  weightScale: string | undefined;
  weightZeroPoint: string | undefined;
}

function typeOfCode(code: number | undefined): 'int8' | 'uint8' | null {
  return code === TensorDataType.INT8 ? 'int8' : code === TensorDataType.UINT8 ? 'uint8' : null;
}

function elementCount(t: TensorProto): number {
  return (t.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
}

/** The integer values of an int8/uint8 tensor (raw_data or int32_data); null for external data. */
function integerValues(t: TensorProto): Int8Array | Uint8Array | Int32Array | null {
  if (t.data_location === 1) return null;
  const signed = t.data_type === TensorDataType.INT8;
  if (t.raw_data && t.raw_data.length > 0) {
    const bytes = t.raw_data;
    return signed ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  if (t.int32_data && t.int32_data.length > 0) return Int32Array.from(t.int32_data);
  return elementCount(t) === 0 ? new Int32Array(0) : null;
}

/** Worst positive and negative sums of two neighbouring products along K with activations in 0..255. */
function pairSums(values: ArrayLike<number>, dims: number[], layout: Product['layout']): { max: number; min: number } {
  let max = 0;
  let min = 0;
  const visit = (w0: number, w1: number) => {
    const high = 255 * (Math.max(w0, 0) + Math.max(w1, 0));
    const low = 255 * (Math.min(w0, 0) + Math.min(w1, 0));
    if (high > max) max = high;
    if (low < min) min = low;
  };
  if (layout === 'k-major' && dims.length === 2) {
    const [k, n] = dims as [number, number]; // [K, N]
    for (let row = 0; row < k; row += 2) for (let col = 0; col < n; col++) visit(values[row * n + col]!, row + 1 < k ? values[(row + 1) * n + col]! : 0);
  } else {
    const rows = dims[0] ?? 1;
    const length = rows > 0 ? values.length / rows : 0; // [N, K]: one row of K per output channel
    for (let r = 0; r < rows; r++) for (let i = 0; i < length; i += 2) visit(values[r * length + i]!, i + 1 < length ? values[r * length + i + 1]! : 0);
  }
  return { max, min };
}

/**
 * How a graph's 8-bit weights are stored and multiplied: u8s8 / u8u8 (/ s8s8), per tensor or per channel,
 * the stored weight range, and whether a u8s8 product's int16 pair sums can overflow (full-range int8
 * weights: |w| up to 127; reduce_range keeps |w| <= 64 so 255 * 64 * 2 = 32640 fits). Reads
 * MatMulInteger / ConvInteger (dynamic quantization), QLinearMatMul / QLinearConv (QOperator) and
 * DequantizeLinear of an integer weight feeding MatMul / Gemm / Conv (QDQ). Null for a graph without them.
 */
export function readQuantizationFormat(graph: GraphProto): QuantizationFormat | null {
  const nodes = graph.node ?? [];
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const producers = new Map<string, NodeProto>();
  for (const n of nodes) for (const out of n.output ?? []) if (out) producers.set(out, n);
  /** An initializer or Constant, followed back through Identity. */
  const constant = (name: string | undefined): TensorProto | undefined => {
    for (let hops = 0; name && hops < 16; hops++) {
      const t = initializers.get(name);
      if (t) return t;
      const p = producers.get(name);
      if (p?.op_type === 'Identity') name = p.input?.[0];
      else if (p?.op_type === 'Constant') return p.attribute?.find((a) => a.name === 'value')?.t;
      else return undefined;
    }
    return undefined;
  };
  const attribute = (n: NodeProto, name: string) => int64ToNumber(n.attribute?.find((a) => a.name === name)?.i);

  const products: Product[] = [];
  const operators = new Set<string>();
  for (const n of nodes) {
    const inputs = n.input ?? [];
    const op = n.op_type ?? '';
    if (op === 'MatMulInteger' || op === 'ConvInteger') {
      // A, B, a_zero_point, b_zero_point (the scales are applied after, by Mul)
      operators.add(op);
      products.push({
        op,
        weight: inputs[1]!,
        layout: op === 'MatMulInteger' ? 'k-major' : 'row',
        activationZeroPoint: inputs[2],
        activationProducer: producers.get(inputs[0]!),
        weightScale: undefined,
        weightZeroPoint: inputs[3],
      });
    } else if (op === 'QLinearMatMul' || op === 'QLinearConv') {
      // MatMul: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp; Conv: x, x_scale, x_zp, w, w_scale, w_zp, ...
      operators.add(op);
      products.push({ op, weight: inputs[3]!, layout: op === 'QLinearMatMul' ? 'k-major' : 'row', activationZeroPoint: inputs[2], activationProducer: undefined, weightScale: inputs[4], weightZeroPoint: inputs[5] });
    } else if (op === 'DequantizeLinear' && constant(inputs[0]) && typeOfCode(constant(inputs[0])!.data_type) !== null) {
      // QDQ: an integer weight dequantized into a MatMul / Gemm / Conv; the activation side is QuantizeLinear -> DequantizeLinear
      for (const consumer of nodes.filter((c) => (c.input ?? []).includes(n.output?.[0] ?? '\0'))) {
        const kind = consumer.op_type ?? '';
        if (!['MatMul', 'Gemm', 'Conv'].includes(kind)) continue;
        const weightIndex = (consumer.input ?? []).indexOf(n.output![0]!);
        if (weightIndex !== 1) continue;
        operators.add('DequantizeLinear');
        const activation = producers.get(consumer.input![0]!);
        const quantize = activation?.op_type === 'DequantizeLinear' ? producers.get(activation.input?.[0] ?? '') : undefined;
        const layout = kind === 'MatMul' || (kind === 'Gemm' && attribute(consumer, 'transB') === 0) ? 'k-major' : 'row';
        products.push({
          op: 'DequantizeLinear',
          weight: inputs[0]!,
          layout,
          activationZeroPoint: activation?.op_type === 'DequantizeLinear' ? activation.input?.[2] : undefined,
          activationProducer: quantize,
          weightScale: inputs[1],
          weightZeroPoint: inputs[2],
        });
      }
    }
  }
  if (products.length === 0) return null;

  const formats = new Set<string>();
  const granularities = new Set<string>();
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  let worst: number | null = null;
  let overflow = false;
  let read = 0;
  for (const p of products) {
    const weight = constant(p.weight);
    const weightType = typeOfCode(weight?.data_type);
    let activationType: 'int8' | 'uint8' | null = null;
    if (p.activationProducer?.op_type === 'DynamicQuantizeLinear')
      activationType = 'uint8'; // always uint8
    else if (p.activationZeroPoint) activationType = typeOfCode(constant(p.activationZeroPoint)?.data_type);
    else if (p.activationProducer?.op_type === 'QuantizeLinear') activationType = typeOfCode(constant(p.activationProducer.input?.[2])?.data_type) ?? 'uint8';
    else if (p.op === 'MatMulInteger' || p.op === 'ConvInteger') activationType = 'uint8'; // no zero point given: ORT's quantizer always makes uint8 activations
    if (weightType && activationType) formats.add(`${activationType === 'uint8' ? 'u8' : 's8'}${weightType === 'uint8' ? 'u8' : 's8'}`);
    const parameter = constant(p.weightZeroPoint) ?? constant(p.weightScale);
    granularities.add(parameter && elementCount(parameter) > 1 ? 'per-channel' : 'per-tensor');
    if (!weight || !weightType) continue;
    const values = integerValues(weight);
    if (!values) continue;
    read++;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    if (weightType === 'int8' && activationType === 'uint8') {
      // u8s8 only: what onnxruntime documents as saturating (s8s8 kernels are not judged here)
      const sums = pairSums(values, (weight.dims ?? []).map(int64ToNumber), p.layout);
      const magnitude = Math.max(sums.max, -sums.min);
      worst = Math.max(worst ?? 0, magnitude);
      if (sums.max > INT16_MAX || sums.min < INT16_MIN) overflow = true;
    }
  }
  return {
    operators: [...operators],
    format: formats.size === 0 ? null : formats.size === 1 ? ([...formats][0] as Int8Format) : 'mixed',
    granularity: granularities.size === 1 ? ([...granularities][0] as 'per-tensor' | 'per-channel') : 'mixed',
    weightRange: read > 0 ? [low, high] : null,
    worstPairSum: worst,
    mayOverflowInt16: overflow,
    quantizedWeights: products.length,
    readWeights: read,
  };
}

const formatWords: Record<Int8Format, string> = {
  u8s8: 'u8s8 (uint8 activations x int8 weights)',
  u8u8: 'u8u8 (uint8 activations x uint8 weights)',
  s8s8: 's8s8 (int8 activations x int8 weights)',
  s8u8: 's8u8 (int8 activations x uint8 weights)',
};

/**
 * One line: "u8s8 (uint8 activations x int8 weights), per-channel, weights in [-64, 64]: 7-bit, int16
 * pair sums fit on every CPU (worst 32640)".
 */
export function describeQuantizationFormat(format: QuantizationFormat): string {
  const what = format.format === null ? 'activation type unknown' : format.format === 'mixed' ? 'mixed 8-bit formats' : formatWords[format.format];
  const range = format.weightRange ? `weights in [${format.weightRange[0]}, ${format.weightRange[1]}]` : 'weight values not read (external data)';
  let note = '';
  if (format.worstPairSum !== null) {
    note = format.mayOverflowInt16 ? `: full range, int16 pair sums reach ${format.worstPairSum} > 32767 and saturate on x86 without VNNI` : `: int16 pair sums fit on every CPU (worst ${format.worstPairSum} <= 32767)`;
  } else if (format.format === 'u8u8') {
    note = ': exact on every CPU';
  }
  const ops = format.operators.join(' + ');
  return `${what}, ${format.granularity}, ${range}${note}; ${format.quantizedWeights} quantized weights (${ops})`;
}

/** Files whose name says they hold 8-bit weights (`_int8`, `_uint8`, `_quantized`): the ones loads read the format of. */
export function isEightBitFileName(path: string): boolean {
  return /_(int8|uint8|quantized)\.onnx$/.test(path);
}

/** readQuantizationFormat of an ONNX file (decoded, never run). */
export async function readQuantizationFormatFile(path: string): Promise<QuantizationFormat | null> {
  return readQuantizationFormat(decodeModel(await readFile(path), path).graph ?? {});
}
