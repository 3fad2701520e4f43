import { TensorDataType, int64ToNumber, type GraphProto, type NodeProto } from './proto/onnx-proto';

/**
 * Data flow of an ONNX graph, for telling activations from weights.
 *
 * An **activation** is a tensor that depends on a graph input (one that is not also an initializer):
 * it is found by forward propagation from those inputs over the nodes in topological order. Everything
 * else is a **weight**: initializers, Constant nodes, and whatever is computed from them alone (the
 * `Identity` through which torch.onnx.export hands one deduplicated LayerNorm weight to several layers,
 * the `Cast` of a float16 weight, `DequantizeLinear` of an int8/int4 weight, Shape arithmetic on
 * constants...). Names are only a clue; this is what confirms them.
 */
export interface DataFlow {
  /** True when `tensor` depends on a graph input. */
  isActivation(tensor: string): boolean;
  /** The node that writes `tensor` (undefined for graph inputs, initializers and unknown names). */
  producer(tensor: string): NodeProto | undefined;
  /** Nodes that read `tensor` (explicitly; not implicit subgraph reads). */
  consumers(tensor: string): NodeProto[];
  /** ONNX element type of `tensor` (TensorProto.DataType) when declared or inferable, else undefined. */
  elementType(tensor: string): number | undefined;
  /**
   * Why `tensor` is what it is, in a few words: "activation: depends on graph input 'pixel_values'",
   * "weight: Identity of initializer 'vision_model.encoder.layers.0.layer_norm1.weight'", ...
   */
  describe(tensor: string): string;
}

/** Nodes in topological order (Kahn's algorithm, stable: keeps file order where it is already valid). */
export function topologicalOrder(graph: GraphProto): NodeProto[] {
  const nodes = graph.node ?? [];
  const producerIndex = new Map<string, number>();
  nodes.forEach((node, i) => (node.output ?? []).forEach((name) => name && producerIndex.set(name, i)));
  const pending = nodes.map((node) => new Set((node.input ?? []).filter((name) => name && producerIndex.has(name)).map((name) => producerIndex.get(name)!)));
  const dependents = nodes.map(() => [] as number[]);
  pending.forEach((deps, i) => deps.forEach((d) => d !== i && dependents[d]!.push(i)));
  pending.forEach((deps, i) => deps.delete(i));
  const order: NodeProto[] = [];
  const done = new Array<boolean>(nodes.length).fill(false);
  // Ready nodes are released in file order, so an already sorted graph keeps its order.
  const queue: number[] = nodes.map((_, i) => i).filter((i) => pending[i]!.size === 0);
  const inQueue = new Set(queue);
  while (queue.length > 0) {
    const i = queue.shift()!;
    if (done[i]) continue;
    done[i] = true;
    order.push(nodes[i]!);
    for (const j of dependents[i]!) {
      pending[j]!.delete(i);
      if (pending[j]!.size === 0 && !inQueue.has(j)) {
        inQueue.add(j);
        // insert keeping ascending file order among ready nodes
        let at = queue.length;
        while (at > 0 && queue[at - 1]! > j) at--;
        queue.splice(at, 0, j);
      }
    }
  }
  // A cycle (invalid ONNX) leaves nodes out: append them in file order so callers still see them.
  nodes.forEach((node, i) => !done[i] && order.push(node));
  return order;
}

/** Outer-scope names a node's subgraphs (If/Loop/Scan bodies) read implicitly. */
function implicitInputs(node: NodeProto): string[] {
  const names: string[] = [];
  const visit = (graph: GraphProto) => {
    const local = new Set<string>([...(graph.input ?? []).map((v) => v.name ?? ''), ...(graph.initializer ?? []).map((t) => t.name ?? '')]);
    for (const inner of graph.node ?? []) {
      for (const name of inner.input ?? []) if (name && !local.has(name)) names.push(name);
      for (const name of inner.output ?? []) local.add(name);
      for (const a of inner.attribute ?? []) if (a.g) visit(a.g);
    }
  };
  for (const a of node.attribute ?? []) if (a.g) visit(a.g);
  return names;
}

const intAttr = (node: NodeProto, name: string): number | undefined => {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a?.i === undefined || a.i === null ? undefined : int64ToNumber(a.i);
};

