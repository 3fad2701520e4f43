import { existsSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, ModelLoadError, listChoices } from '@mmvp/core';
import { currentCpuFeatures, int8KernelInfo, type CpuFeatures, type Int8KernelInfo } from './cpu-features';
import { analyzeDataFlow } from './graph-data-flow';
import { int8SaturationWarning } from './int8-warning';
import { describeQuantizationFormat, readQuantizationFormat, type QuantizationFormat } from './quantization-format';
import { clipVisionNaming, dinov2Naming, fileSha256, siglipVisionNaming, findHiddenState, normalizeLayerIndex, type GraphNaming, type GraphTap } from './graph-tap';
import { dtypeSuffixes, resolveModelFolder, type ModelDtype } from './model-folder';
import { decodeModel, int64ToNumber, TensorDataType, type GraphProto, type ValueInfoProto } from './proto/onnx-proto';

/** A graph input or output as `inspect` shows it. */
export interface InspectedValue {
  readonly name: string;
  readonly type: string;
  /** Dimensions: numbers, symbolic names, or '?' when unknown. */
  readonly shape: readonly (number | string)[] | null;
}

/** One tap an ONNX file offers: the Hugging Face hidden_states index and the tensor that holds it. */
export interface OfferedTap {
  /** 'layer K' (K = 0..L), 'prenorm' or 'last'. */
  readonly tap: string;
  readonly hiddenStateIndex: number | null;
  readonly tensor: string;
  /** 'output': the export already outputs it; 'rewrite': a tap rewrites the graph (cached). */
  readonly via: 'output' | 'rewrite';
  readonly elementType: string;
}

/** A tapped copy found in a tap cache (see resolveTap), with whether it still matches its source. */
export interface TapCacheEntry {
  readonly path: string;
  readonly hiddenStateIndex: number | null;
  readonly outputName: string;
  /** False when the source changed since (a later tap writes a new entry; this one is unused). */
  readonly current: boolean;
}

/** One ONNX file of a model folder: its graph, weight dtype and size. */
export interface InspectedOnnxFile {
  readonly file: string;
  readonly path: string;
  /** Graph name without the dtype suffix: 'vision_model', 'text_model', 'model'. */
  readonly graph: string;
  readonly dtype: ModelDtype | null;
  readonly bytes: number;
  /** Weight storage in words: 'float32', 'float16', 'int8 (DynamicQuantizeLinear + MatMulInteger)', ... */
  readonly weights: string | null;
  /** The 8-bit quantization format (u8s8 / u8u8, per tensor or per channel, weight range); null for float files. */
  readonly quantization: QuantizationFormat | null;
  /** Full-range u8s8 weights on a CPU without VNNI: one line saying what that costs and what to do; else null. */
  readonly warning: string | null;
  readonly opsets: readonly string[];
  readonly inputs: readonly InspectedValue[];
  readonly outputs: readonly InspectedValue[];
  readonly externalData: readonly string[];
  /** Encoder layers found by node naming (null when not a vision encoder we tap). */
  readonly encoderLayers: number | null;
  /** True when every tap (each layer, prenorm, last) can be read from this file. */
  readonly tappable: boolean;
  readonly taps: readonly OfferedTap[];
  readonly cache: readonly TapCacheEntry[];
  /** Why taps cannot read this file, or why it could not be read at all (one line); null when fine. */
  readonly problem: string | null;
  /** For files that are not vision encoders (text_model): a note, not a problem. */
  readonly note: string | null;
}

/** What inspectModelFolder found: the model family, its config's sizes, ONNX files and the taps it offers. */
export interface ModelFolderReport {
  readonly dir: string;
  /** 'CLIP', 'SigLIP', 'DINOv2', or the config's model_type when we have no encoder for it. */
  readonly family: string;
  readonly modelType: string | null;
  readonly architectures: readonly string[];
  /** True for a language-model (decoder) folder, e.g. a LLaVA/Llama LLM: described, not a problem, and it offers no taps. */
  readonly decoder: boolean;
  readonly numLayers: number | null;
  readonly hiddenSize: number | null;
  readonly intermediateSize: number | null;
  readonly numHeads: number | null;
  readonly patchSize: number | null;
  /** Input size the processor produces (crop), and the patch grid there. */
  readonly inputSize: readonly [number, number] | null;
  readonly patchGrid: readonly [number, number] | null;
  /** Grid of the position embeddings (config image_size / patch_size); differs from patchGrid when they are interpolated. */
  readonly nativeGrid: readonly [number, number] | null;
  readonly dtypes: readonly ModelDtype[];
  readonly files: readonly InspectedOnnxFile[];
  /** Problems of the folder as a whole and of each file, one line each. */
  readonly problems: readonly string[];
  /** The CPU's int8 class ('x86-vnni', 'x86-no-vnni', 'arm64', 'unknown') and why, as the warnings judge it. */
  readonly cpu: Int8KernelInfo;
  /** Warnings (not problems: the files work), one line each. */
  readonly warnings: readonly string[];
}

