import { describe, expect, it } from 'vitest';
import { buildModel, type InitializerSpec, type NodeSpec } from './build-model';
import { analyzeDataFlow, scopeInputs, topologicalOrder } from './graph-data-flow';
import { clipVisionNaming, findHiddenState } from './graph-tap';
import { decodeModel, TensorDataType } from './proto/onnx-proto';

const D = 4;
const ones = () => new Float32Array(D).fill(1);

/** How the LayerNorm weight of each layer reaches the LayerNormalization node. */
type WeightRoute = 'initializer' | 'shared-identity' | 'cast-fp16' | 'dequantize' | 'activation';

/**
 * A two-layer CLIP-vision-shaped graph: x0 = Relu(pixel_values); x_{k+1} = x_k + Relu(LN_k(x_k)); with the
 * exporter's module-scoped node names. `route` decides where layer_norm1's scale comes from.
 */
function encoderGraph(route: WeightRoute, layers = 2, lnInput: 'direct' | 'qdq' | 'cast' = 'direct') {
  const nodes: NodeSpec[] = [{ opType: 'Relu', name: '/vision_model/embeddings/Relu', inputs: ['pixel_values'], outputs: ['x0'] }];
  const initializers: InitializerSpec[] = [];
  const weight = (k: number): string => {
    switch (route) {
      case 'initializer':
        initializers.push({ name: `ln${k}.weight`, dims: [D], data: ones() });
        return `ln${k}.weight`;
      case 'shared-identity':
        // torch.onnx.export stores identical parameters once and hands them out through Identity nodes
        if (k === 0) initializers.push({ name: 'vision_model.encoder.layers.0.layer_norm1.weight', dims: [D], data: ones() });
        nodes.push({ opType: 'Identity', name: `Identity_${k}`, inputs: ['vision_model.encoder.layers.0.layer_norm1.weight'], outputs: [`onnx::LayerNormalization_${100 + k}`] });
        return `onnx::LayerNormalization_${100 + k}`;
      case 'cast-fp16':
        initializers.push({ name: `ln${k}.weight_fp16`, dims: [D], data: new Uint16Array(D).fill(0x3c00) }); // 1.0 in half precision
        nodes.push({ opType: 'Cast', name: `ln${k}.weight_cast`, inputs: [`ln${k}.weight_fp16`], outputs: [`ln${k}.weight_f32`], attributes: { to: 1 } });
        return `ln${k}.weight_f32`;
      case 'dequantize':
        initializers.push(
          { name: `ln${k}.weight_quantized`, dims: [D], data: new Uint8Array(D).fill(138) },
          { name: `ln${k}.weight_scale`, dims: [], data: new Float32Array([0.1]) },
          { name: `ln${k}.weight_zero_point`, dims: [], data: new Uint8Array([128]) },
        );
        nodes.push({ opType: 'DequantizeLinear', name: `ln${k}.weight_DequantizeLinear`, inputs: [`ln${k}.weight_quantized`, `ln${k}.weight_scale`, `ln${k}.weight_zero_point`], outputs: [`ln${k}.weight_dq`] });
        return `ln${k}.weight_dq`;
      case 'activation':
        // a "weight" computed from the image: a second real activation entering the scope
        initializers.push({ name: 'axes', dims: [1], data: new BigInt64Array([1n]) });
        nodes.push({ opType: 'ReduceMean', name: `/vision_model/gate${k}/ReduceMean`, inputs: ['pixel_values', 'axes'], outputs: [`gate${k}`], attributes: { keepdims: 0 } });
        return `gate${k}`;
    }
  };
  for (let k = 0; k < layers; k++) {
    const scope = `/vision_model/encoder/layers.${k}/`;
    initializers.push({ name: `ln${k}.bias`, dims: [D], data: new Float32Array(D) });
    const w = weight(k);
    const out = k === layers - 1 ? 'last_hidden_state' : `x${k + 1}`;
    let lnIn = `x${k}`;
    if (lnInput === 'qdq') {
      // a QDQ export quantizes the activation the LayerNorm reads (nodes named after the tensor, outside the scope)
      initializers.push({ name: `x${k}_scale`, dims: [], data: new Float32Array([0.05]) }, { name: `x${k}_zero_point`, dims: [], data: new Uint8Array([128]) });
      nodes.push(
        { opType: 'QuantizeLinear', name: `x${k}_QuantizeLinear`, inputs: [`x${k}`, `x${k}_scale`, `x${k}_zero_point`], outputs: [`x${k}_quantized`] },
        { opType: 'DequantizeLinear', name: `x${k}_DequantizeLinear`, inputs: [`x${k}_quantized`, `x${k}_scale`, `x${k}_zero_point`], outputs: [`x${k}_dequantized`] },
      );
      lnIn = `x${k}_dequantized`;
    } else if (lnInput === 'cast') {
      // a float16 export keeping a blocked op in float32 between Casts (here named outside the scope)
      nodes.push({ opType: 'Cast', name: `ln${k}_input_cast0`, inputs: [`x${k}`], outputs: [`x${k}_float32`], attributes: { to: 1 } });
      lnIn = `x${k}_float32`;
    }
    nodes.push(
      { opType: 'LayerNormalization', name: `${scope}layer_norm1/LayerNormalization`, inputs: [lnIn, w, `ln${k}.bias`], outputs: [`${scope}ln`], attributes: { axis: -1, epsilon: { float: 1e-5 } } },
      { opType: 'Relu', name: `${scope}mlp/Relu`, inputs: [`${scope}ln`], outputs: [`${scope}h`] },
      { opType: 'Add', name: `${scope}Add`, inputs: [`x${k}`, `${scope}h`], outputs: [out] },
    );
  }
  return decodeModel(
    buildModel({
      inputs: [{ name: 'pixel_values', shape: ['B', 3, D] }],
      outputs: [{ name: 'last_hidden_state', shape: ['B', 3, D] }],
      nodes,
      initializers,
    }),
  ).graph!;
}