/** Output element types of `node` given its input types (enough of ONNX's type rules for ViT exports). */
function inferOutputTypes(node: NodeProto, inputType: (name: string) => number | undefined): (number | undefined)[] {
  const op = node.op_type ?? '';
  const inputs = node.input ?? [];
  const outputs = node.output ?? [];
  const first = inputs.map((n) => (n ? inputType(n) : undefined)).find((t) => t !== undefined);
  const all = (t: number | undefined) => outputs.map(() => t);
  switch (op) {
    case 'Cast':
      return all(intAttr(node, 'to'));
    case 'CastLike':
      return all(inputType(inputs[1] ?? ''));
    case 'Constant': {
      const a = (node.attribute ?? [])[0];
      if (!a) return all(undefined);
      if (a.t) return all(a.t.data_type);
      if (a.name === 'value_float' || a.name === 'value_floats') return all(TensorDataType.FLOAT);
      if (a.name === 'value_int' || a.name === 'value_ints') return all(TensorDataType.INT64);
      return all(undefined);
    }
    case 'ConstantOfShape': {
      const a = (node.attribute ?? []).find((x) => x.name === 'value');
      return all(a?.t?.data_type ?? TensorDataType.FLOAT);
    }
    case 'Shape':
    case 'Size':
    case 'NonZero':
    case 'ArgMax':
    case 'ArgMin':
      return all(TensorDataType.INT64);
    case 'Equal':
    case 'Less':
    case 'LessOrEqual':
    case 'Greater':
    case 'GreaterOrEqual':
    case 'Not':
    case 'And':
    case 'Or':
    case 'Xor':
    case 'IsNaN':
    case 'IsInf':
      return all(TensorDataType.BOOL);
    case 'DynamicQuantizeLinear':
      return [TensorDataType.UINT8, TensorDataType.FLOAT, TensorDataType.UINT8];
    case 'QuantizeLinear':
      return all(inputType(inputs[2] ?? '') ?? TensorDataType.UINT8);
    case 'DequantizeLinear':
      return all(inputType(inputs[1] ?? ''));
    case 'MatMulInteger':
    case 'ConvInteger':
      return all(TensorDataType.INT32);
    case 'MatMulNBits':
      return all(inputType(inputs[2] ?? '') ?? first); // scales carry the float type
    case 'Where':
      return all(inputType(inputs[1] ?? '') ?? inputType(inputs[2] ?? ''));
    case 'LayerNormalization':
      return [first, TensorDataType.FLOAT, TensorDataType.FLOAT].slice(0, outputs.length);
    default:
      return all(first);
  }
}

/** Analyzes `graph` once; queries are then map lookups. */
export function analyzeDataFlow(graph: GraphProto): DataFlow {
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t] as const));
  const producers = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node ?? []) {
    for (const name of node.output ?? []) if (name) producers.set(name, node);
    for (const name of node.input ?? []) {
      if (!name) continue;
      const list = consumers.get(name);
      if (list) list.push(node);
      else consumers.set(name, [node]);
    }
  }
  // For each activation: the graph input it depends on (the first reached), for messages.
  const root = new Map<string, string>();
  const types = new Map<string, number>();
  for (const t of graph.initializer ?? []) if (t.name && t.data_type) types.set(t.name, t.data_type);
  for (const v of [...(graph.input ?? []), ...(graph.value_info ?? []), ...(graph.output ?? [])]) {
    const elem = v.type?.tensor_type?.elem_type;
    if (v.name && elem) types.set(v.name, elem);
  }
  for (const input of graph.input ?? []) {
    // IR < 4 lists initializers among the inputs too: those are (overridable) weights, not activations.
    if (input.name && !initializers.has(input.name)) root.set(input.name, input.name);
  }
  for (const node of topologicalOrder(graph)) {
    const reads = [...(node.input ?? []), ...implicitInputs(node)];
    const from = reads.find((name) => name && root.has(name));
    if (from !== undefined) for (const name of node.output ?? []) if (name) root.set(name, root.get(from)!);
    const inferred = inferOutputTypes(node, (name) => types.get(name));
    (node.output ?? []).forEach((name, i) => {
      const t = inferred[i];
      if (name && t !== undefined && !types.has(name)) types.set(name, t);
    });
  }

  const describeWeight = (tensor: string, depth: number): string => {
    if (initializers.has(tensor)) return `initializer '${tensor}'`;
    const node = producers.get(tensor);
    if (!node) return `'${tensor}' (not written by any node, not an initializer or graph input)`;
    const op = node.op_type ?? '?';
    if (op === 'Constant') return `Constant node '${node.name ?? tensor}'`;
    const source = (node.input ?? []).find((n) => n);
    if (!source) return `${op} node '${node.name ?? tensor}' without inputs`;
    if (depth >= 3) return `${op} of ...`;
    return `${op} of ${describeWeight(source, depth + 1)}`;
  };

  return {
    isActivation: (tensor) => root.has(tensor),
    producer: (tensor) => producers.get(tensor),
    consumers: (tensor) => consumers.get(tensor) ?? [],
    elementType: (tensor) => types.get(tensor),
    describe(tensor) {
      const from = root.get(tensor);
      if (from !== undefined) {
        const node = producers.get(tensor);
        return `activation: depends on graph input '${from}'${node ? ` (written by ${node.op_type} '${node.name ?? ''}')` : ''}`;
      }
      return `weight: ${describeWeight(tensor, 0)}`;
    },
  };
}

