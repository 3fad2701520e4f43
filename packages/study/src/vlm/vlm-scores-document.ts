import type { ContrastiveFamily } from '../encoders/contrastive-family';

/** A 95% interval [low, high], percent. */
type Interval = readonly [number, number];

/** One pattern's score: correct pairs / pairs x 100 with its 95% bootstrap interval over those pairs. */
export interface VlmPatternResult {
  readonly pattern: string;
  readonly pairs: number;
  readonly correctPairs: number;
  readonly score: number;
  readonly ci95: Interval;
}

/** A pair left out of the scores: its 1-based number in Questions.csv, and why. */
export interface VlmSkippedPairRecord {
  readonly pairId: number;
  readonly reason: string;
}

/** What vlm-eval-scores.json holds (and `mmvp eval-vlm --json` prints). */
export interface VlmScoresDocument {
  readonly benchmark: 'MMVP-VLM';
  readonly pairs: number;
  readonly correctPairs: number;
  readonly perPattern: readonly VlmPatternResult[];
  readonly perPatternCi95: Readonly<Record<string, Interval>>;
  readonly average: number;
  readonly averageCi95: Interval;
  readonly overall: number;
  readonly overallCi95: Interval;
  readonly interval: string;
  readonly rule: string;
  readonly prompt: string;
  /** Encoder family from config.json's model_type ('clip' or 'siglip'). */
  readonly family: ContrastiveFamily;
  readonly logitScale: number;
  /** Added to every logit: SigLIP's logit_bias; 0 for CLIP. */
  readonly logitBias: number;
  readonly skippedPairs: readonly VlmSkippedPairRecord[];
  readonly seconds: { readonly images: number; readonly texts: number; readonly total: number };
  readonly imagesPerSecond: number;
  readonly inputs: { readonly data: string; readonly questions: { readonly path: string; readonly sha256: string } };
  readonly provenance: {
    readonly tool: string;
    readonly packages: Readonly<Record<string, string>>;
    readonly node: string;
    readonly model: {
      readonly folder: string;
      readonly files: { readonly vision: { path: string; sha256: string }; readonly text: { path: string; sha256: string } };
      readonly imageSize: readonly number[];
      readonly cropRounding: string;
      readonly executionProvider: string;
    };
    readonly createdAt: string;
  };
}
