import { z } from 'zod';
import { executionProviders } from '@mmvp/onnx';
import type { DatasetIssue } from '@mmvp/datasets';
import type { ProgressEvent } from '../runner/workflow-events';

/** What evaluateVlm reports while it runs (the CLI prints these; a library user may ignore them): its slice of StudyEvent. */
export type EvalVlmEvent =
  /** Everything resolved, before any encoding: what is about to run. */
  | {
      readonly workflow: 'eval-vlm';
      readonly type: 'resolved';
      /** The encoder family from config.json's model_type, and the package that runs it. */
      readonly family: 'clip' | 'siglip';
      readonly encoderPackage: string;
      /** The logit scale and bias the scores use (SigLIP: the checkpoint's; CLIP: the fixed temperature, bias 0). */
      readonly logitScale: number;
      readonly logitBias: number;
      readonly pairs: number;
      readonly patterns: number;
      readonly questionsFile: string;
      readonly visionModel: string;
      readonly textModel: string;
      readonly imageSize: readonly number[];
      readonly executionProvider: string;
      readonly packages: Readonly<Record<string, string>>;
    }
  /** A problem in the benchmark folder (non-strict mode); the pairs it touches are left out. */
  | { readonly workflow: 'eval-vlm'; readonly type: 'issue'; readonly issue: DatasetIssue }
  /** Pairs encoded so far (stage `pairs`). */
  | ProgressEvent<'eval-vlm', 'pairs'>
  /** A pair left out because one of its images could not be decoded (non-strict mode). */
  | { readonly workflow: 'eval-vlm'; readonly type: 'skipped'; readonly pairId: number; readonly reason: string };

/** Options of evaluateVlm; checked with zod (unknown keys are errors). */
export const evaluateVlmOptionsSchema = z
  .object({
    /** CLIP or SigLIP model folder (config.json with model_type 'clip' or 'siglip', preprocessor_config.json, tokenizer.json, onnx/vision_model.onnx + onnx/text_model.onnx). */
    model: z.string().min(1),
    /** MMVP-VLM folder (Questions.csv + MMVP_VLM_Images/<Type>/<id>.jpg or .png). */
    data: z.string().min(1),
    /** When given: the folder to write vlm-eval-scores.json, vlm-pairs.csv and vlm-scores.md into (held locked while the run writes it). */
    out: z.string().min(1).optional(),
    /** Images per encoder call (pairs are encoded batchSize / 2 at a time). */
    batchSize: z.number().int().positive().default(16),
    executionProvider: z.enum(executionProviders).default('cpu'),
    /** The logit temperature; changes the reported probabilities, never a prediction. Default: 100 for CLIP (OpenAI CLIP's value), the checkpoint's exp(logit_scale) for SigLIP. */
    logitScale: z.number().positive().finite().optional(),
    /** Center-crop offset: 'floor' (Hugging Face processors) or 'round' (OpenAI clip / torchvision). */
    cropRounding: z.enum(['floor', 'round']).default('floor'),
    /** true: any problem (bad row, missing or unreadable image) fails the run; false: its pair is left out and listed in skippedPairs. */
    strict: z.boolean().default(false),
    /** Who made the results, for provenance (the CLI passes `mmvp <version>`). */
    tool: z.string().min(1).optional(),
    /** Stops the run at its next batch; nothing is written. */
    abortSignal: z.instanceof(AbortSignal).optional(),
    /** Called with what the run resolved, issues found in the data, pairs encoded so far and pairs left out. */
    onEvent: z.function().args(z.custom<EvalVlmEvent>()).returns(z.unknown()).optional(),
  })
  .strict();

/** What a caller passes to {@link evaluateVlm}: the MMVP-VLM folder, the CLIP model and scoring options. */
export type EvaluateVlmOptions = z.input<typeof evaluateVlmOptionsSchema>;
