import protobuf from 'protobufjs/light.js';
import { FileFormatError } from '@mmvp/core';
import { onnxDescriptor } from './onnx-descriptor';

/**
 * The ONNX protobuf schema (onnx.proto, IR version 8) as protobufjs message types. Field names keep the
 * .proto spelling (`elem_type`, `raw_data`, ...) so code reads like the ONNX specification.
 */
const root = protobuf.Root.fromJSON(onnxDescriptor as unknown as protobuf.INamespace);
const ModelProtoType = root.lookupType('onnx.ModelProto');
const GraphProtoType = root.lookupType('onnx.GraphProto');

/** ONNX TensorProto.DataType values used here. */
export const TensorDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** protobufjs returns int64 fields as `Long` objects (or plain numbers when they fit). */
export type Int64 = number | { toNumber(): number };

interface Dimension {
  dim_value?: Int64;
  dim_param?: string;
}
interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: { dim?: Dimension[] } };
}
/** ONNX ValueInfoProto (a graph input, output or intermediate value). */
export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
}
interface StringStringEntryProto {
  key?: string;
  value?: string;
}
/** ONNX TensorProto (initializers and constant tensors). */
export interface TensorProto {
  dims?: Int64[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  name?: string;
  raw_data?: Uint8Array;
  data_location?: number;
  external_data?: StringStringEntryProto[];
}
/** ONNX AttributeProto (a node attribute). */
export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
}
/** ONNX NodeProto. */
export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeProto[];
}
/** ONNX GraphProto (the fields this package reads and writes). */
export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}
interface OperatorSetIdProto {
  domain?: string;
  version?: Int64;
}
/** ONNX ModelProto (the fields this package reads and writes). */
export interface ModelProto {
  ir_version?: Int64;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  graph?: GraphProto;
  metadata_props?: StringStringEntryProto[];
}

/** A protobuf int64 (number or Long) as a number; 0 when absent. */
export function int64ToNumber(value: Int64 | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/**
 * Decodes ONNX ModelProto bytes. Throws FileFormatError when the bytes are not a protobuf or hold no
 * graph (e.g. a truncated download, a safetensors file renamed to .onnx).
 */
export function decodeModel(bytes: Uint8Array, sourceName = 'ONNX model'): ModelProto {
  let model: ModelProto;
  try {
    model = ModelProtoType.decode(bytes) as unknown as ModelProto;
  } catch (cause) {
    throw new FileFormatError(`${sourceName} is not a valid ONNX file (protobuf decoding failed: ${(cause as Error).message})`, { cause });
  }
  if (!model.graph || !model.opset_import || model.opset_import.length === 0) {
    throw new FileFormatError(`${sourceName} is not an ONNX model: it decodes but has no graph or no opset_import`);
  }
  return model;
}

/** Encodes a ModelProto to bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  const message = ModelProtoType.fromObject(model as Record<string, unknown>);
  return ModelProtoType.encode(message).finish();
}

/**
 * Bytes that, appended to an encoded ModelProto, add `outputs` to its graph. Protobuf merges a repeated
 * embedded message field (ModelProto.graph = field 7) and concatenates repeated fields
 * (GraphProto.output = field 12), so the source model is never re-encoded: a 1 GB export is tapped by
 * appending a few bytes. onnxruntime (C++ protobuf) merges as the spec says; protobufjs's own decoder
 * keeps only the last `graph` field, so do not re-read such a file with decodeModel.
 */
export function encodeGraphOutputsAppendix(outputs: readonly ValueInfoProto[]): Uint8Array {
  const graph = GraphProtoType.encode(GraphProtoType.fromObject({ output: outputs })).finish();
  const writer = protobuf.Writer.create();
  writer.uint32((7 << 3) | 2).bytes(graph);
  return writer.finish();
}
