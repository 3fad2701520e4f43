import { InvalidArgumentError, seededRandom } from '@mmvp/core';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, comparePairAccuracy, formatWithInterval, holmAdjustComparisons, pearson, type GradedResult, type PairedComparison } from '@mmvp/metrics';
import type { PairOutcome } from './pattern-intervals';
import type { ModelScores } from './model-scores';
import type { SeedSummaries } from './seed-summaries';
import type { SeedAveragedComparison } from './seed-summary';
import type { BlindPair, MllmScores } from '@mmvp/results';

type Interval = readonly [number, number];
/** A paired comparison of two tiny LLaVA models on the same pairs, with its bootstrap interval. */
export type DemoComparison = MllmScores['comparisons'][number];

/** The paired comparisons the findings rest on: b minus a, same pairs. */
const COMPARISONS: readonly { a: string; b: string; description: string }[] = [
  { a: 'llava-clip', b: 'llava-imof', description: 'I-MoF vs CLIP-only (finding 3)' },
  { a: 'llava-clip', b: 'llava-amof-0', description: 'seed noise: A-MoF r = 0 is the CLIP-only architecture trained with another seed' },
  ...['0.25', '0.5', '0.625', '0.75', '0.875', '1'].map((r) => ({ a: 'llava-amof-0', b: `llava-amof-${r}`, description: `A-MoF r = ${r} vs r = 0 (finding 3)` })),
];

/**
 * comparePairAccuracy (paired bootstrap + exact McNemar) for each comparison whose two models ran.
 * The ratios against r = 0 are one family: their McNemar p-values are Holm-adjusted
 * (`mcnemarPHolm`) and `resolved` needs the adjusted p below 0.05 as well as the interval.
 */
export function demoComparisons(models: readonly ModelScores[]): DemoComparison[] {
  const compared = pairedComparisons(models);
  const family = compared.filter((c) => c.a === 'llava-amof-0' && c.b.startsWith('llava-amof-'));
  const adjusted = holmAdjustComparisons(family);
  return compared.map((c) => adjusted[family.indexOf(c)] ?? c);
}

function pairedComparisons(models: readonly ModelScores[]): DemoComparison[] {
  const byName = new Map(models.map((model) => [model.entry.name, model]));
  return COMPARISONS.flatMap(({ a, b, description }) => {
    const first = byName.get(a);
    const second = byName.get(b);
    if (!first || !second) return [];
    const result: PairedComparison = comparePairAccuracy(first.results, second.results);
    return [
      {
        a,
        b,
        pairs: result.pairs,
        difference: result.difference,
        differenceCi95: [result.differenceCi95[0], result.differenceCi95[1]],
        onlyA: result.onlyA,
        onlyB: result.onlyB,
        mcnemarP: result.mcnemarP,
        resolved: result.resolved,
        minimumDetectableDifference: result.minimumDetectableDifference,
        description,
      },
    ];
  });
}

/** A Pearson correlation with its bootstrap 95% interval (null when it is undefined, e.g. a constant series). */
export interface CorrelationWithInterval {
  readonly pearson: number | null;
  /** 95% percentile interval; null when r is undefined or too many resamples are degenerate. */
  readonly pearsonCi95: Interval | null;
  /** Resamples in which a series was constant (r undefined), left out of the interval. */
  readonly undefinedResamples: number;
}

function pearsonOrNull(a: readonly number[], b: readonly number[]): number | null {
  try {
    return pearson(a, b);
  } catch {
    return null; // a constant series: undefined correlation, reported as such
  }
}

/**
 * Pearson r between the tiny CLIP's per-pattern MMVP-VLM scores and an MLLM's per-pattern pair
 * accuracy, with a 95% bootstrap interval OVER PAIRS, stratified by pattern: each resample redraws,
 * within every pattern, that pattern's pairs with replacement, using the SAME pair indices for both
 * series (pair k is the same scene in MMVP-VLM and MMVP), recomputes both per-pattern score vectors
 * and r. Resamples where a series is constant (r undefined) are dropped and counted. Seed 2024,
 * 10,000 resamples, as every other interval.
 */
