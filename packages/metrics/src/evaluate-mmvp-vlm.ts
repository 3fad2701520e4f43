import { FileFormatError, InvalidArgumentError, NumericError, type ImageSource, type TextEncoderV1, type Tensor, type VisionEncoderV1 } from '@mmvp/core';
import { scoreMmvpVlm, type VlmScores } from './mmvp-vlm-score';
import { sigmoidChoices, sigmoidScores } from './mmvp-vlm-sigmoid';

/** What the evaluation needs of an MMVP-VLM pair (a `MmvpVlmPair` of @mmvp/datasets fits). */
export interface VlmPairInput {
  readonly pattern: string;
  readonly statements: readonly [VlmStatementInput, VlmStatementInput];
}

/** One MMVP-VLM statement with its two images. */
export interface VlmStatementInput {
  readonly id: number;
  readonly statement: string;
  readonly imagePath: ImageSource;
}

/** Options of evaluateMmvpVlm: the vision and text encoders, logit scale, prompt prefix, batching, progress and abort signal. */
export interface VlmEvaluationOptions {
  readonly vision: VisionEncoderV1;
  readonly text: TextEncoderV1;
  /**
   * CLIP's learned temperature (logits = scale x cosine). It changes the reported probabilities, never
   * a prediction (P(image 1) > 0.5 iff its cosine is larger). Default 100, OpenAI CLIP's value.
   */
  readonly logitScale?: number;
  /**
   * Added to every logit (SigLIP's learned logit_bias: logits = scale x cosine + bias; CLIP: 0, the default).
   * The softmax over a statement's two images cancels it, so it never changes a prediction either.
   */
  readonly logitBias?: number;
  /**
   * SigLIP: also give each row SigLIP's own scores, sigmoid(logit) per statement and image. Their
   * per-statement argmax is the softmax rule's choice (checked for every pair; a disagreement throws).
   */
  readonly sigmoidScores?: boolean;
  /** Text prompt before each statement; default `a photo of ` as in the official script. */
  readonly promptPrefix?: string;
  /** Pairs whose images are embedded per step (default 16). */
  readonly pairsPerStep?: number;
  /** Patterns to list first (e.g. the nine in benchmark order). */
  readonly order?: readonly string[];
  /** Called as pairs finish, with the pairs done and the total. */
  readonly onProgress?: (donePairs: number, totalPairs: number) => void;
  readonly signal?: AbortSignal;
  /**
   * An image that cannot be read or decoded (truncated, corrupt, a dangling link): 'fail' (default)
   * throws its FileFormatError; 'skip-pair' leaves that pair out of the scores and lists it in
   * `skipped`, as a loader does with a missing image.
   */
  readonly unreadableImages?: 'fail' | 'skip-pair';
}

/** A pair left out because one of its images could not be read (position in the input, and why). */
export interface VlmSkippedPair {
  readonly index: number;
  readonly qid1: number;
  readonly qid2: number;
  readonly pattern: string;
  readonly reason: string;
}

/** One scored pair, in the columns of the official per-pair output.csv plus the logits. */
export interface VlmPairRow {
  readonly qid1: number;
  readonly qid2: number;
  readonly pattern: string;
  /** logits_per_text: [statement][image]. */
  readonly logits: readonly [readonly [number, number], readonly [number, number]];
  readonly probabilityImage1: readonly [number, number];
  readonly pred1: 'img1' | 'img2';
  readonly pred2: 'img1' | 'img2';
  readonly correct: boolean;
  /** With `sigmoidScores`: sigmoid(logit) [statement][image], SigLIP's own score. */
  readonly sigmoid?: readonly [readonly [number, number], readonly [number, number]];
}

/** MMVP-VLM scores with the per-statement probabilities behind them. */
export interface VlmEvaluation extends Omit<VlmScores, 'pairs'> {
  readonly rows: readonly VlmPairRow[];
  readonly logitScale: number;
  readonly logitBias: number;
  readonly promptPrefix: string;
  /** Pairs left out because an image could not be read (only with unreadableImages 'skip-pair'). */
  readonly skipped: readonly VlmSkippedPair[];
  /** Seconds spent encoding images, encoding texts, and in total. */
  readonly seconds: { readonly images: number; readonly texts: number; readonly total: number };
}

/**
 * Scores a CLIP-style model on MMVP-VLM exactly as the official `evaluate_vlm.py` does, but batched:
 * every statement is encoded once as `"a photo of " + statement`, every image once, and each pair's
 * logits_per_text = logitScale x cosine(text, image) + logitBias over its two images; then scoreMmvpVlm applies
 * the rule (softmax, statement 1 -> image 1, statement 2 -> image 2, ties to image 2).
 */