const typeNames: Record<number, string> = {
  [TensorDataType.FLOAT]: 'float32',
  [TensorDataType.UINT8]: 'uint8',
  [TensorDataType.INT8]: 'int8',
  [TensorDataType.INT32]: 'int32',
  [TensorDataType.INT64]: 'int64',
  [TensorDataType.BOOL]: 'bool',
  [TensorDataType.FLOAT16]: 'float16',
  [TensorDataType.DOUBLE]: 'float64',
  16: 'bfloat16',
};
const typeName = (code: number | undefined) => (code === undefined ? '?' : (typeNames[code] ?? `type ${code}`));

function inspectValue(v: ValueInfoProto): InspectedValue {
  const t = v.type?.tensor_type;
  const shape = t?.shape?.dim ? t.shape.dim.map((d) => (d.dim_param ? d.dim_param : d.dim_value !== undefined && d.dim_value !== null ? int64ToNumber(d.dim_value) : '?')) : null;
  return { name: v.name ?? '', type: typeName(t?.elem_type), shape };
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function weightStorage(graph: GraphProto): string {
  const ops = new Set((graph.node ?? []).map((n) => n.op_type ?? ''));
  const kinds: string[] = [];
  if (ops.has('MatMulNBits')) kinds.push('4-bit blocks (com.microsoft MatMulNBits)');
  if (ops.has('MatMulInteger') || ops.has('ConvInteger')) kinds.push('int8 dynamic quantization (DynamicQuantizeLinear + MatMulInteger)');
  if (ops.has('DequantizeLinear')) kinds.push('quantized weights (DequantizeLinear)');
  const floats = new Map<string, number>();
  for (const t of graph.initializer ?? []) {
    const name = typeName(t.data_type);
    if (name.startsWith('float') || name === 'bfloat16') floats.set(name, (floats.get(name) ?? 0) + 1);
  }
  const main = [...floats.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (main) kinds.push(`${main} weights`);
  return kinds.length > 0 ? kinds.join(', ') : 'no float weights';
}

function dtypeOf(file: string): { graph: string; dtype: ModelDtype | null } {
  const stem = file.replace(/\.onnx$/, '');
  const bySuffix = (Object.entries(dtypeSuffixes) as [ModelDtype, string][]).filter(([, s]) => s !== '').sort((a, b) => b[1].length - a[1].length);
  for (const [dtype, suffix] of bySuffix) {
    if (stem.endsWith(suffix)) return { graph: stem.slice(0, -suffix.length), dtype: dtype === 'q8' ? 'quantized' : dtype };
  }
  return { graph: stem, dtype: 'fp32' };
}

/** Sidecars of tapped copies of `source`: in its .mmvp-cache, beside it, in MMVP_CACHE_DIR/taps and ~/.cache/mmvp/taps. */
async function cacheEntries(source: string, sha: string | null): Promise<TapCacheEntry[]> {
  const dirs = [join(dirname(source), '.mmvp-cache'), dirname(source), join(homedir(), '.cache', 'mmvp', 'taps')];
  if (process.env.MMVP_CACHE_DIR) dirs.unshift(join(process.env.MMVP_CACHE_DIR, 'taps'));
  const entries: TapCacheEntry[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir) || seen.has(dir)) continue;
    seen.add(dir);
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('.onnx.json'));
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const meta = JSON.parse(await readFile(join(dir, name), 'utf8')) as { source?: string; sourceSha256?: string; hiddenStateIndex?: number; outputName?: string };
        if (meta.source !== source) continue;
        const path = join(dir, name.slice(0, -'.json'.length));
        if (!existsSync(path)) continue;
        entries.push({ path, hiddenStateIndex: meta.hiddenStateIndex ?? null, outputName: meta.outputName ?? '', current: sha !== null && meta.sourceSha256 === sha });
      } catch {
        // not a sidecar of ours
      }
    }
  }
  return entries.sort((a, b) => (a.hiddenStateIndex ?? -1) - (b.hiddenStateIndex ?? -1));
}

function countLayers(graph: GraphProto, naming: GraphNaming): number {
  const names = (graph.node ?? []).map((n) => n.name ?? '');
  let count = 0;
  while (names.some((name) => name.startsWith(naming.layerScope(count)))) count++;
  return count;
}

