import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoLlavaModel } from './demo-options';
import type { ModelScores } from './model-scores';
import { compareSeedAveraged, summarizeSeeds, type SeedAveragedComparison, type SeedSummary } from './seed-summary';
import { formatCsv, writeSeeds } from '@mmvp/results';

/** The demo's seed view: each configuration run with 2+ seeds, and the seed-averaged comparisons between them. */
export interface SeedSummaries {
  readonly summaries: readonly SeedSummary[];
  readonly comparisons: readonly SeedAveragedComparison[];
}

/** The seed-averaged comparisons the findings rest on: b minus a, each over all of its seeds that ran. */
const SEED_COMPARISONS: readonly { a: string; b: string; description: string }[] = [
  { a: 'llava-clip', b: 'llava-imof', description: 'I-MoF vs CLIP-only, each averaged over its seeds (finding 3)' },
  { a: 'llava-clip', b: 'llava-amof-0.625', description: 'A-MoF r = 0.625 vs CLIP-only, each averaged over its seeds (finding 3)' },
];

/** Groups the scored models by configuration (DEMO_LLAVA_MODELS order) and summarises those with two or more seeds. */
export function seedSummaries(models: readonly DemoLlavaModel[], scored: readonly ModelScores[]): SeedSummaries {
  const byName = new Map(scored.map((model) => [model.entry.name, model]));
  const groups = new Map<string, { model: DemoLlavaModel; scores: ModelScores }[]>();
  for (const model of models) {
    const scores = byName.get(model.name);
    if (!scores) continue;
    groups.set(model.configuration, [...(groups.get(model.configuration) ?? []), { model, scores }]);
  }
  const seeded = [...groups.entries()].filter(([, runs]) => runs.length >= 2);
  const summaries = seeded.map(([configuration, runs]) =>
    summarizeSeeds(
      configuration,
      runs.map(({ model, scores }) => ({
        model: model.name,
        seed: model.seed,
        pairAccuracy: scores.entry.pairAccuracy,
        pairAccuracyCi95: scores.entry.pairAccuracyCi95!,
        instructionFollowing: scores.instructionFollowing,
      })),
      runs.map(({ scores }) => scores.results),
    ),
  );
  const resultsOf = (configuration: string) => groups.get(configuration)?.map(({ scores }) => scores.results);
  const comparisons = SEED_COMPARISONS.flatMap(({ a, b, description }) => {
    const first = resultsOf(a);
    const second = resultsOf(b);
    if (!first || !second || (first.length < 2 && second.length < 2)) return [];
    return [compareSeedAveraged({ name: a, results: first }, { name: b, results: second }, description)];
  });
  return { summaries, comparisons };
}

const rounded = (value: string | number) => (typeof value === 'number' ? Math.round(value * 1e6) / 1e6 : value);

/**
 * seeds.json (format mmvp-seeds/v1, validated by @mmvp/report, which draws it in report.html) and seeds.csv
 * (one row per configuration and seed, plus a `mean` row per configuration).
 */
export async function writeSeedSummary(out: string, seeds: SeedSummaries): Promise<void> {
  const pair = (ci: readonly [number, number]): [number, number] => [ci[0], ci[1]];
  await writeSeeds(out, {
    format: 'mmvp-seeds/v1',
    summaries: seeds.summaries.map((summary) => ({ ...summary, seeds: summary.seeds.map((run) => ({ ...run, pairAccuracyCi95: pair(run.pairAccuracyCi95) })), meanCi95: pair(summary.meanCi95) })),
    comparisons: seeds.comparisons.map((comparison) => ({ ...comparison, differenceCi95: pair(comparison.differenceCi95), differenceCi95WithSeeds: pair(comparison.differenceCi95WithSeeds) })),
  });
  const rows: (string | number)[][] = [['configuration', 'model', 'seed', 'pair_accuracy', 'ci95_low', 'ci95_high', 'sd_over_seeds', 'caption_question_accuracy']];
  for (const summary of seeds.summaries) {
    for (const run of summary.seeds) rows.push([summary.configuration, run.model, run.seed, run.pairAccuracy, run.pairAccuracyCi95[0], run.pairAccuracyCi95[1], '', run.instructionFollowing]);
    rows.push([summary.configuration, 'mean', summary.seeds.map((run) => run.seed).join('+'), summary.mean, summary.meanCi95[0], summary.meanCi95[1], summary.sd, summary.instructionFollowingMean]);
  }
  await writeFile(join(out, 'seeds.csv'), formatCsv(rows.map((row) => row.map(rounded))));
}
