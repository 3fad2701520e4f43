import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, TensorDataType, type GraphProto, type TensorProto } from './proto/onnx-proto';
import { describeQuantizationFormat, isEightBitFileName, readQuantizationFormat, readQuantizationFormatFile } from './quantization-format';
import { tapVariantsRoot } from './__fixtures__/tap-variants';

const fixture = (folder: string, file: string) => join(tapVariantsRoot, folder, 'onnx', file);

describe('readQuantizationFormat on the tap-variant fixtures (tools/make_tap_variants.py)', () => {
  it('*-int8: u8s8, per-channel, 7-bit weights [-64, 64] whose int16 pair sums fit (255 * 64 * 2 = 32640)', async () => {
    for (const path of [fixture('clip-int8', 'vision_model_int8.onnx'), fixture('dinov2-int8', 'model_int8.onnx')]) {
      const format = await readQuantizationFormatFile(path);
      expect(format, path).toMatchObject({ operators: ['MatMulInteger'], format: 'u8s8', granularity: 'per-channel', weightRange: [-64, 64], worstPairSum: 32640, mayOverflowInt16: false });
      expect(format!.readWeights).toBe(format!.quantizedWeights);
      expect(describeQuantizationFormat(format!)).toMatch(/^u8s8 \(uint8 activations x int8 weights\), per-channel, weights in \[-64, 64\]: int16 pair sums fit on every CPU \(worst 32640 <= 32767\)/);
    }
  });

  it('*-int8-full-range: u8s8, per-tensor, weights [-127, 127] whose pair sums overflow int16', async () => {
    const clip = await readQuantizationFormatFile(fixture('clip-int8-full-range', 'vision_model_int8.onnx'));
    expect(clip).toMatchObject({ format: 'u8s8', granularity: 'per-tensor', weightRange: [-127, 127], mayOverflowInt16: true, quantizedWeights: 19 }); // 18 + visual_projection
    expect(clip!.worstPairSum).toBeGreaterThan(32767);
    expect(clip!.worstPairSum).toBeLessThanOrEqual(255 * 127 * 2);
    const dino = await readQuantizationFormatFile(fixture('dinov2-int8-full-range', 'model_int8.onnx'));
    expect(dino).toMatchObject({ format: 'u8s8', granularity: 'per-tensor', weightRange: [-127, 127], mayOverflowInt16: true, quantizedWeights: 18 });
    expect(describeQuantizationFormat(dino!)).toContain('full range, int16 pair sums reach');
  });

  it('*-uint8: u8u8, per-tensor, weights [0, 255], no int16 pair sums', async () => {
    const format = await readQuantizationFormatFile(fixture('clip-uint8', 'vision_model_uint8.onnx'));
    expect(format).toMatchObject({ format: 'u8u8', granularity: 'per-tensor', weightRange: [0, 255], worstPairSum: null, mayOverflowInt16: false });
    expect(describeQuantizationFormat(format!)).toContain(': exact on every CPU');
  });

  it('float and 4-bit files have no 8-bit format', async () => {
    expect(await readQuantizationFormatFile(fixture('clip-shared-identity', 'vision_model.onnx'))).toBeNull();
    expect(await readQuantizationFormatFile(fixture('clip-fp16', 'vision_model_fp16.onnx'))).toBeNull();
    expect(await readQuantizationFormatFile(fixture('dinov2-q4', 'model_q4.onnx'))).toBeNull();
  });

  it('weights reached through Identity are read the same', () => {
    const model = decodeModel(readFileSync(fixture('clip-int8-full-range', 'vision_model_int8.onnx')));
    const graph = model.graph!;
    const direct = readQuantizationFormat(graph);
    const first = graph.node!.find((n) => n.op_type === 'MatMulInteger')!;
    const weight = first.input![1]!;
    graph.node!.unshift({ op_type: 'Identity', input: [weight], output: [`${weight}_shared`] });
    first.input![1] = `${weight}_shared`;
    expect(readQuantizationFormat(graph)).toEqual(direct);
  });
});