const firstLine = (message: string) => message.split('\n')[0]!;

async function inspectFile(path: string, file: string, naming: GraphNaming | null, numLayers: number | null, tapFilter: GraphTap | undefined, kernel: Int8KernelInfo): Promise<InspectedOnnxFile> {
  const { graph: graphName, dtype } = dtypeOf(file);
  const bytes = (await stat(path)).size;
  const base = { file, path, graph: graphName, dtype, bytes };
  const empty = { weights: null, quantization: null, warning: null, opsets: [], inputs: [], outputs: [], externalData: [], encoderLayers: null, tappable: false, taps: [], cache: [], note: null };
  if (bytes === 0) return { ...base, ...empty, problem: `${path} is empty (0 bytes), not an ONNX model: an interrupted download or copy; fetch the file again` };
  let graph: GraphProto;
  let opsets: string[];
  try {
    const model = decodeModel(await readFile(path), path);
    graph = model.graph ?? {};
    opsets = (model.opset_import ?? []).map((o) => `${o.domain || 'ai.onnx'} ${int64ToNumber(o.version ?? 0)}`);
  } catch (error) {
    return { ...base, ...empty, problem: `cannot read ${file}: ${firstLine((error as Error).message)}` };
  }
  const externalData = [
    ...new Set(
      (graph.initializer ?? [])
        .filter((t) => t.data_location === 1)
        .map((t) => t.external_data?.find((e) => e.key === 'location')?.value ?? '')
        .filter(Boolean),
    ),
  ];
  const quantization = readQuantizationFormat(graph);
  const info = {
    ...base,
    weights: weightStorage(graph),
    quantization,
    warning: int8SaturationWarning(file, quantization, kernel),
    opsets,
    inputs: (graph.input ?? []).filter((v) => !(graph.initializer ?? []).some((t) => t.name === v.name)).map(inspectValue),
    outputs: (graph.output ?? []).map(inspectValue),
    externalData,
  };
  const missing = externalData.filter((location) => !existsSync(resolve(dirname(path), location)));
  if (missing.length > 0) {
    return { ...info, encoderLayers: null, tappable: false, taps: [], cache: [], note: null, problem: `${file}: external data file ${listChoices(missing)} (referenced by the model) does not exist in ${dirname(path)}` };
  }
  const isText = graphName.startsWith('text_model') || info.inputs.some((v) => v.name === 'input_ids');
  const isDecoder = graphName.startsWith('decoder_model') || info.outputs.some((v) => v.name === 'logits');
  if (!naming || isText || isDecoder) {
    const note = isDecoder ? 'language-model decoder: taps read vision encoders only' : isText ? 'text encoder: taps read vision encoders only' : 'no vision encoder naming known for this model type';
    return { ...info, encoderLayers: null, tappable: false, taps: [], cache: [], problem: null, note };
  }
  const layers = countLayers(graph, naming);
  const sha = await fileSha256(path);
  const cache = await cacheEntries(path, sha);
  if (layers === 0) {
    return {
      ...info,
      encoderLayers: 0,
      tappable: false,
      taps: [],
      cache,
      note: null,
      problem: `${file} has no recognisable ${naming.family} encoder layers: no node is named '${naming.layerScope(0)}...' (taps need the module-scoped node names torch >= 1.13 writes, e.g. '${naming.layerNormScope(0)}LayerNormalization')`,
    };
  }
  const depth = numLayers ?? layers;
  const outputs = new Set(info.outputs.map((o) => o.name));
  const flow = analyzeDataFlow(graph);
  const wanted: { tap: string; index: number | null }[] =
    tapFilter === undefined
      ? [...Array.from({ length: depth + 1 }, (_, k) => ({ tap: `layer ${k}`, index: k })), { tap: 'prenorm', index: depth }, { tap: 'last', index: null }]
      : [{ tap: tapFilter.kind === 'layer' ? `layer ${tapFilter.layer}` : tapFilter.kind, index: tapFilter.kind === 'layer' ? normalizeLayerIndex(tapFilter.layer, depth) : tapFilter.kind === 'prenorm' ? depth : null }];
  const taps: OfferedTap[] = [];
  let problem: string | null = null;
  for (const { tap, index } of wanted) {
    try {
      const tensor = index === null ? naming.lastHiddenStateOutput : findHiddenState(graph, naming, index, depth, file);
      if (index === null && !outputs.has(tensor)) throw new ModelLoadError(`${file} has no output '${tensor}'`);
      taps.push({ tap, hiddenStateIndex: index, tensor, via: outputs.has(tensor) ? 'output' : 'rewrite', elementType: typeName(flow.elementType(tensor)) });
    } catch (error) {
      problem ??= firstLine((error as Error).message);
    }
  }
  return { ...info, encoderLayers: layers, tappable: problem === null, taps, cache, note: null, problem };
}

