import { InvalidConfigError, parseWithSchema, readJsonFile } from '@mmvp/core';
import { z } from 'zod';
import type { ResampleCode } from './pillow-filters';
import type { ResizeTarget } from './resize-output-size';

// Only the keys a CLIPImageProcessor / BitImageProcessor uses are validated; others (processor_class,
// crop_pct, ...) are tolerated because real preprocessor_config.json files carry many.

const positiveInteger = z.number().int().positive();
const channelTriple = z.union([z.number(), z.array(z.number()).length(3, { message: 'must list 3 values (R, G, B)' })]);

const sizeSchema = z.union([positiveInteger, z.object({ shortest_edge: positiveInteger }).strict(), z.object({ height: positiveInteger, width: positiveInteger }).strict()], {
  errorMap: () => ({ message: 'must be a positive integer, {"shortest_edge": N} or {"height": H, "width": W}' }),
});

const cropSchema = z.union([positiveInteger, z.object({ height: positiveInteger, width: positiveInteger }).strict()], {
  errorMap: () => ({ message: 'must be a positive integer or {"height": H, "width": W}' }),
});

const resampleSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)], {
  errorMap: () => ({ message: 'must be 0 (nearest), 1 (lanczos), 2 (bilinear), 3 (bicubic), 4 (box) or 5 (hamming)' }),
});

/** The raw `preprocessor_config.json` keys we read (snake_case, as Hugging Face writes them). */
const preprocessorConfigFileSchema = z
  .object({
    image_processor_type: z.string().optional(),
    feature_extractor_type: z.string().optional(),
    do_resize: z.boolean().optional(),
    size: sizeSchema.optional(),
    resample: resampleSchema.optional(),
    do_center_crop: z.boolean().optional(),
    crop_size: cropSchema.optional(),
    do_rescale: z.boolean().optional(),
    rescale_factor: z.number().positive().optional(),
    do_normalize: z.boolean().optional(),
    image_mean: channelTriple.optional(),
    image_std: z.union([z.number().positive(), z.array(z.number().positive()).length(3, { message: 'must list 3 values (R, G, B)' })]).optional(),
    do_convert_rgb: z.boolean().optional(),
  })
  .passthrough();

/** OpenAI CLIP's normalisation, the default of CLIPImageProcessor and BitImageProcessor. */
export const openaiClipMean: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
/** OpenAI CLIP's per-channel standard deviation (RGB), the `image_std` of its processors. */
export const openaiClipStd: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

/**
 * A preprocessor config with every default filled in (Hugging Face's defaults for the named
 * processor class), in the form the processor uses.
 */
export interface PreprocessorConfig {
  /** `image_processor_type` or `feature_extractor_type`, e.g. 'CLIPImageProcessor'; '' if absent. */
  readonly processorType: string;
  readonly doResize: boolean;
  readonly size: ResizeTarget;
  readonly resample: ResampleCode;
  readonly doCenterCrop: boolean;
  readonly cropSize: { readonly height: number; readonly width: number };
  readonly doRescale: boolean;
  readonly rescaleFactor: number;
  readonly doNormalize: boolean;
  readonly imageMean: readonly [number, number, number];
  readonly imageStd: readonly [number, number, number];
  /** Informational: decodeImage always yields RGB (Pillow's convert('RGB')). */
  readonly doConvertRgb: boolean;
}

function triple(value: number | number[] | undefined, fallback: readonly [number, number, number]): [number, number, number] {
  if (value === undefined) return [...fallback];
  if (typeof value === 'number') return [value, value, value];
  return [value[0]!, value[1]!, value[2]!];
}

/**
 * Validates a parsed `preprocessor_config.json` and fills in defaults. `source` names the file in
 * errors (which also name the key and the valid forms).
 */
