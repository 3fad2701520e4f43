import { z } from 'zod';

const tapForms = `{"kind": "layer", "layer": K}, {"kind": "prenorm"} or {"kind": "last"}`;
const featureTapSchema = z.discriminatedUnion(
  'kind',
  [z.object({ kind: z.literal('layer'), layer: z.number().int() }).strict(), z.object({ kind: z.literal('prenorm') }).strict(), z.object({ kind: z.literal('last') }).strict()],
  {
    // the valid choices, where zod would say only "Invalid input" / "Invalid discriminator value"
    errorMap: (issue, context) => {
      if (issue.code === 'invalid_union_discriminator')
        return { message: `kind ${(context.data as { kind?: unknown } | undefined)?.kind === undefined ? 'is missing' : 'is not valid'}; valid choices: 'layer', 'prenorm' or 'last' (${tapForms})` };
      if (issue.code === 'invalid_type') return { message: `must be an object: ${tapForms}, got ${JSON.stringify(context.data)}` };
      return { message: context.defaultError };
    },
  },
);

/**
 * One vision encoder: the package that implements VisionEncoderV1 (`use`, swapped by changing this
 * line), its model folder, the feature tap and the tokens kept.
 */
export const encoderConfigSchema = z
  .object({
    /** An installed npm package name, or a './' file inside the config's folder, whose default export is a ComponentModule (the config is code: this module runs). */
    use: z.string().min(1),
    /** Model folder (Hugging Face layout); relative to the config file. */
    model: z.string().min(1),
    /** Default: CLIP `{kind:'layer', layer:-2}` (LLaVA), DINOv2 `{kind:'prenorm'}` (MMVP's x_prenorm). */
    tap: featureTapSchema.optional(),
    /** Default 'patch' (CLS dropped), as LLaVA and MMVP's MoF. */
    tokens: z.enum(['patch', 'cls', 'all']).default('patch'),
    /**
     * Which pixel_values this encoder reads: 'clip' = the CLIP encoder's preprocessed image (MMVP's
     * DINOv2 gets CLIP resize, crop and mean/std; the default for `dino` when a CLIP encoder is set),
     * 'own' = its own processor.
     */
    pixels: z.enum(['own', 'clip']).optional(),
    /** Extra options for the component's `create` (checked by its own schema); `...Path` strings resolve against the config file. */
    options: z.record(z.unknown()).default({}),
  })
  .strict();

/** One projection adapter: LLaVA weights in safetensors. */
export const adapterConfigSchema = z
  .object({
    type: z.enum(['linear', 'mlp2x_gelu']),
    /** .safetensors file; relative to the config file. */
    weights: z.string().min(1),
    /** 'model.mm_projector', 'model.dino_mm_projector', '' (bare names); omitted = find it. */
    prefix: z.string().optional(),
    /** LLM hidden size the adapter must produce (checked against the weights when given). */
    hiddenSize: z.number().int().positive().optional(),
    /** 'ort' (default): ONNX graph on the pipeline's execution provider; 'js': tiled loops. */
    runtime: z.enum(['ort', 'js']).optional(),
  })
  .strict();

/** The mixture strategy of a pipeline config (`additive` takes `dinoRatio`). */
export const strategyConfigSchema = z
  .object({
    name: z.enum(['clip', 'dino', 'additive', 'interleaved']),
    /** A-MoF DINOv2 share r: (1 - r) * clip + r * dino. Required for 'additive'. */
    dinoRatio: z.number().min(0).max(1).optional(),
    /** 'bilinear' resizes the DINOv2 token grid to the CLIP grid when they differ; default 'none' (error). */
    resampleTokenGrid: z.enum(['none', 'bilinear']).default('none'),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.name === 'additive' && value.dinoRatio === undefined) {
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['dinoRatio'], message: "strategy 'additive' needs dinoRatio, a number in [0, 1]" });
    }
    if (value.name !== 'additive' && value.dinoRatio !== undefined) {
      // Silently ignoring it would let a config that reads as A-MoF run plain CLIP (or I-MoF).
      context.addIssue({ code: z.ZodIssueCode.custom, path: ['dinoRatio'], message: `dinoRatio applies only to strategy 'additive', not '${value.name}'; remove it or use 'additive'` });
    }
  });