/**
 * What a model folder is and which taps it offers: family, depth, widths, patch grid, the dtype variants
 * present, each ONNX file's I/O and weight storage, the taps each vision graph offers (and the tensor
 * holding each), the tapped copies in the caches, and why a file cannot be tapped where it cannot.
 * Only reads (never rewrites). Throws (one line) when `dir` is not a model folder or `tap` is out of range.
 */
export async function inspectModelFolder(dir: string, options: { tap?: GraphTap; cpu?: CpuFeatures } = {}): Promise<ModelFolderReport> {
  const kernel = int8KernelInfo(options.cpu ?? currentCpuFeatures());
  const folder = await resolveModelFolder(dir);
  const config = folder.config;
  const modelType = typeof config.model_type === 'string' ? config.model_type : null;
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  const vision = (modelType === 'clip' || modelType === 'siglip' ? config.vision_config : config) as Record<string, unknown> | undefined;
  let family: string;
  let naming: GraphNaming | null;
  if (modelType === 'clip' || modelType === 'clip_vision_model') {
    family = 'CLIP';
    naming = clipVisionNaming;
  } else if (modelType === 'dinov2') {
    family = 'DINOv2';
    naming = dinov2Naming;
  } else if (modelType === 'siglip' || modelType === 'siglip_vision_model') {
    family = 'SigLIP';
    naming = siglipVisionNaming;
  } else {
    family = modelType ?? 'unknown (config.json has no model_type)';
    naming = null;
  }
  const numLayers = num(vision?.num_hidden_layers);
  const hiddenSize = num(vision?.hidden_size);
  const patchSize = num(vision?.patch_size);
  const imageSize = num(vision?.image_size);
  const mlpRatio = num(vision?.mlp_ratio);
  const intermediateSize = num(vision?.intermediate_size) ?? (hiddenSize !== null && mlpRatio !== null ? hiddenSize * mlpRatio : null);
  let inputSize: [number, number] | null = imageSize !== null ? [imageSize, imageSize] : null;
  if (folder.preprocessorConfigPath) {
    try {
      const pre = JSON.parse(await readFile(folder.preprocessorConfigPath, 'utf8')) as { crop_size?: { height?: number; width?: number } | number; do_center_crop?: boolean };
      const crop = pre.crop_size;
      if (pre.do_center_crop !== false && crop !== undefined) inputSize = typeof crop === 'number' ? [crop, crop] : [num(crop.height) ?? 0, num(crop.width) ?? 0];
    } catch {
      // the encoders report a bad preprocessor_config.json; inspect keeps the config's size
    }
  }
  const patchGrid = inputSize && patchSize ? ([Math.floor(inputSize[0] / patchSize), Math.floor(inputSize[1] / patchSize)] as const) : null;
  const nativeGrid = imageSize && patchSize ? ([Math.floor(imageSize / patchSize), Math.floor(imageSize / patchSize)] as const) : null;
  if (options.tap?.kind === 'layer' && numLayers !== null) normalizeLayerIndex(options.tap.layer, numLayers); // out of range: one line
  if (options.tap && !['layer', 'prenorm', 'last'].includes(options.tap.kind)) {
    throw new InvalidArgumentError(`unknown tap kind '${(options.tap as { kind: string }).kind}'; valid choices: ${listChoices(['layer', 'prenorm', 'last'])}`);
  }
  const decoder = naming === null && (folder.onnxFiles.some((file) => file.startsWith('decoder_model')) || architectures.some((name) => /ForCausalLM$|ForConditionalGeneration$/.test(name)));
  const onnxDir = existsSync(join(folder.dir, 'onnx')) ? join(folder.dir, 'onnx') : folder.dir;
  const files: InspectedOnnxFile[] = [];
  for (const file of folder.onnxFiles) files.push(await inspectFile(join(onnxDir, file), file, naming, numLayers, options.tap, kernel));
  const problems: string[] = [];
  if (folder.onnxFiles.length === 0) problems.push(`no .onnx file in ${onnxDir}`);
  if (!naming && !decoder) problems.push(`model_type '${modelType ?? ''}' is not one mmvp has a vision encoder for (CLIP: 'clip' or 'clip_vision_model'; SigLIP: 'siglip' or 'siglip_vision_model'; DINOv2: 'dinov2')`);
  for (const f of files) if (f.problem) problems.push(f.problem);
  for (const f of files) {
    if (f.encoderLayers && numLayers !== null && f.encoderLayers !== numLayers && !f.problem) problems.push(`${f.file} has ${f.encoderLayers} encoder layers but config.json says num_hidden_layers = ${numLayers}`);
  }
  const dtypes = [...new Set(files.map((f) => f.dtype).filter((d): d is ModelDtype => d !== null))];
  return {
    dir: folder.dir,
    family,
    modelType,
    architectures,
    decoder,
    numLayers,
    hiddenSize,
    intermediateSize,
    numHeads: num(vision?.num_attention_heads),
    patchSize,
    inputSize,
    patchGrid,
    nativeGrid,
    dtypes,
    files,
    problems,
    cpu: kernel,
    warnings: files.map((f) => f.warning).filter((w): w is string => w !== null),
  };
}

