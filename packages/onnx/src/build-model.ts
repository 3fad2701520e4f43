import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { encodeModel, TensorDataType, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto/onnx-proto';

/** Element types buildModel can declare for inputs, outputs and initializers. */
export type ElementType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8';

const elementTypeCodes: Record<ElementType, number> = {
  float32: TensorDataType.FLOAT,
  float16: TensorDataType.FLOAT16,
  int64: TensorDataType.INT64,
  int32: TensorDataType.INT32,
  bool: TensorDataType.BOOL,
  uint8: TensorDataType.UINT8,
};

/** A graph input or output: name, element type and shape (`string` = symbolic dimension, `null` = unknown). */
export interface ValueSpec {
  readonly name: string;
  readonly type?: ElementType;
  readonly shape?: readonly (number | string | null)[];
}

/** Attribute values: numbers become INT when integral and FLOAT otherwise unless typed with `{ float }`. */
export type AttributeValue = number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] } | { readonly ints: readonly number[] } | { readonly tensor: InitializerSpec };

/** One node of a model built with buildModel. */
export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A constant tensor stored in the model (weights). */
export interface InitializerSpec {
  readonly name: string;
  readonly dims: readonly number[];
  /** Values; float16 initializers take their IEEE half-precision bits as a Uint16Array. */
  readonly data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;
  readonly type?: ElementType;
}

/** A small ONNX model to build: inputs, outputs, nodes, initializers and opset. */
export interface ModelSpec {
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly InitializerSpec[];
  /** Default-domain opset version (default 17, the highest torch 1.13 exports). */
  readonly opset?: number;
  /** Extra opset imports, e.g. `{ 'com.microsoft': 1 }` for contrib operators. */
  readonly extraOpsets?: Readonly<Record<string, number>>;
  readonly graphName?: string;
}

function valueInfo(spec: ValueSpec): ValueInfoProto {
  const type = spec.type ?? 'float32';
  const code = elementTypeCodes[type];
  if (code === undefined) throw new InvalidArgumentError(`value '${spec.name}' has element type '${type}'; valid choices: ${listChoices(Object.keys(elementTypeCodes))}`);
  const tensorType: NonNullable<ValueInfoProto['type']>['tensor_type'] = { elem_type: code };
  if (spec.shape) {
    tensorType.shape = { dim: spec.shape.map((d) => (d === null ? {} : typeof d === 'string' ? { dim_param: d } : { dim_value: d })) };
  }
  return { name: spec.name, type: { tensor_type: tensorType } };
}

function tensorProto(spec: InitializerSpec): TensorProto {
  const inferred: ElementType =
    spec.data instanceof Float32Array ? 'float32' : spec.data instanceof BigInt64Array ? 'int64' : spec.data instanceof Int32Array ? 'int32' : spec.data instanceof Uint16Array ? 'float16' : 'uint8';
  const type = spec.type ?? inferred;
  let expected = 1;
  for (const d of spec.dims) expected *= d;
  if (spec.data.length !== expected) {
    throw new InvalidArgumentError(`initializer '${spec.name}' has ${spec.data.length} values but dims [${spec.dims.join(', ')}] need ${expected}`);
  }
  const bytes = new Uint8Array(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength);
  // raw_data is little-endian, which is what typed arrays are on every platform Node supports.
  return { name: spec.name, dims: [...spec.dims], data_type: elementTypeCodes[type], raw_data: new Uint8Array(bytes) };
}

function isNumberArray(value: AttributeValue): value is readonly number[] {
  return Array.isArray(value);
}

function attribute(name: string, value: AttributeValue): AttributeProto {
  // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: 2, i: value } : { name, type: 1, f: value };
  if (typeof value === 'string') return { name, type: 3, s: new TextEncoder().encode(value) };
  if (isNumberArray(value)) {
    const numbers = value;
    return numbers.every((v) => Number.isInteger(v)) ? { name, type: 7, ints: [...numbers] } : { name, type: 6, floats: [...numbers] };
  }
  if ('float' in value) return { name, type: 1, f: value.float };
  if ('floats' in value) return { name, type: 6, floats: [...value.floats] };
  if ('ints' in value) return { name, type: 7, ints: [...value.ints] };
  return { name, type: 4, t: tensorProto(value.tensor) };
}

/**
 * Builds a small ONNX model from TypeScript (adapter graphs, kernels, test fixtures) without Python.
 * Returns the encoded ModelProto bytes, ready for `InferenceSession.create(bytes)` or a file.
 *
 * @example
 * buildModel({ inputs: [{ name: 'a', shape: ['B', 4] }], outputs: [{ name: 'y' }],
 *   nodes: [{ opType: 'Relu', inputs: ['a'], outputs: ['y'] }] });
 */
export function buildModel(spec: ModelSpec): Uint8Array {
  const opset = spec.opset ?? 17;
  const nodes: NodeProto[] = spec.nodes.map((node, index) => ({
    name: node.name ?? `${node.opType}_${index}`,
    op_type: node.opType,
    domain: node.domain ?? '',
    input: [...node.inputs],
    output: [...node.outputs],
    attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attribute(name, value)),
  }));
  const model: ModelProto = {
    ir_version: 8,
    producer_name: 'mmvp',
    opset_import: [{ domain: '', version: opset }, ...Object.entries(spec.extraOpsets ?? {}).map(([domain, version]) => ({ domain, version }))],
    graph: {
      name: spec.graphName ?? 'mmvp_graph',
      node: nodes,
      initializer: (spec.initializers ?? []).map(tensorProto),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map((o) => valueInfo(o)),
    },
  };
  return encodeModel(model);
}