export async function evaluateMmvpVlm(pairs: readonly VlmPairInput[], options: VlmEvaluationOptions): Promise<VlmEvaluation> {
  const logitScale = options.logitScale ?? 100;
  if (!(logitScale > 0) || !Number.isFinite(logitScale)) throw new InvalidArgumentError(`logitScale must be a positive number, got ${logitScale}`);
  const logitBias = options.logitBias ?? 0;
  if (!Number.isFinite(logitBias)) throw new InvalidArgumentError(`logitBias must be a finite number, got ${logitBias}`);
  const promptPrefix = options.promptPrefix ?? 'a photo of ';
  const step = options.pairsPerStep ?? 16;
  const started = performance.now();

  const textStarted = performance.now();
  const texts = pairs.flatMap((pair) => pair.statements.map((statement) => promptPrefix + statement.statement));
  const textEmbeddings = normalizeRows(await options.text.encodeTexts(texts, options.signal ? { signal: options.signal } : {}), 'text embeddings'); // [2P, E]
  const textSeconds = (performance.now() - textStarted) / 1000;

  let imageSeconds = 0;
  const logits: [[number, number], [number, number]][] = [];
  const kept: number[] = []; // input positions of the scored pairs
  const skipped: VlmSkippedPair[] = [];
  const imagesOf = (pair: VlmPairInput) => pair.statements.map((statement) => statement.imagePath);
  for (let start = 0; start < pairs.length; start += step) {
    options.signal?.throwIfAborted();
    const chunk = pairs.slice(start, start + step);
    const imageStarted = performance.now();
    let readable = chunk.map((_, local) => start + local);
    let pixels: Tensor | undefined;
    try {
      pixels = await options.vision.preprocess(chunk.flatMap(imagesOf)); // [2p, 3, H, W]
    } catch (error) {
      if (options.unreadableImages !== 'skip-pair' || !FileFormatError.isInstance(error)) throw error;
      // one pair at a time, to find the pair(s) with the unreadable image
      const parts: Tensor[] = [];
      readable = [];
      for (const [local, pair] of chunk.entries()) {
        try {
          parts.push(await options.vision.preprocess(imagesOf(pair))); // [2, 3, H, W]
          readable.push(start + local);
        } catch (pairError) {
          if (!FileFormatError.isInstance(pairError)) throw pairError;
          skipped.push({ index: start + local, qid1: pair.statements[0].id, qid2: pair.statements[1].id, pattern: pair.pattern, reason: (pairError as Error).message });
        }
      }
      pixels = parts.length === 0 ? undefined : concatenate(parts); // [2p', 3, H, W]
    }
    if (pixels !== undefined) {
      const images = normalizeRows(await options.vision.embedPixels(pixels, options.signal ? { signal: options.signal } : {}), 'image embeddings'); // [2p', E]
      if (images.width !== textEmbeddings.width) {
        throw new InvalidArgumentError(`image embeddings have width ${images.width} but text embeddings ${textEmbeddings.width}; the two towers are not from the same CLIP model`);
      }
      readable.forEach((pairIndex, local) => {
        const row = (statement: number): [number, number] => [0, 1].map((image) => logitScale * dot(textEmbeddings, 2 * pairIndex + statement, images, 2 * local + image) + logitBias) as [number, number];
        logits.push([row(0), row(1)]);
        kept.push(pairIndex);
      });
    }
    imageSeconds += (performance.now() - imageStarted) / 1000;
    options.onProgress?.(Math.min(start + step, pairs.length), pairs.length);
  }
  const scores = scoreMmvpVlm(
    kept.map((pairIndex, index) => ({ pattern: pairs[pairIndex]!.pattern, logits: logits[index]! })),
    options.order,
  );
  const rows = scores.pairs.map((scored, index): VlmPairRow => {
    const pair = pairs[kept[index]!]!;
    if (options.sigmoidScores) {
      const choices = sigmoidChoices(logits[index]!);
      if (choices[0] !== scored.predictions[0] || choices[1] !== scored.predictions[1]) {
        throw new NumericError(`pair ${pair.statements[0].id}/${pair.statements[1].id}: the sigmoid argmax (${choices.join(', ')}) differs from the softmax rule (${scored.predictions.join(', ')})`);
      }
    }
    return {
      qid1: pair.statements[0].id,
      qid2: pair.statements[1].id,
      pattern: pair.pattern,
      logits: logits[index]!,
      probabilityImage1: scored.probabilityImage1,
      pred1: scored.predictions[0] === 1 ? 'img1' : 'img2',
      pred2: scored.predictions[1] === 1 ? 'img1' : 'img2',
      correct: scored.correct,
      ...(options.sigmoidScores ? { sigmoid: sigmoidScores(logits[index]!) } : {}),
    };
  });
  return {
    rows,
    perPattern: scores.perPattern,
    average: scores.average,
    overall: scores.overall,
    logitScale,
    logitBias,
    promptPrefix,
    skipped,
    seconds: { images: imageSeconds, texts: textSeconds, total: (performance.now() - started) / 1000 },
  };
}

/** Stacks [b_i, ...rest] tensors along the first axis into [sum b_i, ...rest]. */
function concatenate(parts: readonly Tensor[]): Tensor {
  const rest = parts[0]!.dims.slice(1);
  const data = new Float32Array(parts.reduce((sum, part) => sum + part.data.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return { data, dims: [parts.reduce((sum, part) => sum + part.dims[0]!, 0), ...rest] };
}

/** Rows of a [N, E] tensor scaled to unit length (CLIP compares normalized embeddings). */
function normalizeRows(tensor: Tensor, what: string): { data: Float64Array; width: number } {
  if (tensor.dims.length !== 2) throw new InvalidArgumentError(`${what} must be [N, E], got [${tensor.dims.join(', ')}]`);
  const [rows, width] = tensor.dims as [number, number];
  const data = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < width; c++) sum += tensor.data[r * width + c]! ** 2;
    const norm = Math.sqrt(sum);
    if (!(norm > 0) || !Number.isFinite(norm)) throw new NumericError(`${what}: row ${r} has norm ${norm}; cannot normalize`);
    for (let c = 0; c < width; c++) data[r * width + c] = tensor.data[r * width + c]! / norm;
  }
  return { data, width };
}

function dot(a: { data: Float64Array; width: number }, rowA: number, b: { data: Float64Array; width: number }, rowB: number): number {
  let sum = 0;
  for (let c = 0; c < a.width; c++) sum += a.data[rowA * a.width + c]! * b.data[rowB * b.width + c]!;
  return sum;
}