// Hand-made graphs for the other two ways a quantized model comes: QOperator (QLinearMatMul) and QDQ.
const int8 = (name: string, dims: number[], values: number[]): TensorProto => ({ name, dims, data_type: TensorDataType.INT8, raw_data: new Uint8Array(Int8Array.from(values).buffer) });
const uint8 = (name: string, dims: number[], values: number[]): TensorProto => ({ name, dims, data_type: TensorDataType.UINT8, raw_data: Uint8Array.from(values) });
const float = (name: string, dims: number[], values: number[]): TensorProto => ({ name, dims, data_type: TensorDataType.FLOAT, float_data: values });

describe('readQuantizationFormat on QLinearMatMul and QDQ graphs', () => {
  // B [K = 4, N = 2]: column 0 holds 100, 100 in rows 0 and 1 (a pair: 255 * 200 = 51000 > 32767)
  const fullRange = [100, -3, 100, 5, -20, 7, 1, 2];
  const sevenBit = [64, -3, 64, 5, -64, 7, 1, 2];

  it('QLinearMatMul (QOperator): activation type from a_zero_point, per-tensor / per-channel from b_scale', () => {
    const graph = (weights: number[], scale: number[]): GraphProto => ({
      node: [{ op_type: 'QLinearMatMul', input: ['a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp', 'y_scale', 'y_zp'], output: ['y'] }],
      initializer: [
        float('a_scale', [], [0.1]),
        uint8('a_zp', [], [128]),
        int8('b', [4, 2], weights),
        float('b_scale', [scale.length], scale),
        int8(
          'b_zp',
          [scale.length],
          scale.map(() => 0),
        ),
        float('y_scale', [], [0.2]),
        uint8('y_zp', [], [128]),
      ],
    });
    expect(readQuantizationFormat(graph(fullRange, [0.1]))).toMatchObject({
      operators: ['QLinearMatMul'],
      format: 'u8s8',
      granularity: 'per-tensor',
      weightRange: [-20, 100],
      worstPairSum: 51000,
      mayOverflowInt16: true,
    });
    expect(readQuantizationFormat(graph(sevenBit, [0.1, 0.2]))).toMatchObject({ format: 'u8s8', granularity: 'per-channel', worstPairSum: 32640, mayOverflowInt16: false });
  });

  it('QDQ: DequantizeLinear of an int8 weight into MatMul, activations through QuantizeLinear -> DequantizeLinear (uint8 or int8)', () => {
    const graph = (activationZeroPoint: TensorProto): GraphProto => ({
      node: [
        { op_type: 'QuantizeLinear', input: ['x', 'x_scale', 'x_zp'], output: ['x_q'] },
        { op_type: 'DequantizeLinear', input: ['x_q', 'x_scale', 'x_zp'], output: ['x_dq'] },
        { op_type: 'DequantizeLinear', input: ['w', 'w_scale', 'w_zp'], output: ['w_dq'] },
        { op_type: 'MatMul', input: ['x_dq', 'w_dq'], output: ['y'] },
      ],
      initializer: [float('x_scale', [], [0.1]), activationZeroPoint, int8('w', [4, 2], fullRange), float('w_scale', [], [0.01]), int8('w_zp', [], [0])],
    });
    expect(readQuantizationFormat(graph(uint8('x_zp', [], [128])))).toMatchObject({ operators: ['DequantizeLinear'], format: 'u8s8', granularity: 'per-tensor', mayOverflowInt16: true });
    expect(readQuantizationFormat(graph(int8('x_zp', [], [0])))).toMatchObject({ format: 's8s8', worstPairSum: null, mayOverflowInt16: false }); // only u8s8 is judged
  });
});

it('isEightBitFileName: the dtype suffixes of 8-bit files', () => {
  expect(['model_int8.onnx', 'vision_model_uint8.onnx', 'model_quantized.onnx'].map(isEightBitFileName)).toEqual([true, true, true]);
  expect(['model.onnx', 'model_fp16.onnx', 'model_q4.onnx', 'model_int8.onnx_data'].map(isEightBitFileName)).toEqual([false, false, false, false]);
});