export function parsePreprocessorConfig(json: unknown, source = 'preprocessor_config.json'): PreprocessorConfig {
  const raw = parseWithSchema(preprocessorConfigFileSchema, json, source);
  const processorType = raw.image_processor_type ?? raw.feature_extractor_type ?? '';
  // BitImageProcessor (DINOv2) defaults to bilinear; CLIPImageProcessor to bicubic.
  const defaultResample: ResampleCode = processorType.startsWith('BitImageProcessor') ? 2 : 3;
  // SiglipImageProcessor resizes to size {height, width} with no crop step, and normalizes with mean/std 0.5.
  const siglip = processorType.startsWith('SiglipImageProcessor');
  const size = raw.size ?? { shortest_edge: 224 };
  const crop = raw.crop_size ?? 224;
  return {
    processorType,
    doResize: raw.do_resize ?? true,
    // an integer size means the shortest edge (get_size_dict(size, default_to_square=False))
    size: typeof size === 'number' ? { shortestEdge: size } : 'shortest_edge' in size ? { shortestEdge: size.shortest_edge } : { height: size.height, width: size.width },
    resample: raw.resample ?? defaultResample,
    doCenterCrop: raw.do_center_crop ?? !siglip,
    cropSize: typeof crop === 'number' ? { height: crop, width: crop } : { height: crop.height, width: crop.width },
    doRescale: raw.do_rescale ?? true,
    rescaleFactor: raw.rescale_factor ?? 1 / 255,
    doNormalize: raw.do_normalize ?? true,
    imageMean: triple(raw.image_mean, siglip ? [0.5, 0.5, 0.5] : openaiClipMean),
    imageStd: triple(raw.image_std, siglip ? [0.5, 0.5, 0.5] : openaiClipStd),
    doConvertRgb: raw.do_convert_rgb ?? true,
  };
}

/** Keys of which a preprocessor config file has at least one (what tells it from other JSON). */
const preprocessorIdentifyingKeys = ['image_processor_type', 'feature_extractor_type', 'processor_class', 'size', 'crop_size', 'image_mean', 'image_std'] as const;

/**
 * Refuses JSON that is not a preprocessor config (`{}`, a model's config.json, a pipeline config),
 * which would otherwise silently become Hugging Face's defaults: one line naming the file, what it
 * looks like, and the keys expected.
 */
function checkIsPreprocessorConfig(json: unknown, source: string): void {
  const keys = json !== null && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
  if (keys.some((key) => (preprocessorIdentifyingKeys as readonly string[]).includes(key))) return;
  const looksLike =
    json === null || typeof json !== 'object' || Array.isArray(json)
      ? 'it is not a JSON object'
      : keys.length === 0
        ? 'it is an empty object'
        : keys.includes('model_type') || keys.includes('architectures')
          ? `it looks like a model's config.json (model_type '${String((json as Record<string, unknown>).model_type ?? '?')}'); give the preprocessor_config.json beside it, or the model folder`
          : keys.includes('encoders') || keys.includes('decoder') || keys.includes('strategy')
            ? 'it looks like a pipeline config; give the preprocessor_config.json of a model folder'
            : `its keys are ${keys
                .slice(0, 6)
                .map((key) => `'${key}'`)
                .join(', ')}${keys.length > 6 ? ', ...' : ''}`;
  throw new InvalidConfigError(
    `${source} is not a preprocessor config (${looksLike}): expected image_processor_type or feature_extractor_type, or the size, crop_size, image_mean and image_std keys of a Hugging Face preprocessor_config.json`,
  );
}

/**
 * Reads and validates a `preprocessor_config.json`; errors name the file and the key. A file with none
 * of the keys that identify a preprocessor config is refused (see checkIsPreprocessorConfig).
 */
export async function loadPreprocessorConfig(path: string): Promise<PreprocessorConfig> {
  const json: unknown = await readJsonFile(path, z.unknown());
  checkIsPreprocessorConfig(json, path);
  return parsePreprocessorConfig(json, path);
}
