import { FileFormatError, InvalidArgumentError, ShapeMismatchError, assertFinite, formatShape, listChoices, readSafetensors, type Tensor } from '@mmvp/core';
import { adapterTypes, type AdapterType, type AdapterWeights } from './adapter';

/** Prefixes tried when none is given: bare names first, then LLaVA checkpoint names. */
const knownAdapterPrefixes = ['', 'model.mm_projector', 'mm_projector', 'model.dino_mm_projector', 'dino_mm_projector'] as const;

/** Tensor suffixes per adapter type; `linear` also accepts a bare nn.Linear (`weight`, `bias`). */
const layouts: Record<AdapterType, readonly (readonly string[])[]> = {
  linear: [
    ['0.weight', '0.bias'],
    ['weight', 'bias'],
  ],
  mlp2x_gelu: [['0.weight', '0.bias', '2.weight', '2.bias']],
};

function join(prefix: string, suffix: string): string {
  return prefix === '' ? suffix : `${prefix}.${suffix}`;
}

/** Widths the loaded weights must have; a mismatch is a clear error instead of a wrong product later. */
export interface AdapterShapeExpectations {
  /** Encoder feature width (e.g. 1024 for ViT-L/14). */
  readonly inputSize?: number;
  /** LLM hidden size H (e.g. 4096 for 7B, 5120 for 13B). */
  readonly hiddenSize?: number;
}

/**
 * Picks an adapter's tensors out of a safetensors map by prefix (LLaVA names such as
 * `model.mm_projector.0.weight`, or bare `0.weight`) and checks their shapes.
 */
function selectAdapterWeights(tensors: ReadonlyMap<string, Tensor>, type: AdapterType, options: { prefix?: string; source: string } & AdapterShapeExpectations): AdapterWeights {
  if (!(adapterTypes as readonly string[]).includes(type)) {
    throw new InvalidArgumentError(`unknown adapter type '${String(type)}'; valid choices: ${listChoices(adapterTypes)}`);
  }
  const prefixes = options.prefix === undefined || options.prefix === 'auto' ? knownAdapterPrefixes : [options.prefix.replace(/\.$/, '')];
  // Every (prefix, layout) whose first tensor (the first weight) is present.
  const candidates: { prefix: string; names: readonly string[] }[] = [];
  for (const prefix of prefixes) {
    for (const layout of layouts[type]) {
      if (tensors.has(join(prefix, layout[0]!))) {
        candidates.push({ prefix, names: layout.map((suffix) => join(prefix, suffix)) });
        break;
      }
    }
  }
  const available = [...tensors.keys()].slice(0, 12).join(', ') + (tensors.size > 12 ? ', ...' : '');
  if (candidates.length === 0) {
    const wanted = layouts[type].map((layout) => layout.map((s) => join(prefixes.length === 1 ? prefixes[0]! : '<prefix>', s)).join(', ')).join(' or ');
    throw new FileFormatError(
      `${options.source} has no ${type} adapter weights` +
        (prefixes.length === 1 ? ` under prefix '${prefixes[0]}'` : ` under any of the prefixes ${listChoices(prefixes)}`) +
        `: looked for ${wanted}; the file has ${available || 'no tensors'}`,
    );
  }
  if (candidates.length > 1) {
    throw new InvalidArgumentError(`${options.source} holds several adapters (prefixes ${listChoices(candidates.map((c) => c.prefix))}); set the adapter's prefix to one of them`);
  }
  const chosen = candidates[0]!;
  const source = `${options.source} (prefix '${chosen.prefix}')`;
  for (const name of chosen.names) {
    if (!tensors.has(name)) throw new FileFormatError(`${options.source} is missing tensor '${name}' of the ${type} adapter; the file has ${available}`);
  }
  if (type === 'linear' && tensors.has(join(chosen.prefix, '2.weight'))) {
    throw new InvalidArgumentError(`${source} holds an mlp2x_gelu adapter ('${join(chosen.prefix, '2.weight')}' is present) but the config says type 'linear'`);
  }
  const get = (name: string): Tensor => tensors.get(name)!;
  const layers: { weight: Tensor; bias: Tensor }[] = [];
  for (let i = 0; i < chosen.names.length; i += 2) layers.push({ weight: get(chosen.names[i]!), bias: get(chosen.names[i + 1]!) });
  checkAdapterShapes(type, layers, source, chosen.names, options);
  // A NaN/Inf weight (a broken export or a diverged training run) would silently turn every visual
  // token into NaN and the LLM's answers into noise; refuse it here, naming the tensor.
  for (const name of chosen.names) assertFinite(get(name), `adapter weights ${options.source}: tensor '${name}'`);
  return { type, layers, source };
}

function checkAdapterShapes(type: AdapterType, layers: readonly { weight: Tensor; bias: Tensor }[], source: string, names: readonly string[], expected: AdapterShapeExpectations): void {
  const first = layers[0]!.weight;
  if (first.dims.length !== 2) throw new ShapeMismatchError(`${source}: '${names[0]}' has shape ${formatShape(first.dims)}, expected a matrix [hidden size, input width]`);
  const [hidden, input] = first.dims as [number, number];
  const describe = (): string => `encoder width ${expected.inputSize ?? '(not given)'}, adapter input width ${input}, LLM hidden size ${expected.hiddenSize ?? '(not given)'} (adapter output ${hidden})`;
  if (expected.inputSize !== undefined && expected.inputSize !== input) {
    throw new ShapeMismatchError(`${source}: the ${type} adapter does not fit the encoder: ${describe()}; '${names[0]}' is ${formatShape(first.dims)}`);
  }
  if (expected.hiddenSize !== undefined && expected.hiddenSize !== hidden) {
    throw new ShapeMismatchError(`${source}: the ${type} adapter does not fit the LLM: ${describe()}; '${names[0]}' is ${formatShape(first.dims)}`);
  }
  layers.forEach((layer, index) => {
    const weightName = names[2 * index]!;
    const biasName = names[2 * index + 1]!;
    const wantWeight = index === 0 ? [hidden, input] : [hidden, hidden];
    if (layer.weight.dims.length !== 2 || layer.weight.dims[0] !== wantWeight[0] || layer.weight.dims[1] !== wantWeight[1]) {
      throw new ShapeMismatchError(`${source}: '${weightName}' has shape ${formatShape(layer.weight.dims)}, expected ${formatShape(wantWeight)} (${describe()})`);
    }
    if (layer.bias.dims.length !== 1 || layer.bias.dims[0] !== hidden) {
      throw new ShapeMismatchError(`${source}: '${biasName}' has shape ${formatShape(layer.bias.dims)}, expected [${hidden}] (${describe()})`);
    }
  });
}

/** Reads adapter weights from a safetensors file (see selectAdapterWeights). */
export async function readAdapterWeights(weightsPath: string, type: AdapterType, options: { prefix?: string } & AdapterShapeExpectations = {}): Promise<AdapterWeights> {
  const tensors = await readSafetensors(weightsPath);
  return selectAdapterWeights(tensors, type, { ...options, source: weightsPath });
}