/** Decoder settings; the field names are @mmvp/decoder's (issue 5). */
export const decoderConfigSchema = z
  .object({
    /** Decoder model folder (tokenizer.json, config.json, onnx/embed_tokens.onnx, onnx/decoder_model_merged.onnx); relative to the config file. */
    modelPath: z.string().min(1),
    /**
     * Conversation template: 'llava_v1' (LLaVA-1.5's, "curious human"; MMVP's evaluate_mllm.py), 'vicuna_v1'
     * ("curious user"; Cambrian's mmvp_eval.py and lmms-eval's LLaVA wrapper), 'plain', or 'folder' (the model folder's chat template).
     */
    template: z.enum(['llava_v1', 'vicuna_v1', 'plain', 'folder']).default('llava_v1'),
    /**
     * Question format: 'original' (MMVP script: question + options), 'lmms' (lmms-eval: A./B. + answer with the
     * letter) or 'cambrian' (Cambrian: ' Options:' after the question, then as lmms).
     */
    prompt: z.enum(['original', 'lmms', 'cambrian']).default('lmms'),
    maxNewTokens: z.number().int().positive().default(128),
    /** 0 = greedy (default, as lmms-eval); the original MMVP script samples at 0.2. */
    temperature: z.number().min(0).default(0),
    topP: z.number().gt(0).max(1).default(1),
    seed: z.number().int().default(0),
  })
  .strict();

/** The kernel backends of a pipeline config, tried in order (`js`, `gpujs`, `ort`). */
export const kernelsConfigSchema = z
  .object({
    /** Kernel backends to try in order, e.g. ['ort', 'js'] (a single name is accepted too); default: wasm, then js. */
    backend: z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(z.enum(['wasm', 'js', 'gpujs', 'ort'])).min(1)),
    /** Execution provider of the `ort` kernels (default: the pipeline's executionProvider). */
    executionProvider: z.enum(['cpu', 'webgpu', 'cuda']).optional(),
  })
  .strict();

/** A pipeline: encoders -> adapters -> mixture strategy -> (decoder). Unknown keys are errors. */
export const pipelineConfigSchema = z
  .object({
    /** Optional JSON-schema pointer for editors; ignored. */
    $schema: z.string().optional(),
    /** A short name for reports. */
    name: z.string().optional(),
    description: z.string().optional(),
    executionProvider: z.enum(['cpu', 'webgpu', 'cuda']).default('cpu'),
    encoders: z
      .object({
        clip: encoderConfigSchema.optional(),
        dino: encoderConfigSchema.optional(),
      })
      .strict(),
    /** By role: `clip` (mm_projector), `dino` (dino_mm_projector or a DINOv2-only projector), `additive` (the A-MoF adapter). */
    adapters: z
      .object({
        clip: adapterConfigSchema.optional(),
        dino: adapterConfigSchema.optional(),
        additive: adapterConfigSchema.optional(),
      })
      .strict(),
    strategy: strategyConfigSchema,
    kernels: kernelsConfigSchema.optional(),
    decoder: decoderConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, context) => {
    const needs: Record<string, { encoders: ('clip' | 'dino')[]; adapters: ('clip' | 'dino' | 'additive')[] }> = {
      clip: { encoders: ['clip'], adapters: ['clip'] },
      dino: { encoders: ['dino'], adapters: ['dino'] },
      additive: { encoders: ['clip', 'dino'], adapters: ['additive'] },
      interleaved: { encoders: ['clip', 'dino'], adapters: ['clip', 'dino'] },
    };
    const need = needs[config.strategy.name]!;
    for (const encoder of need.encoders) {
      if (config.encoders[encoder] === undefined) {
        context.addIssue({ code: z.ZodIssueCode.custom, path: ['encoders', encoder], message: `strategy '${config.strategy.name}' needs encoders.${encoder}` });
      }
    }
    const { clip, dino } = config.encoders;
    if (need.encoders.length === 2 && clip !== undefined && dino !== undefined && clip.tokens !== dino.tokens) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['encoders', 'dino', 'tokens'],
        message: `strategy '${config.strategy.name}' pairs CLIP and DINOv2 tokens one to one, so encoders.dino.tokens ('${dino.tokens}') must equal encoders.clip.tokens ('${clip.tokens}')`,
      });
    }
    for (const adapter of need.adapters) {
      if (config.adapters[adapter] === undefined) {
        context.addIssue({ code: z.ZodIssueCode.custom, path: ['adapters', adapter], message: `strategy '${config.strategy.name}' needs adapters.${adapter}` });
      }
    }
  });

/** A pipeline config as written in JSON (before defaults are filled in). */
export type PipelineConfigInput = z.input<typeof pipelineConfigSchema>;
/** A validated pipeline config with paths resolved to absolute paths (see loadPipelineConfig). */
export type PipelineConfig = z.output<typeof pipelineConfigSchema> & {
  readonly configPath?: string;
  /** The folder the config's relative paths resolved against; its component files must lie inside it (see ComponentSource). */
  readonly configFolder?: string;
};
/** One encoder entry of a pipeline config: package, model folder, tap and options. */
export type EncoderConfig = z.output<typeof encoderConfigSchema>;
/** One adapter entry of a pipeline config: type, weights file and prefix. */
export type AdapterConfig = z.output<typeof adapterConfigSchema>;
/** The mixture strategy entry of a pipeline config. */
export type StrategyConfig = z.output<typeof strategyConfigSchema>;
/** The decoder entry of a pipeline config: model folder, template and generation settings. */
export type DecoderConfig = z.output<typeof decoderConfigSchema>;