describe('data flow: activations vs weights', () => {
  it('an Identity of a shared initializer is a weight, and layer inputs are found through it', () => {
    const graph = encoderGraph('shared-identity');
    const flow = analyzeDataFlow(graph);
    expect(flow.isActivation('onnx::LayerNormalization_101')).toBe(false);
    expect(flow.describe('onnx::LayerNormalization_101')).toBe("weight: Identity of initializer 'vision_model.encoder.layers.0.layer_norm1.weight'");
    expect(flow.isActivation('x1')).toBe(true);
    expect(flow.describe('x1')).toMatch(/^activation: depends on graph input 'pixel_values'/);
    const inputs = scopeInputs(graph, '/vision_model/encoder/layers.1/layer_norm1/', flow);
    expect(inputs.activations).toEqual(['x1']);
    expect(inputs.weights.map((w) => w.tensor)).toEqual(['onnx::LayerNormalization_101', 'ln1.bias']);
    expect(findHiddenState(graph, clipVisionNaming, 0, 2, 'm.onnx')).toBe('x0');
    expect(findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toBe('x1');
    expect(findHiddenState(graph, clipVisionNaming, 2, 2, 'm.onnx')).toBe('last_hidden_state');
  });

  it('a Cast of a float16 initializer is a float32 weight', () => {
    const graph = encoderGraph('cast-fp16');
    const flow = analyzeDataFlow(graph);
    expect(flow.describe('ln1.weight_f32')).toBe("weight: Cast of initializer 'ln1.weight_fp16'");
    expect(flow.elementType('ln1.weight_fp16')).toBe(TensorDataType.FLOAT16);
    expect(flow.elementType('ln1.weight_f32')).toBe(TensorDataType.FLOAT);
    expect(findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toBe('x1');
  });

  it('a DequantizeLinear of quantized initializers is a weight', () => {
    const graph = encoderGraph('dequantize');
    const flow = analyzeDataFlow(graph);
    expect(flow.describe('ln0.weight_dq')).toBe("weight: DequantizeLinear of initializer 'ln0.weight_quantized'");
    expect(flow.elementType('ln0.weight_dq')).toBe(TensorDataType.FLOAT);
    expect(findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toBe('x1');
  });

  it('plain initializers keep working, and element types propagate to activations', () => {
    const graph = encoderGraph('initializer');
    expect(findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toBe('x1');
    expect(analyzeDataFlow(graph).elementType('x1')).toBe(TensorDataType.FLOAT);
  });

  it('two real activations entering the LayerNorm are still an error that lists both, and the weights with why', () => {
    const graph = encoderGraph('activation');
    expect(() => findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toThrow(
      "m.onnx: cannot find hidden_states[1]: looked for the single activation input of the nodes named '/vision_model/encoder/layers.1/layer_norm1/...' (the LayerNorm at the start of encoder layer 1); " +
        "found 2 activations among the inputs of its 1 nodes: 'x1' (activation: depends on graph input 'pixel_values' (written by Add '/vision_model/encoder/layers.0/Add')), " +
        "'gate1' (activation: depends on graph input 'pixel_values' (written by ReduceMean '/vision_model/gate1/ReduceMean')), 'ln1.bias' (weight: initializer 'ln1.bias')",
    );
  });

  it('initializers also listed as graph inputs (IR < 4) are weights', () => {
    const graph = encoderGraph('initializer');
    graph.input!.push({ name: 'ln1.weight', type: { tensor_type: { elem_type: TensorDataType.FLOAT } } });
    expect(analyzeDataFlow(graph).isActivation('ln1.weight')).toBe(false);
    expect(findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toBe('x1');
  });

  it('propagates through nodes stored out of order', () => {
    const graph = encoderGraph('shared-identity');
    graph.node!.reverse();
    expect(topologicalOrder(graph)[0]!.name).toBe('Identity_1'); // no inputs from nodes: ready first, in file order
    const flow = analyzeDataFlow(graph);
    expect(flow.isActivation('last_hidden_state')).toBe(true);
    expect(flow.isActivation('onnx::LayerNormalization_100')).toBe(false);
  });

  it('taps the hidden state itself when the LayerNorm reads a QDQ or Cast encoding of it', () => {
    for (const lnInput of ['qdq', 'cast'] as const) {
      const graph = encoderGraph('shared-identity', 2, lnInput);
      const flow = analyzeDataFlow(graph);
      expect(scopeInputs(graph, '/vision_model/encoder/layers.1/layer_norm1/', flow).activations).toEqual([lnInput === 'qdq' ? 'x1_dequantized' : 'x1_float32']);
      expect(findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toBe('x1');
      expect(findHiddenState(graph, clipVisionNaming, 0, 2, 'm.onnx')).toBe('x0');
    }
  });

  it('a LayerNorm input that is not on the residual stream says what it feeds instead', () => {
    const graph = encoderGraph('initializer');
    // layer 1's residual Add reads x0 instead of x1: x1 only feeds the LayerNorm
    graph.node!.find((n) => n.name === '/vision_model/encoder/layers.1/Add')!.input![0] = 'x0';
    expect(() => findHiddenState(graph, clipVisionNaming, 1, 2, 'm.onnx')).toThrow(
      "m.onnx: the input of '/vision_model/encoder/layers.1/layer_norm1/' (x1) does not feed a residual Add in '/vision_model/encoder/layers.1/', so it is not hidden_states[1]; it feeds LayerNormalization '/vision_model/encoder/layers.1/layer_norm1/LayerNormalization'",
    );
  });
});
