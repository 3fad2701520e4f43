import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { link, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { FileFormatError, InvalidArgumentError, ModelLoadError, listChoices } from '@mmvp/core';
import { analyzeDataFlow, describeScopeInputs, scopeInputs, unwrapActivation, wrappedForms, type DataFlow } from './graph-data-flow';
import { decodeModel, encodeGraphOutputsAppendix, encodeModel, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from './proto/onnx-proto';

/** Which hidden state to expose (see FeatureTap in @mmvp/core). */
export type GraphTap = { readonly kind: 'layer'; readonly layer: number } | { readonly kind: 'prenorm' } | { readonly kind: 'last' };

/**
 * How an exporter names a ViT's modules. torch >= 1.13 writes module-scoped node names
 * (`/vision_model/encoder/layers.3/layer_norm1/LayerNormalization`), which is what taps look for.
 */
export interface GraphNaming {
  /** Short name for messages, e.g. 'CLIP vision'. */
  readonly family: string;
  /** Scope of encoder layer k (0-based), with a trailing slash: `/vision_model/encoder/layers.${k}/`. */
  layerScope(index: number): string;
  /** Scope of the first LayerNorm inside layer k (its input is hidden_states[k]). */
  layerNormScope(index: number): string;
  /**
   * hidden_states[L] (the last layer's output): either a graph output that already holds it (CLIP's
   * last_hidden_state: post_layernorm only reads the CLS token) or the input of the final LayerNorm scope.
   */
  readonly lastLayer: { readonly output: string } | { readonly normScope: string };
  /** The model's own last_hidden_state output. */
  readonly lastHiddenStateOutput: string;
}

/** Node naming of Hugging Face CLIP vision exports (`/vision_model/encoder/layers.{k}/...`). */
export const clipVisionNaming: GraphNaming = {
  family: 'CLIP vision',
  layerScope: (k) => `/vision_model/encoder/layers.${k}/`,
  layerNormScope: (k) => `/vision_model/encoder/layers.${k}/layer_norm1/`,
  lastLayer: { output: 'last_hidden_state' },
  lastHiddenStateOutput: 'last_hidden_state',
};

/**
 * Node naming of Hugging Face SigLIP vision exports: layers scoped like CLIP's, but `last_hidden_state` is the
 * output of `post_layernorm`, so hidden_states[L] is the input of `/vision_model/post_layernorm/`.
 */
export const siglipVisionNaming: GraphNaming = {
  family: 'SigLIP vision',
  layerScope: (k) => `/vision_model/encoder/layers.${k}/`,
  layerNormScope: (k) => `/vision_model/encoder/layers.${k}/layer_norm1/`,
  lastLayer: { normScope: '/vision_model/post_layernorm/' },
  lastHiddenStateOutput: 'last_hidden_state',
};

/** Node naming of Hugging Face DINOv2 exports (`/encoder/layer.{k}/...`). */
export const dinov2Naming: GraphNaming = {
  family: 'DINOv2',
  layerScope: (k) => `/encoder/layer.${k}/`,
  layerNormScope: (k) => `/encoder/layer.${k}/norm1/`,
  lastLayer: { normScope: '/layernorm/' },
  lastHiddenStateOutput: 'last_hidden_state',
};

/** Options of resolveTap: the graph naming, layer count and cache folder. */
export interface TapOptions {
  readonly naming: GraphNaming;
  /** Encoder depth L from config.json (num_hidden_layers); the graph must agree. */
  readonly numLayers: number;
  /** Where rewritten models go (default: `.mmvp-cache/` next to the model file, else ~/.cache/mmvp/taps). */
  readonly cacheDir?: string;
}

/** The ONNX file and output name that a feature tap reads. */
export interface ResolvedTap {
  /** ONNX file to load: the source itself, or the cached rewritten copy. */
  readonly modelPath: string;
  /** Name of the graph output holding the tapped tensor [B, T, D]. */
  readonly outputName: string;
  /** Hugging Face hidden_states index (for 'layer' and 'prenorm' taps), or null for 'last'. */
  readonly hiddenStateIndex: number | null;
  /** 'source' (the export already has it), 'cache' (an earlier rewrite), or 'rewritten' (written now). */
  readonly origin: 'source' | 'cache' | 'rewritten';
}

/** Normalizes a Hugging Face hidden_states index (negative counts from the end) to 0..L. */
export function normalizeLayerIndex(layer: number, numLayers: number): number {
  if (!Number.isInteger(layer) || layer < -(numLayers + 1) || layer > numLayers) {
    throw new InvalidArgumentError(
      `layer ${layer} does not exist: this encoder has ${numLayers} layers, so hidden_states indices run from ${-(numLayers + 1)} to ${numLayers} (0 = embeddings, ${numLayers} = last layer, -2 = second to last)`,
    );
  }
  return layer < 0 ? numLayers + 1 + layer : layer;
}

const hashMemo = new Map<string, Promise<string>>();

/** sha256 of a file, remembered per path + size + mtime so a process hashes a big export once. */
export async function fileSha256(path: string): Promise<string> {
  const info = await stat(path);
  const key = `${path}|${info.size}|${info.mtimeMs}`;
  let hash = hashMemo.get(key);
  if (!hash) {
    hash = new Promise<string>((done, fail) => {
      const h = createHash('sha256');
      createReadStream(path)
        .on('data', (chunk) => h.update(chunk))
        .on('end', () => done(h.digest('hex')))
        .on('error', fail);
    });
    hashMemo.set(key, hash);
  }
  return hash;
}

/**
 * The single activation the nodes named `scope...` read from outside themselves (weights, however they
 * are reached: initializers, Identity/Cast/DequantizeLinear of them, Constant nodes, are not
 * activations; see graph-data-flow.ts), or why there is not exactly one.
 */
function scopeInput(graph: GraphProto, scope: string, flow: DataFlow): { tensor: string; nodes: readonly NodeProto[] } | { problem: string } {
  const inputs = scopeInputs(graph, scope, flow);
  if (inputs.nodes.length === 0) return { problem: `no node is named '${scope}...'` };
  if (inputs.activations.length === 1) return { tensor: inputs.activations[0]!, nodes: inputs.nodes };
  const count = inputs.activations.length === 0 ? 'no activation' : `${inputs.activations.length} activations`;
  return { problem: `found ${count} among the inputs of its ${inputs.nodes.length} nodes: ${describeScopeInputs(inputs, flow)}` };
}

function countLayers(graph: GraphProto, naming: GraphNaming): number {
  let count = 0;
  const names = (graph.node ?? []).map((n) => n.name ?? '');
  while (names.some((name) => name.startsWith(naming.layerScope(count)))) count++;
  return count;
}

/**
 * Finds the tensor holding hidden_states[index] by node naming, then confirms it by structure: it must
 * feed the residual Add of the layer it enters (or come out of the previous layer's residual Add).
 */
export function findHiddenState(graph: GraphProto, naming: GraphNaming, index: number, numLayers: number, sourceName: string): string {
  const found = countLayers(graph, naming);
  if (found === 0) {
    throw new ModelLoadError(
      `${sourceName} does not look like a ${naming.family} export: no node is named '${naming.layerScope(0)}...' ` +
        `(taps need the module-scoped node names torch >= 1.13 writes, e.g. '${naming.layerNormScope(0)}LayerNormalization')`,
    );
  }
  if (found !== numLayers) {
    throw new ModelLoadError(`${sourceName} has ${found} ${naming.family} encoder layers ('${naming.layerScope(0)}' ...) but config.json says num_hidden_layers = ${numLayers}`);
  }
  const flow = analyzeDataFlow(graph);
  const consumers = (tensor: string) => flow.consumers(tensor);
  const producer = (tensor: string) => flow.producer(tensor);
  if (index < numLayers) {
    const scope = naming.layerNormScope(index);
    const input = scopeInput(graph, scope, flow);
    if ('problem' in input) {
      throw new ModelLoadError(
        `${sourceName}: cannot find hidden_states[${index}]: looked for the single activation input of the nodes named '${scope}...' (the LayerNorm at the start of encoder layer ${index}); ${input.problem}`,
      );
    }
    // the hidden state itself, not a Cast/QDQ encoding of it made for the LayerNorm
    const tensor = unwrapActivation(flow, input.tensor);
    const residual = wrappedForms(flow, tensor).some((t) => consumers(t).some((n) => n.op_type === 'Add' && (n.name ?? '').startsWith(naming.layerScope(index))));
    if (!residual) {
      const feeds = wrappedForms(flow, tensor)
        .flatMap((t) => consumers(t))
        .map((n) => `${n.op_type} '${n.name ?? ''}'`);
      throw new ModelLoadError(
        `${sourceName}: the input of '${scope}' (${tensor}) does not feed a residual Add in '${naming.layerScope(index)}', so it is not hidden_states[${index}]; it feeds ${feeds.length ? feeds.slice(0, 6).join(', ') : 'nothing'}`,
      );
    }
    return tensor;
  }
  if ('output' in naming.lastLayer) {
    const outputs = (graph.output ?? []).map((o) => o.name);
    if (!outputs.includes(naming.lastLayer.output)) {
      throw new ModelLoadError(`${sourceName} has no output '${naming.lastLayer.output}' (hidden_states[${index}]); its outputs are ${listChoices(outputs.map(String))}`);
    }
    return naming.lastLayer.output;
  }
  const scope = naming.lastLayer.normScope;
  const input = scopeInput(graph, scope, flow);
  if ('problem' in input) {
    throw new ModelLoadError(`${sourceName}: cannot find the final LayerNorm input (hidden_states[${index}]): looked for the single activation input of the nodes named '${scope}...'; ${input.problem}`);
  }
  const tensor = unwrapActivation(flow, input.tensor);
  const made = producer(tensor);
  if (made?.op_type !== 'Add' || !(made.name ?? '').startsWith(naming.layerScope(numLayers - 1))) {
    throw new ModelLoadError(
      `${sourceName}: the input of '${scope}' (${tensor}) is not the residual Add of the last layer '${naming.layerScope(numLayers - 1)}'; it is written by ${made ? `${made.op_type} '${made.name ?? ''}'` : 'no node'}`,
    );
  }
  return tensor;
}

/** What `<cached>.onnx.json` records beside a rewritten graph. */
interface CacheSidecar {
  readonly source: string;
  readonly sourceSha256: string;
  readonly tap: GraphTap;
  readonly hiddenStateIndex: number;
  readonly outputName: string;
  /** Size and sha256 of the cached graph, checked before it is used (absent in older caches: rebuilt). */
  readonly bytes?: number;
  readonly sha256?: string;
}

/** The tap cache cannot be written: say what it is and how to put it elsewhere (QA m10). */
function tapCacheError(dir: string, index: number, cause: unknown): ModelLoadError {
  const error = cause as NodeJS.ErrnoException;
  return new ModelLoadError(
    `cannot write the tap cache ${dir} (where the rewritten ONNX graph exposing hidden_states[${index}] is kept): ${error.code ?? ''}${error.code ? ': ' : ''}${error.message}; ` +
      'give a writable folder with --cache-dir DIR, the encoder option cacheDir (pipeline config: encoders.<name>.options.cacheDir), or the MMVP_CACHE_DIR environment variable',
    { cause },
  );
}

function defaultCacheDir(modelPath: string): string {
  if (process.env.MMVP_CACHE_DIR) return join(process.env.MMVP_CACHE_DIR, 'taps');
  return join(dirname(modelPath), '.mmvp-cache');
}

async function writable(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.probe-${process.pid}`);
    await writeFile(probe, '');
    const { unlink } = await import('node:fs/promises');
    await unlink(probe);
    return true;
  } catch {
    return false;
  }
}

function externalDataLocations(graph: GraphProto): string[] {
  const locations = new Set<string>();
  for (const t of graph.initializer ?? []) {
    if (t.data_location === 1) {
      const location = t.external_data?.find((e) => e.key === 'location')?.value;
      if (location) locations.add(location);
    }
  }
  return [...locations];
}

/**
 * Makes the external data files of the source reachable from `dir` by hard links. ORT refuses external
 * data outside the model's directory (symlinks included), and copying gigabytes is not an option, so
 * when hard links fail (another filesystem) the caller writes the rewritten model next to the source.
 */
async function hardLinkExternalData(locations: readonly string[], sourceDir: string, dir: string): Promise<boolean> {
  for (const location of locations) {
    const source = resolve(sourceDir, location);
    if (!existsSync(source)) throw new ModelLoadError(`external data file ${source} (referenced by the model) does not exist`);
    const target = join(dir, location);
    if (existsSync(target)) continue;
    try {
      await mkdir(dirname(target), { recursive: true });
      await link(source, target);
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Makes `tap` of the ONNX export at `modelPath` available as a graph output. If the export already
 * outputs the tensor, the source is used as is; otherwise a rewritten copy (the graph pruned to the
 * tap, see tappedBytes) is written once to the cache, keyed by the source's sha256 and the tap, and
 * reused afterwards. External data files stay where they are (hard-linked into the cache, or the copy
 * is written beside the source).
 */
export async function resolveTap(modelPath: string, tap: GraphTap, options: TapOptions): Promise<ResolvedTap> {
  const source = resolve(modelPath);
  const { naming, numLayers } = options;
  if (tap.kind === 'last') return { modelPath: source, outputName: naming.lastHiddenStateOutput, hiddenStateIndex: null, origin: 'source' };
  if (tap.kind !== 'layer' && tap.kind !== 'prenorm') {
    throw new InvalidArgumentError(`unknown tap kind '${(tap as { kind: string }).kind}'; valid choices: ${listChoices(['layer', 'prenorm', 'last'])}`);
  }
  const index = tap.kind === 'prenorm' ? numLayers : normalizeLayerIndex(tap.layer, numLayers);
  if (!existsSync(source)) throw new ModelLoadError(`ONNX model file ${source} does not exist`);
  const hash = await fileSha256(source);
  const stem = basename(source).replace(/\.onnx$/, '');
  const fileName = `${stem}.${hash.slice(0, 16)}.hidden${index}.pruned.onnx`; // "pruned": format of the rewrite, so older caches are not reused
  let cacheDir = options.cacheDir ?? defaultCacheDir(source);
  if (!options.cacheDir && !(await writable(cacheDir))) cacheDir = join(homedir(), '.cache', 'mmvp', 'taps');
  const cachedPath = join(cacheDir, fileName);
  for (const candidate of [cachedPath, join(dirname(source), `.${fileName}`)]) {
    const sidecar = `${candidate}.json`;
    if (existsSync(candidate) && existsSync(sidecar)) {
      const meta =
        (await readFile(sidecar, 'utf8')
          .then((text) => JSON.parse(text) as CacheSidecar)
          .catch(() => undefined)) ?? undefined;
      // a cached graph is used only when it is byte for byte what was written (a truncated or otherwise
      // damaged cache file, or one from before sidecars held its hash, is rebuilt below)
      if (meta?.sourceSha256 === hash && meta.sha256 !== undefined && (await fileSha256(candidate)) === meta.sha256) {
        return { modelPath: candidate, outputName: meta.outputName, hiddenStateIndex: index, origin: 'cache' };
      }
    }
  }
  const bytes = await readFile(source);
  const model = decodeModel(bytes, source);
  const graph = model.graph!;
  const tensorName = findHiddenState(graph, naming, index, numLayers, source);
  if ((graph.output ?? []).some((o) => o.name === tensorName)) {
    return { modelPath: source, outputName: tensorName, hiddenStateIndex: index, origin: 'source' };
  }
  const output: ValueInfoProto = { name: tensorName, type: { tensor_type: { elem_type: elementTypeOf(graph, tensorName, naming) } } };
  await mkdir(cacheDir, { recursive: true }).catch((cause: unknown) => {
    throw tapCacheError(cacheDir, index, cause);
  });
  const locations = externalDataLocations(graph);
  if (locations.length > 0 && !(await hardLinkExternalData(locations, dirname(source), cacheDir))) {
    // ORT only reads external data inside the model's folder: put the rewritten model beside the source.
    return writeTapped(join(dirname(source), `.${fileName}`), tappedBytes(model, bytes, output), { source, hash, tap, index, tensorName });
  }
  return writeTapped(cachedPath, tappedBytes(model, bytes, output), { source, hash, tap, index, tensorName });
}

/**
 * The tapped model: the graph cut down to what the tap needs, with the tap as its only output, so a
 * session for hidden_states[-2] does not run the last layer. Graphs with control flow (If/Loop
 * subgraphs may read outer tensors implicitly) keep every node and get the tap appended as an extra
 * output instead (source bytes + encodeGraphOutputsAppendix, no re-encoding).
 */
function tappedBytes(model: ModelProto, sourceBytes: Uint8Array, output: ValueInfoProto): Uint8Array {
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const hasSubgraphs = nodes.some((n) => (n.attribute ?? []).some((a) => a.g !== undefined && a.g !== null) || ['If', 'Loop', 'Scan'].includes(n.op_type ?? ''));
  if (hasSubgraphs) {
    const appendix = encodeGraphOutputsAppendix([output]);
    const combined = new Uint8Array(sourceBytes.length + appendix.length);
    combined.set(sourceBytes, 0);
    combined.set(appendix, sourceBytes.length);
    return combined;
  }
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => (node.output ?? []).forEach((name) => producer.set(name, i)));
  const needed = new Set<string>([output.name!]);
  const keep = new Set<number>();
  const queue = [output.name!];
  while (queue.length > 0) {
    const index = producer.get(queue.pop()!);
    if (index === undefined || keep.has(index)) continue;
    keep.add(index);
    for (const input of nodes[index]!.input ?? []) {
      if (input && !needed.has(input)) {
        needed.add(input);
        queue.push(input);
      }
    }
  }
  const pruned: ModelProto = {
    ...model,
    graph: {
      ...graph,
      node: nodes.filter((_, i) => keep.has(i)), // original (topological) order
      initializer: (graph.initializer ?? []).filter((t) => needed.has(t.name ?? '')),
      value_info: (graph.value_info ?? []).filter((v) => needed.has(v.name ?? '')),
      output: [output],
    },
  };
  return encodeModel(pruned);
}

async function writeTapped(cachedPath: string, bytes: Uint8Array, meta: { source: string; hash: string; tap: GraphTap; index: number; tensorName: string }): Promise<ResolvedTap> {
  const sidecar = `${cachedPath}.json`;
  const temporary = `${cachedPath}.${process.pid}.tmp`;
  const { source, hash, tap, index, tensorName } = meta;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, cachedPath);
    const record: CacheSidecar = { source, sourceSha256: hash, tap, hiddenStateIndex: index, outputName: tensorName, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    await writeFile(sidecar, `${JSON.stringify(record, null, 2)}\n`);
  } catch (cause) {
    throw tapCacheError(dirname(cachedPath), index, cause);
  }
  return { modelPath: cachedPath, outputName: tensorName, hiddenStateIndex: index, origin: 'rewritten' };
}

function elementTypeOf(graph: GraphProto, tensorName: string, naming: GraphNaming): number {
  // Declared (value_info) or inferred by data flow: in an _fp16 export with float32 I/O (keep_io_types)
  // the residual stream is float16 while last_hidden_state is float32, so the output's type is no guide.
  const inferred = analyzeDataFlow(graph).elementType(tensorName);
  if (inferred) return inferred;
  const last = (graph.output ?? []).find((v) => v.name === naming.lastHiddenStateOutput);
  const elemType = last?.type?.tensor_type?.elem_type;
  if (!elemType) throw new FileFormatError(`cannot tell the element type of '${tensorName}': the export declares no type for it or for '${naming.lastHiddenStateOutput}'`);
  return elemType;
}
