import { readFile } from 'node:fs/promises';
import { ModelLoadError } from '@mmvp/core';
import { decodeModel, float16BitsToNumber, resolveModelFolder, type GraphProto, type ModelDtype, type TensorProto } from '@mmvp/onnx';
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

/** The single float of a scalar or [1] initializer, or undefined when it is not one. */
function scalarValue(tensor: TensorProto | undefined): number | undefined {
  if (!tensor) return undefined;
  const count = (tensor.dims ?? []).reduce((n: number, d) => n * Number(d), 1);
  if (count !== 1) return undefined;
  if (tensor.float_data && tensor.float_data.length === 1) return tensor.float_data[0];
  const raw = tensor.raw_data;
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
function fromGraph(graph: GraphProto): { logitScale?: number; logitBias?: number } {
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const scale = scalarValue(initializers.get('logit_scale'));
  let logitBias = scalarValue(initializers.get('logit_bias'));
  let logitScale = scale === undefined ? undefined : Math.exp(scale);
  const producer = (name: string) => (graph.node ?? []).find((n) => (n.output ?? []).includes(name));
  const add = producer('logits_per_text');
  if (add?.op_type === 'Add') {
    const inputs = add.input ?? [];
    const constant = inputs.find((name) => scalarValue(initializers.get(name)) !== undefined);
    logitBias ??= constant === undefined ? undefined : scalarValue(initializers.get(constant));
    const mul = producer(inputs.find((name) => name !== constant) ?? '');
    if (logitScale === undefined && mul?.op_type === 'Mul') {
      const folded = (mul.input ?? []).map((name) => scalarValue(initializers.get(name))).find((v) => v !== undefined);
      logitScale = folded;
    }
  }
  return { logitScale, logitBias };
}

/**
 * Reads SigLIP's logit_scale and logit_bias, which the split exports (vision_model.onnx, text_model.onnx)
 * do not contain: from `onnx/model.onnx` (the SiglipModel export that transformers.js / onnx-community
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
  let graphPath: string | undefined;
  try {
    graphPath = folder.onnxPath('model', dtype);
  } catch {
    looked.push(`no ${folder.dir}/onnx/model.onnx (the SiglipModel export that holds them)`);
  }
  if (graphPath !== undefined) {
    graphValues = fromGraph(decodeModel(await readFile(graphPath), graphPath).graph ?? {});
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
