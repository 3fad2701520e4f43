import type { PairedComparison } from '@mmvp/metrics';
import type { GradedAnswer, Interval, RatioScores } from './score-ratio';

// The sweep's result types, shared by run-sweep.ts (which computes them) and write-sweep-files.ts
// (which writes them): in a file of their own so neither imports the other.

/** 'fixed-adapter': one pipeline, only r changes; 'per-ratio': one trained model per ratio (the paper's Table 3). */
export type SweepProtocol = 'fixed-adapter' | 'per-ratio';

/** One ratio's outcome. Scores in percent; intervals are 95% Wilson intervals over pairs. */
export interface SweepRatioResult extends RatioScores {
  readonly ratio: number;
  /** The ratio as written in `ratios` (what `{r}` became). */
  readonly text: string;
  /** `r=<ratio>`: the model name in the results files. */
  readonly model: string;
  /** The config this ratio ran (path, or the config's name). */
  readonly pipeline: string;
  /** Per-question accuracy on the proxy set; null without one. */
  readonly instructionFollowing: number | null;
  readonly instructionFollowingCi95: Interval | null;
  readonly proxyQuestions: number;
  /** This ratio minus the baseline ratio (pair accuracy, points); absent for the baseline itself. */
  readonly comparison?: PairedComparison & { readonly baseline: string };
  readonly answers: readonly GradedAnswer[];
  readonly proxyAnswers: readonly GradedAnswer[];
}
