import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildModel } from './build-model';
import { decodeModel, encodeGraphOutputsAppendix, encodeModel } from './proto/onnx-proto';

describe('buildModel', () => {
  it('builds a MatMul + Add graph that onnxruntime runs with hand-checked results', async () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: ['B', 2] }],
      outputs: [{ name: 'y', shape: ['B', 3] }],
      nodes: [
        { opType: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] },
        { opType: 'Add', inputs: ['xw', 'b'], outputs: ['y'] },
      ],
      initializers: [
        { name: 'w', dims: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
        { name: 'b', dims: [3], data: new Float32Array([0.5, -1, 0]) },
      ],
    });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 1, 2, 0]), [2, 2]) });
    // row 0: [1,1] @ w = [5, 7, 9] + b; row 1: [2,0] @ w = [2, 4, 6] + b
    expect(Array.from(out.y!.data as Float32Array)).toEqual([5.5, 6, 9, 2.5, 3, 6]);
    expect(out.y!.dims).toEqual([2, 3]);
  });

  it('writes typed attributes (float vs int, ints list)', async () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { opType: 'LeakyRelu', inputs: ['x'], outputs: ['l'], attributes: { alpha: { float: 2 } } },
        { opType: 'Transpose', inputs: ['l'], outputs: ['y'], attributes: { perm: [1, 0] } },
      ],
    });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([-1, 2, -3, 4]), [1, 4]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([-2, 2, -6, 4]);
    expect(out.y!.dims).toEqual([4, 1]);
  });

  it('round-trips through the protobuf codec and a file', async () => {
    const bytes = buildModel({ inputs: [{ name: 'a' }], outputs: [{ name: 'b' }], nodes: [{ opType: 'Relu', inputs: ['a'], outputs: ['b'], name: 'relu' }] });
    const model = decodeModel(bytes);
    expect(model.graph?.node?.[0]?.op_type).toBe('Relu');
    expect(model.graph?.node?.[0]?.name).toBe('relu');
    const again = encodeModel(model);
    const path = join(mkdtempSync(join(tmpdir(), 'mmvp-onnx-')), 'relu.onnx');
    writeFileSync(path, again);
    const session = await ort.InferenceSession.create(path);
    const out = await session.run({ a: new ort.Tensor('float32', new Float32Array([-1, 3]), [2]) });
    expect(Array.from(out.b!.data as Float32Array)).toEqual([0, 3]);
  });

  it('adds a graph output by appending bytes (protobuf merge), the fallback tap for graphs with control flow', async () => {
    const bytes = buildModel({
      inputs: [{ name: 'x' }],
      outputs: [{ name: 'y' }],
      nodes: [
        { opType: 'Relu', inputs: ['x'], outputs: ['hidden'] },
        { opType: 'Neg', inputs: ['hidden'], outputs: ['y'] },
      ],
    });
    const appendix = encodeGraphOutputsAppendix([{ name: 'hidden', type: { tensor_type: { elem_type: 1 } } }]);
    const combined = new Uint8Array(bytes.length + appendix.length);
    combined.set(bytes);
    combined.set(appendix, bytes.length);
    // onnxruntime (C++ protobuf) merges the second `graph` field into the first; protobufjs's decoder
    // would keep only the last one, so such files are for ORT, never re-read by decodeModel.
    const session = await ort.InferenceSession.create(combined);
    expect(session.outputNames).toEqual(['y', 'hidden']);
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([-1, 2]), [2]) });
    expect(Array.from(out.hidden!.data as Float32Array)).toEqual([0, 2]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual([-0, -2]);
  });

  it('rejects bytes that are not an ONNX model', () => {
    expect(() => decodeModel(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]), 'junk.onnx')).toThrow(/junk.onnx is not/);
    expect(() => decodeModel(new TextEncoder().encode('{"not": "onnx"}'), 'foreign.onnx')).toThrow(/foreign.onnx/);
  });
});