export function correlationWithInterval(
  patterns: readonly string[],
  clip: { readonly pairs: readonly PairOutcome[]; readonly perPattern: Record<string, number> },
  mllm: { readonly results: readonly (GradedResult & { readonly pattern: string })[]; readonly perPattern: Record<string, number> },
): CorrelationWithInterval {
  const clipPairs = clip.pairs;
  // MLLM pair outcomes in pair order (pair k = MMVP rows 2k-1, 2k)
  const byPair = new Map<number, { correct: boolean; pattern: string }>();
  for (const result of mllm.results) byPair.set(result.pairId, { correct: (byPair.get(result.pairId)?.correct ?? true) && result.correct, pattern: result.pattern });
  const ordered = [...byPair.entries()].sort(([x], [y]) => x - y).map(([, pair]) => pair);
  const aligned = ordered.length === clipPairs.length && ordered.every((pair, k) => pair.pattern === clipPairs[k]!.pattern);
  if (!aligned) throw new InvalidArgumentError(`the correlation's interval needs pair k to be the same scene in both series (${clipPairs.length} MMVP-VLM pairs, ${ordered.length} MMVP pairs, patterns not aligned)`);
  const mllmPairs = ordered.map((pair) => pair.correct);
  const groups = patterns.map((pattern) => clipPairs.flatMap((pair, k) => (pair.pattern === pattern ? [k] : [])));
  const scores = (draw: (group: readonly number[]) => readonly number[]) => {
    const x: number[] = [];
    const y: number[] = [];
    for (const group of groups) {
      const picked = draw(group);
      x.push((100 * picked.filter((k) => clipPairs[k]!.correct).length) / Math.max(1, picked.length));
      y.push((100 * picked.filter((k) => mllmPairs[k]!).length) / Math.max(1, picked.length));
    }
    return pearsonOrNull(x, y);
  };
  // the point estimate from the published per-pattern scores (the same numbers the files hold)
  const r = pearsonOrNull(
    patterns.map((p) => clip.perPattern[p]!),
    patterns.map((p) => mllm.perPattern[p]!),
  );
  const random = seededRandom(BOOTSTRAP_SEED);
  const samples: number[] = [];
  let undefinedResamples = 0;
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    const value = scores((group) => group.map(() => group[Math.floor(random() * group.length)]!));
    if (value === null) undefinedResamples++;
    else samples.push(value);
  }
  if (r === null || samples.length < BOOTSTRAP_RESAMPLES / 2) return { pearson: r, pearsonCi95: null, undefinedResamples };
  samples.sort((x, y) => x - y);
  const quantile = (q: number) => {
    const position = (samples.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return samples[low]! + (samples[high]! - samples[low]!) * (position - low);
  };
  const round = (value: number) => Math.round(value * 1e9) / 1e9;
  return { pearson: r, pearsonCi95: [round(quantile(0.025)), round(quantile(0.975))], undefinedResamples };
}

/** The study's three findings as the demo measured them: numbers with intervals and one plain statement each. */
export interface DemoFindings {
  readonly clipBlindness: { readonly statement: string; readonly belowChance: boolean };
  readonly inheritance: { readonly statement: string; readonly correlation: CorrelationWithInterval | null; readonly resolved: boolean };
  readonly mixture: {
    readonly statement: string;
    readonly imofVsClipOnly: DemoComparison | null;
    /** I-MoF vs CLIP-only with each side averaged over its seeds (when several seeds ran): the comparison finding 3 is stated on. */
    readonly imofVsClipOnlySeedAveraged: SeedAveragedComparison | null;
    readonly seedNoise: DemoComparison | null;
    readonly amofVsZero: readonly DemoComparison[];
  };
}