/** The report as text, a few lines per ONNX file. */
export function formatModelFolderReport(report: ModelFolderReport): string {
  const lines: string[] = [];
  const dims = (d: readonly number[] | null) => (d ? d.join('x') : '?');
  lines.push(`${report.dir}`);
  lines.push(`  family: ${report.family}${report.architectures.length ? ` (${report.architectures.join(', ')})` : ''}`);
  if (report.decoder) lines.push('  a decoder (language model) folder: a pipeline config names it as its LLM; taps read vision encoders only');
  lines.push(`  layers: ${report.numLayers ?? '?'}, hidden size: ${report.hiddenSize ?? '?'}, intermediate size: ${report.intermediateSize ?? '?'}, heads: ${report.numHeads ?? '?'}`);
  if (!report.decoder) {
    const native =
      report.nativeGrid && report.patchGrid && (report.nativeGrid[0] !== report.patchGrid[0] || report.nativeGrid[1] !== report.patchGrid[1]) ? ` (position embeddings for ${dims(report.nativeGrid)}, interpolated)` : '';
    lines.push(`  input: ${dims(report.inputSize)} px, patch ${report.patchSize ?? '?'} -> grid ${dims(report.patchGrid)}${native}`);
  }
  lines.push(`  dtype variants: ${report.dtypes.length ? report.dtypes.join(', ') : 'none'}`);
  for (const f of report.files) {
    lines.push(`  onnx/${f.file} (${f.dtype ?? '?'}, ${(f.bytes / 1024).toFixed(0)} KiB${f.externalData.length ? ` + external data ${f.externalData.join(', ')}` : ''})`);
    if (f.opsets.length) lines.push(`    opsets: ${f.opsets.join(', ')}; weights: ${f.weights}`);
    if (f.quantization) lines.push(`    int8 format: ${describeQuantizationFormat(f.quantization)}`);
    const io = (values: readonly InspectedValue[]) => values.map((v) => `${v.name} ${v.type}[${v.shape ? v.shape.join(', ') : '?'}]`).join(', ');
    if (f.inputs.length || f.outputs.length) lines.push(`    in: ${io(f.inputs)}; out: ${io(f.outputs)}`);
    if (f.note) lines.push(`    ${f.note}`);
    if (f.taps.length) {
      const layers = f.taps.filter((t) => t.tap.startsWith('layer'));
      const range = layers.length > 1 ? `layer ${layers[0]!.hiddenStateIndex}..${layers[layers.length - 1]!.hiddenStateIndex}` : layers.map((t) => t.tap).join('');
      const others = f.taps.filter((t) => !t.tap.startsWith('layer')).map((t) => t.tap);
      lines.push(`    taps: ${[range, ...others].filter(Boolean).join(', ')} (${f.taps[0]!.elementType})${f.problem ? '' : ' - taps can read this file'}`);
      for (const t of f.taps) {
        const what = t.hiddenStateIndex === null ? 'last_hidden_state' : `hidden_states[${t.hiddenStateIndex}]`;
        lines.push(`      ${t.tap.padEnd(9)} ${what} = ${t.tensor} (${t.via === 'output' ? 'an output already' : 'tap rewrites the graph'})`);
      }
    }
    for (const c of f.cache) lines.push(`    cached tap: hidden_states[${c.hiddenStateIndex ?? '?'}] ${c.path}${c.current ? '' : ' (stale: the source changed since)'}`);
    if (f.problem) lines.push(`    problem: ${f.problem}`);
    if (f.warning) lines.push(`    warning: ${f.warning}`);
  }
  if (report.files.some((f) => f.quantization)) lines.push(`  cpu for int8: ${report.cpu.cpuClass} (${report.cpu.reason})`);
  return `${lines.join('\n')}\n`;
}