/** The tensors a group of nodes reads from outside itself, split into activations and weights. */
export interface ScopeInputs {
  /** Nodes whose name starts with the scope, in file order. */
  readonly nodes: readonly NodeProto[];
  /** Inputs from outside the scope that depend on a graph input. */
  readonly activations: readonly string[];
  /** Inputs from outside the scope computed from initializers/constants alone, with why. */
  readonly weights: readonly { readonly tensor: string; readonly why: string }[];
}

/** What the nodes named `scope...` read from outside themselves, classified by data flow. */
export function scopeInputs(graph: GraphProto, scope: string, flow: DataFlow): ScopeInputs {
  const nodes = (graph.node ?? []).filter((n) => (n.name ?? '').startsWith(scope));
  const producedInside = new Set(nodes.flatMap((n) => n.output ?? []));
  const seen = new Set<string>();
  const activations: string[] = [];
  const weights: { tensor: string; why: string }[] = [];
  for (const node of nodes) {
    for (const input of node.input ?? []) {
      if (!input || producedInside.has(input) || seen.has(input)) continue;
      seen.add(input);
      if (flow.isActivation(input)) activations.push(input);
      else weights.push({ tensor: input, why: flow.describe(input) });
    }
  }
  return { nodes, activations, weights };
}

/** "'a' (activation: ...), 'b' (weight: ...)" for error messages, at most `limit` entries. */
export function describeScopeInputs(inputs: ScopeInputs, flow: DataFlow, limit = 8): string {
  const entries = [...inputs.activations.map((t) => `'${t}' (${flow.describe(t)})`), ...inputs.weights.map((w) => `'${w.tensor}' (${w.why})`)];
  if (entries.length === 0) return 'no inputs from outside the scope';
  const shown = entries.slice(0, limit).join(', ');
  return entries.length > limit ? `${shown}, and ${entries.length - limit} more` : shown;
}

/** Ops that pass an activation on unchanged but for its encoding: dtype casts and (de)quantization. */
const transparentOps = new Set(['Identity', 'Cast', 'QuantizeLinear', 'DequantizeLinear']);

/**
 * The activation `tensor` is an encoding of: walks back through Identity, Cast and QuantizeLinear ->
 * DequantizeLinear (a float16 export's inserted casts, a QDQ export's activation quantization) to the
 * tensor they wrap. Returns `tensor` itself when it is not wrapped.
 */
export function unwrapActivation(flow: DataFlow, tensor: string): string {
  let current = tensor;
  for (let guard = 0; guard < 8; guard++) {
    const node = flow.producer(current);
    const source = node?.input?.[0];
    if (!node || !transparentOps.has(node.op_type ?? '') || !source || !flow.isActivation(source)) break;
    current = source;
  }
  return current;
}

/** `tensor` and every encoding of it (forward through Identity, Cast, QuantizeLinear, DequantizeLinear). */
export function wrappedForms(flow: DataFlow, tensor: string): string[] {
  const forms = [tensor];
  for (let i = 0; i < forms.length && forms.length < 64; i++) {
    for (const node of flow.consumers(forms[i]!)) {
      if (transparentOps.has(node.op_type ?? '') && node.input?.[0] === forms[i]) for (const out of node.output ?? []) if (out && !forms.includes(out)) forms.push(out);
    }
  }
  return forms;
}
