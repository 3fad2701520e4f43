import { open, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ModelLoadError } from '@mmvp/core';
import { decodeModel, dtypeSuffixes, float16BitsToNumber, resolveModelFolder, type GraphProto, type ModelDtype, type TensorProto } from '@mmvp/onnx';
import { siglipConfigSchema } from './siglip-config';

/** SigLIP's learned logit temperature and bias: logits = logitScale x cos(text, image) + logitBias. */
export interface SiglipLogitParameters {
  /** exp(logit_scale), the multiplier of the cosine (the real checkpoints: about 110 to 120). */
  readonly logitScale: number;
  /** logit_bias (the real checkpoints: about -10 to -17). */
  readonly logitBias: number;
  /** Where they were read: the ONNX file or config.json. */
  readonly source: string;
}

/** The single float of a scalar or [1] initializer (its bytes inline or in an external data file), or undefined when it is not one. */
async function scalarValue(tensor: TensorProto | undefined, modelPath: string): Promise<number | undefined> {
  if (!tensor) return undefined;
  const count = (tensor.dims ?? []).reduce((n: number, d) => n * Number(d), 1);
  if (count !== 1) return undefined;
  if (tensor.float_data && tensor.float_data.length === 1) return tensor.float_data[0];
  let raw = tensor.raw_data;
  if (tensor.data_location === 1) {
    // external data: { location, offset, length } next to the model file
    const entry = (key: string) => tensor.external_data?.find((e) => e.key === key)?.value;
    const location = entry('location');
    if (location === undefined) return undefined;
    const bytes = { 1: 4, 10: 2, 11: 8 }[tensor.data_type ?? 0] ?? 0;
    const file = await open(resolve(dirname(modelPath), location), 'r').catch(() => undefined);
    if (!file) return undefined;
    try {
      raw = new Uint8Array(bytes);
      await file.read(raw, 0, bytes, Number(entry('offset') ?? 0));
    } finally {
      await file.close();
    }
  }
  if (!raw) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (tensor.data_type === 1 && raw.byteLength === 4) return view.getFloat32(0, true);
  if (tensor.data_type === 10 && raw.byteLength === 2) return float16BitsToNumber(view.getUint16(0, true));
  if (tensor.data_type === 11 && raw.byteLength === 8) return view.getFloat64(0, true);
  return undefined;
}

/**
 * logit_scale and logit_bias from a SiglipModel graph: the initializers the exporter names after the
 * parameters (`logit_scale`, then exp'd in the graph; `logit_bias`), or, where constant folding merged
 * exp(logit_scale) into an anonymous constant, the scalar constants of the Mul and Add that write
 * `logits_per_text`.
 */
async function fromGraph(graph: GraphProto, modelPath: string): Promise<{ logitScale?: number; logitBias?: number }> {
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const value = (name: string) => scalarValue(initializers.get(name), modelPath);
  const scale = await value('logit_scale');
  let logitBias = await value('logit_bias');
  let logitScale = scale === undefined ? undefined : Math.exp(scale);
  const producer = (name: string) => (graph.node ?? []).find((n) => (n.output ?? []).includes(name));
  const add = producer('logits_per_text');
  if (add?.op_type === 'Add') {
    const inputs = add.input ?? [];
    const values = await Promise.all(inputs.map(value));
    const constant = values.findIndex((v) => v !== undefined);
    logitBias ??= constant < 0 ? undefined : values[constant];
    const mul = producer(inputs.find((_, i) => i !== constant) ?? '');
    if (logitScale === undefined && mul?.op_type === 'Mul') {
      logitScale = (await Promise.all((mul.input ?? []).map(value))).find((v) => v !== undefined);
    }
  }
  return { logitScale, logitBias };
}

/**
 * Reads SigLIP's logit_scale and logit_bias, which the split exports (vision_model.onnx, text_model.onnx)
 * do not contain: from `onnx/model.onnx` or a weight variant of it (`model_fp16.onnx`, ...; external data
 * is read too), the SiglipModel export that transformers.js / onnx-community
 * publish beside them), else from config.json's `logit_scale` (log space, as the checkpoint stores it) and
 * `logit_bias`. A folder with neither gets one error line naming what was looked for.
 *
 * @example
 * ```ts
 * import { readSiglipLogitParameters } from '@mmvp/encoder-siglip';
 *
 * const { logitScale, logitBias } = await readSiglipLogitParameters('models/tiny-siglip');
 * console.log(logitScale, logitBias); // 12.5 -7.5
 * ```
 */
export async function readSiglipLogitParameters(modelPath: string, dtype: ModelDtype = 'fp32'): Promise<SiglipLogitParameters> {
  const folder = await resolveModelFolder(modelPath);
  const config = siglipConfigSchema.safeParse(folder.config);
  const looked: string[] = [];
  let graphValues: { logitScale?: number; logitBias?: number } = {};
  // any weight variant holds the two scalars: the asked dtype first, then model.onnx, then the others
  const variants = folder.onnxFiles.filter((file) => /^model(_[a-z0-9]+)?\.onnx$/.test(file));
  const preferred = [`model${dtypeSuffixes[dtype] ?? ''}.onnx`, 'model.onnx'];
  const file = preferred.find((name) => variants.includes(name)) ?? variants[0];
  const graphPath = file === undefined ? undefined : folder.onnxPath(file.slice(0, -'.onnx'.length)); // fp32: the name as is
  if (graphPath === undefined) looked.push(`no ${folder.dir}/onnx/model.onnx (the SiglipModel export that holds them)`);
  else {
    graphValues = await fromGraph(decodeModel(await readFile(graphPath), graphPath).graph ?? {}, graphPath);
    looked.push(`${graphPath} has ${graphValues.logitScale === undefined ? 'no' : 'a'} logit_scale and ${graphValues.logitBias === undefined ? 'no' : 'a'} logit_bias`);
  }
  if (graphValues.logitScale !== undefined && graphValues.logitBias !== undefined) {
    return { logitScale: graphValues.logitScale, logitBias: graphValues.logitBias, source: graphPath! };
  }
  const fromConfig = config.success ? config.data : {};
  if (fromConfig.logit_scale !== undefined && fromConfig.logit_bias !== undefined) {
    return { logitScale: Math.exp(fromConfig.logit_scale), logitBias: fromConfig.logit_bias, source: folder.configPath };
  }
  const missing = [graphValues.logitScale ?? fromConfig.logit_scale, graphValues.logitBias ?? fromConfig.logit_bias];
  const names = ['logit_scale', 'logit_bias'].filter((_, i) => missing[i] === undefined).join(' and ');
  throw new ModelLoadError(
    `SigLIP folder ${folder.dir} has no ${names}: ${looked.join('; ')}; ${folder.configPath} has no top-level ${names} either. ` +
      'SigLIP scores are sigmoid(logit_scale.exp() x cos + logit_bias): export onnx/model.onnx with the towers, or add the checkpoint values to config.json',
  );
}