const points = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
const pValue = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(p < 0.01 ? 3 : 2)}`);
/** `; these 900 pairs resolve 4.1 points or more at 80% power` (what an unresolved comparison could have resolved). */
const powerNote = (c: { readonly pairs: number; readonly minimumDetectableDifference?: number | null | undefined }) =>
  c.minimumDetectableDifference == null ? '' : `; these ${c.pairs} pairs resolve ${c.minimumDetectableDifference.toFixed(1)} points or more at 80% power`;
/** `+5.9 points [-3.0, 14.8], McNemar p = 0.27`. */
const describeDifference = (c: DemoComparison) => `${points(c.difference)} points [${c.differenceCi95[0].toFixed(1)}, ${c.differenceCi95[1].toFixed(1)}], McNemar ${pValue(c.mcnemarP)}, ${c.pairs} pairs`;

/** Builds the findings' statements; a difference is claimed only when its interval excludes 0. */
export function demoFindings(input: {
  readonly patterns: readonly string[];
  readonly clip: { readonly perPattern: Record<string, number>; readonly perPatternCi95: Record<string, Interval>; readonly average: number; readonly averageCi95: Interval };
  readonly clipProbe: { readonly average: number; readonly averageCi95: Interval };
  readonly sslProbe: { readonly average: number; readonly averageCi95: Interval };
  readonly blindPairs: readonly BlindPair[];
  readonly pool: number;
  readonly models: readonly ModelScores[];
  readonly correlation: CorrelationWithInterval | null;
  readonly comparisons: readonly DemoComparison[];
  readonly seeds?: SeedSummaries;
}): DemoFindings {
  const { clip } = input;
  const best = [...input.patterns].sort((x, y) => clip.perPattern[y]! - clip.perPattern[x]!)[0]!;
  const belowChance = clip.averageCi95[1] < 25;
  const clipBlindness = {
    belowChance,
    statement:
      `tiny-clip MMVP-VLM average ${formatWithInterval(clip.average, clip.averageCi95)} ` +
      `(${belowChance ? 'below the 25% chance level: the interval excludes 25' : 'not resolved from the 25% chance level at this scale'}); ` +
      `best pattern ${best} ${formatWithInterval(clip.perPattern[best]!, clip.perPatternCi95[best]!)}; ` +
      `image-only probe: tiny-clip ${formatWithInterval(input.clipProbe.average, input.clipProbe.averageCi95)}, tiny-ssl ${formatWithInterval(input.sslProbe.average, input.sslProbe.averageCi95)}; ` +
      `${input.blindPairs.length} CLIP-blind pairs among ${input.pool} images`,
  };
  const clipOnly = input.models.find((model) => model.entry.name === 'llava-clip');
  const clipSeeds = input.seeds?.summaries.find((summary) => summary.configuration === 'llava-clip');
  const seedLine = clipSeeds
    ? `; over ${clipSeeds.seeds.length} seeds: mean ${formatWithInterval(clipSeeds.mean, clipSeeds.meanCi95)} (sd ${clipSeeds.sd.toFixed(1)}, range ${clipSeeds.min.toFixed(1)}-${clipSeeds.max.toFixed(1)}), ${clipSeeds.meanCi95[0] > 25 ? 'above' : clipSeeds.meanCi95[1] < 25 ? 'below' : 'not resolved from'} the 25% chance level`
    : '';
  const r = input.correlation;
  const rResolved = r?.pearsonCi95 != null && r.pearsonCi95[0] > 0;
  const inheritance = {
    correlation: r,
    resolved: rResolved,
    statement: !clipOnly
      ? 'llava-clip was not run'
      : `llava-clip MMVP pair accuracy ${formatWithInterval(clipOnly.entry.pairAccuracy, clipOnly.entry.pairAccuracyCi95!)} (questions ${formatWithInterval(clipOnly.entry.questionAccuracy, clipOnly.entry.questionAccuracyCi95!)})${seedLine}; ` +
        `Pearson r(tiny-clip, llava-clip per pattern) = ${r?.pearson == null ? 'undefined' : r.pearson.toFixed(2)}` +
        `${r?.pearsonCi95 ? ` [${r.pearsonCi95[0].toFixed(2)}, ${r.pearsonCi95[1].toFixed(2)}] (bootstrap over pairs within patterns)` : ''}: ` +
        (rResolved ? 'positive, the interval excludes 0' : 'not resolved from 0 at this scale'),
  };
  const imof = input.comparisons.find((c) => c.a === 'llava-clip' && c.b === 'llava-imof') ?? null;
  const amofVsZero = input.comparisons.filter((c) => c.a === 'llava-amof-0' && c.b.startsWith('llava-amof-'));
  const parts: string[] = [];
  const averaged = input.seeds?.comparisons.find((c) => c.a === 'llava-clip' && c.b === 'llava-imof') ?? null;
  for (const c of input.seeds?.comparisons ?? []) {
    const what = c.b === 'llava-imof' ? 'I-MoF' : `A-MoF r = ${c.b.slice('llava-amof-'.length)}`;
    const numbers =
      `${points(c.difference)} points [${c.differenceCi95WithSeeds[0].toFixed(1)}, ${c.differenceCi95WithSeeds[1].toFixed(1)}] counting seeds and pairs ` +
      `([${c.differenceCi95[0].toFixed(1)}, ${c.differenceCi95[1].toFixed(1)}] with the seeds held fixed; ${c.seedsB} vs ${c.seedsA} seeds averaged, ${c.pairs} pairs)`;
    const more = c.seedsToResolve === null ? '; no number of seeds resolves it at this many pairs' : `; about ${c.seedsToResolve} seeds each would resolve this difference if it held`;
    parts.push(c.resolved ? `${what} ${c.difference > 0 ? 'beats' : 'trails'} CLIP-only: ${numbers}` : `${what} vs CLIP-only: ${numbers}; not resolved at this scale (the interval includes 0)${more}${powerNote(c)}`);
  }
  if (imof)
    parts.push(
      averaged
        ? `seed 1 alone: I-MoF vs CLIP-only ${describeDifference(imof)}${imof.resolved ? ' (resolved)' : ''}`
        : imof.resolved
          ? `I-MoF ${imof.difference > 0 ? 'beats' : 'trails'} CLIP-only: ${describeDifference(imof)}`
          : `I-MoF vs CLIP-only: ${describeDifference(imof)}; not resolved at this scale (the interval includes 0)${powerNote(imof)}`,
    );
  const seedNoise = input.comparisons.find((c) => c.a === 'llava-clip' && c.b === 'llava-amof-0');
  if (seedNoise) parts.push(`seed noise (llava-amof-0 is the CLIP-only architecture with another seed): ${describeDifference(seedNoise)}`);
  if (amofVsZero.length > 0) {
    const resolved = amofVsZero.filter((c) => c.resolved);
    parts.push(
      `A-MoF vs r = 0 (${amofVsZero.length} comparisons, McNemar p Holm-adjusted over them): ${amofVsZero.map((c) => `r = ${c.b.slice('llava-amof-'.length)} ${points(c.difference)} [${c.differenceCi95[0].toFixed(1)}, ${c.differenceCi95[1].toFixed(1)}], Holm ${pValue(c.mcnemarPHolm ?? c.mcnemarP)}${c.resolved ? ' (resolved)' : ''}`).join(', ')}` +
        (resolved.length === 0
          ? `; no ratio differs from r = 0 beyond its interval and the adjusted p-value${amofVsZero[0]?.minimumDetectableDifference == null ? '' : `; these ${amofVsZero[0].pairs} pairs resolve about ${amofVsZero[0].minimumDetectableDifference.toFixed(1)} points or more at 80% power`}`
          : `; resolved: ${resolved.map((c) => `r = ${c.b.slice('llava-amof-'.length)} ${c.difference < 0 ? 'below' : 'above'} r = 0 (McNemar ${pValue(c.mcnemarP)}, Holm ${pValue(c.mcnemarPHolm ?? c.mcnemarP)})`).join(', ')}`),
    );
  }
  const mixture = { imofVsClipOnly: imof, imofVsClipOnlySeedAveraged: averaged, seedNoise: seedNoise ?? null, amofVsZero, statement: parts.length > 0 ? parts.join('; ') : 'no I-MoF or A-MoF comparison was run' };
  return { clipBlindness, inheritance, mixture };
}
