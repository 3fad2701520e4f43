import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { correlationSpec, mllmBarsSpec, sweepCurveSpec, tradeOffSpec, vlmBarsSpec } from './charts';
import { answersFilterScript, escapeHtml, formatPercent, htmlTable, reportStyle } from './html';
import { inlineImage } from './inline-image';
import { readResults } from '@mmvp/results';
import { renderVegaLiteToSvg } from './render-svg';
import type { AnswerRecord, BlindPair, MllmScores, PopeReport, ResultsBundle, SeedsFile, Sweep, VlmScoresFile as VlmScores } from '@mmvp/results';

/** Name of the HTML file that `writeReport` writes into the results folder. */
export const reportFileName = 'report.html';

/** Most CLIP-blind pairs shown in the gallery (the CSV may hold more; the table says how many). */
const maxGalleryPairs = 36;

/** `16.3 [10.4, 22.2]` when the interval is known, else the plain percent (older results folders). */
function percentWithInterval(value: number | null | undefined, ci: readonly [number, number] | null | undefined): string {
  if (value === null || value === undefined || !ci) return formatPercent(value);
  return `${formatPercent(value)} [${formatPercent(ci[0])}, ${formatPercent(ci[1])}]`;
}

/** `+5.9 [-2.2, 14.1]` in points. */
function signedInterval(value: number, ci: readonly [number, number]): string {
  const signed = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(1)}`;
  return `${signed(value)} [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}]`;
}

function pValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(p < 0.01 ? 3 : 2);
}

function chart(svg: string, label: string): string {
  return `<figure class="chart" role="img" aria-label="${escapeHtml(label)}">${svg}</figure>`;
}

function headline(bundle: ResultsBundle): string {
  const items: string[] = [];
  const { vlmScores, mllmScores, sweep, blindPairs } = bundle;
  if (vlmScores) {
    const parts = vlmScores.models.map((model) => `${escapeHtml(model.name)} ${percentWithInterval(model.average, model.averageCi95)}%`);
    items.push(
      `<b>Finding 1</b> (MMVP-VLM-style average over ${vlmScores.patterns.length} patterns): ${parts.join(', ')}.` + (blindPairs ? ` ${blindPairs.length} CLIP-blind pair(s) mined from the evaluation pool.` : ''),
    );
  }
  if (mllmScores) {
    const clipOnly = mllmScores.models.find((model) => model.strategy === 'clip');
    const correlation = mllmScores.correlations[0];
    const parts: string[] = [];
    const clipSeeds = bundle.seeds?.summaries.find((summary) => summary.seeds.some((run) => run.model === clipOnly?.name));
    if (clipOnly) parts.push(`${escapeHtml(clipOnly.name)} MMVP pair accuracy ${percentWithInterval(clipOnly.pairAccuracy, clipOnly.pairAccuracyCi95)}% (chance 25%)`);
    if (clipSeeds) parts.push(`${escapeHtml(clipSeeds.configuration)} over ${clipSeeds.seeds.length} seeds: mean ${percentWithInterval(clipSeeds.mean, clipSeeds.meanCi95)}%, sd ${clipSeeds.sd.toFixed(1)}`);
    if (correlation) {
      const ci = correlation.pearsonCi95;
      parts.push(
        `Pearson r between ${escapeHtml(correlation.x)} and ${escapeHtml(correlation.y)} per pattern = ${correlation.pearson === null ? 'undefined' : correlation.pearson.toFixed(2)}${ci ? ` [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]` : ''}`,
      );
    }
    if (parts.length > 0) items.push(`<b>Finding 2</b>: ${parts.join('; ')}.`);
  }
  if (sweep) {
    const sorted = [...sweep.points].sort((a, b) => a.ratio - b.ratio);
    const best = sorted.reduce((a, b) => (b.pairAccuracy > a.pairAccuracy ? b : a));
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    let text = `<b>Finding 3</b> (A-MoF sweep): pair accuracy ${formatPercent(first.pairAccuracy)}% at r=${first.ratio}, best ${formatPercent(best.pairAccuracy)}% at r=${best.ratio}, ${formatPercent(last.pairAccuracy)}% at r=${last.ratio}`;
    if (first.instructionFollowing !== null && last.instructionFollowing !== null) {
      text += `; ${escapeHtml(sweep.proxy.name)} ${formatPercent(first.instructionFollowing)}% at r=${first.ratio} vs ${formatPercent(last.instructionFollowing)}% at r=${last.ratio}`;
    }
    const refs = sweep.references.map((reference) => `${escapeHtml(reference.model)} ${percentWithInterval(reference.pairAccuracy, reference.pairAccuracyCi95)}%`);
    if (refs.length > 0) text += `; references: ${refs.join(', ')}`;
    items.push(text + '.');
  }
  const verdictOf = (c: { a: string; b: string; difference: number; differenceCi95: readonly [number, number]; resolved: boolean; pairs: number; minimumDetectableDifference?: number | null | undefined }) =>
    c.resolved
      ? `${escapeHtml(c.b)} ${c.difference > 0 ? 'above' : 'below'} ${escapeHtml(c.a)}: the interval excludes 0`
      : `not resolved at this scale (${c.differenceCi95[0] > 0 || c.differenceCi95[1] < 0 ? 'the interval excludes 0, but the Holm-adjusted p-value of its family is 0.05 or more' : 'the interval includes 0'})${c.minimumDetectableDifference == null ? '' : `; these ${c.pairs} pairs resolve ${c.minimumDetectableDifference.toFixed(1)} points or more at 80% power`}`;
  // with several seeds, the seed-averaged comparisons come first, and single-seed comparisons of those models say so
  for (const c of bundle.seeds?.comparisons ?? []) {
    items.push(
      `<b>${escapeHtml(c.b)} − ${escapeHtml(c.a)}, seed means</b> (${c.seedsB} vs ${c.seedsA} seeds${c.description ? `; ${escapeHtml(c.description)}` : ''}): ` +
        (c.differenceCi95WithSeeds
          ? `${signedInterval(c.difference, c.differenceCi95WithSeeds)} points counting seeds and pairs (${signedInterval(c.difference, c.differenceCi95)} with the seeds held fixed); ${verdictOf({ ...c, differenceCi95: c.differenceCi95WithSeeds ?? c.differenceCi95 })}` +
            (c.resolved || c.seedsToResolve === undefined ? '' : c.seedsToResolve === null ? '; no number of seeds resolves it at this many pairs' : `; about ${c.seedsToResolve} seeds each would resolve it if it held`)
          : `${signedInterval(c.difference, c.differenceCi95)} points (seeds held fixed); ${verdictOf({ ...c, differenceCi95: c.differenceCi95WithSeeds ?? c.differenceCi95 })}`) +
        '.',
    );
  }
  const seeded = new Set((bundle.seeds?.comparisons.length ? bundle.seeds.summaries : []).flatMap((summary) => summary.seeds.map((run) => run.model)));
  for (const comparison of mllmScores?.comparisons ?? []) {
    const oneSeed = seeded.has(comparison.a) || seeded.has(comparison.b) ? ', one seed each' : '';
    const verdict = verdictOf(comparison);
    items.push(
      `<b>${escapeHtml(comparison.b)} − ${escapeHtml(comparison.a)}${oneSeed}</b>${comparison.description ? ` (${escapeHtml(comparison.description)})` : ''}: ` +
        `${signedInterval(comparison.difference, comparison.differenceCi95)} points, McNemar p ${pValue(comparison.mcnemarP)}${comparison.mcnemarPHolm === undefined ? '' : ` (Holm-adjusted ${pValue(comparison.mcnemarPHolm)})`}; ${verdict}.`,
    );
  }
  return items.length === 0
    ? ''
    : `<section id="findings"><h2>Findings in this run</h2><ul class="findings">${items.map((item) => `<li>${item}</li>`).join('')}</ul><p class="muted">Numbers as measured in this run${bundle.mllmScores?.comparisons.length || bundle.seeds?.comparisons.length || bundle.vlmScores?.models.some((model) => model.averageCi95) ? ', with 95% intervals in brackets (scores: Wilson over pairs; differences: paired bootstrap over pairs, and for seed means also over seeds); a difference is stated only when its interval excludes 0' : ''}; compare with the paper yourself (see the sections below).</p></section>`;
}

async function vlmSection(scores: VlmScores): Promise<string> {
  const svg = await renderVegaLiteToSvg(vlmBarsSpec(scores), 'vlm');
  const rows = scores.models.map((model) => [
    model.name,
    model.kind,
    ...scores.patterns.map((pattern) => percentWithInterval(model.perPattern[pattern], model.perPatternCi95?.[pattern])),
    percentWithInterval(model.average, model.averageCi95),
  ]);
  const descriptions = scores.models.filter((model) => model.description).map((model) => `<li><b>${escapeHtml(model.name)}</b>: ${escapeHtml(model.description)}</li>`);
  return `<section id="vlm"><h2>Finding 1: CLIP-style models per visual pattern (MMVP-VLM rule)</h2>
<div class="charts">${chart(svg, 'MMVP-VLM per-pattern bars')}</div>
${htmlTable(['model', 'kind', ...scores.patterns, 'average'], rows)}
${descriptions.length > 0 ? `<ul class="muted">${descriptions.join('')}</ul>` : ''}
<p class="muted">${scores.models[0]?.pairsPerPattern ?? '?'} pairs per pattern.${scores.models.some((model) => model.averageCi95) ? ' In brackets: 95% interval over pairs (Wilson; the average over patterns: stratified Wilson).' : ''}</p></section>`;
}

async function blindPairsSection(directory: string, pairs: readonly BlindPair[]): Promise<string> {
  const shown = [...pairs].sort((a, b) => b.clipSimilarity - b.dinoSimilarity - (a.clipSimilarity - a.dinoSimilarity)).slice(0, maxGalleryPairs);
  const cards = await Promise.all(
    shown.map(async (pair) => {
      const images = await Promise.all(
        [pair.imageA, pair.imageB].map(async (path) => {
          const image = await inlineImage(directory, path);
          return image.ok ? `<img src="${image.dataUrl}" alt="${escapeHtml(path)}" title="${escapeHtml(path)}">` : `<div class="missing">${escapeHtml(image.reason)}</div>`;
        }),
      );
      return `<div class="pair"><div class="images">${images.join('')}</div><div class="sims">CLIP cos <b>${pair.clipSimilarity.toFixed(3)}</b> · DINO cos <b>${pair.dinoSimilarity.toFixed(3)}</b></div>${pair.pattern ? `<div class="pattern">${escapeHtml(pair.pattern)}</div>` : ''}</div>`;
    }),
  );
  return `<section id="blind-pairs"><h2>CLIP-blind pairs</h2>
<p class="muted">Pairs whose CLIP image embeddings are close while the SSL (DINOv2-style) embeddings are not; showing ${shown.length} of ${pairs.length}, largest CLIP−DINO gap first.</p>
${pairs.length === 0 ? '<p>No pair passed the thresholds.</p>' : `<div class="gallery">${cards.join('\n')}</div>`}</section>`;
}

async function mllmSection(scores: MllmScores, vlm: VlmScores | undefined): Promise<string> {
  const bars = await renderVegaLiteToSvg(mllmBarsSpec(scores), 'mllm');
  const rows = scores.models.map((model) => [
    model.name,
    model.strategy,
    model.ratio === null ? '—' : String(model.ratio),
    ...scores.patterns.map((pattern) => percentWithInterval(model.perPattern[pattern], model.perPatternCi95?.[pattern])),
    percentWithInterval(model.pairAccuracy, model.pairAccuracyCi95),
    percentWithInterval(model.questionAccuracy, model.questionAccuracyCi95),
  ]);
  const scatters: string[] = [];
  for (const [index, correlation] of scores.correlations.entries()) {
    const x = vlm?.models.find((model) => model.name === correlation.x);
    const y = scores.models.find((model) => model.name === correlation.y);
    if (!x || !y) continue;
    const patterns = scores.patterns.filter((pattern) => pattern in x.perPattern);
    const svg = await renderVegaLiteToSvg(
      correlationSpec({ patterns, x: x.perPattern, y: y.perPattern, xTitle: `${x.name} (MMVP-VLM %)`, yTitle: `${y.name} (MMVP %)`, pearson: correlation.pearson, pearsonCi95: correlation.pearsonCi95 }),
      `corr${index}`,
    );
    scatters.push(chart(svg, `correlation ${correlation.x} vs ${correlation.y}`));
  }
  const correlationRows = scores.correlations.map((correlation) => [
    correlation.x,
    correlation.y,
    correlation.pearson === null ? 'undefined' : correlation.pearson.toFixed(3),
    correlation.pearsonCi95 ? `[${correlation.pearsonCi95[0].toFixed(3)}, ${correlation.pearsonCi95[1].toFixed(3)}]` : '—',
    correlation.description ?? '',
  ]);
  const comparisonRows = scores.comparisons.map((comparison) => [
    comparison.b,
    comparison.a,
    String(comparison.pairs),
    signedInterval(comparison.difference, comparison.differenceCi95),
    String(comparison.onlyA),
    String(comparison.onlyB),
    pValue(comparison.mcnemarP),
    comparison.mcnemarPHolm === undefined ? '—' : pValue(comparison.mcnemarPHolm),
    comparison.resolved ? 'yes' : comparison.minimumDetectableDifference == null ? 'no' : `no (80% power at ${comparison.minimumDetectableDifference.toFixed(1)})`,
    comparison.description ?? '',
  ]);
  return `<section id="mllm"><h2>Finding 2: MLLM pair accuracy per visual pattern (MMVP rule)</h2>
<div class="charts">${chart(bars, 'MMVP per-pattern bars per model')}</div>
${htmlTable(['model', 'strategy', 'r', ...scores.patterns, 'pairs %', 'questions %'], rows)}
${comparisonRows.length > 0 ? `<h3 id="comparisons">Paired comparisons (same pairs)</h3>${htmlTable(['b', 'a', 'pairs', 'b − a, points [95% CI]', 'only a right', 'only b right', 'McNemar p', 'Holm p', 'resolved', 'note'], comparisonRows, { className: 'data comparisons' })}<p class="muted">Paired bootstrap of the pair-accuracy difference over the same pairs and an exact McNemar test on the discordant pairs; resolved only when the interval excludes 0 and, in a family (every ratio against r = 0), the Holm-adjusted p-value is below 0.05. An unresolved comparison gives the difference its pairs resolve at 80% power (from its discordant pairs).</p>` : ''}
${correlationRows.length > 0 ? `<h3>Correlation with the CLIP-style scores</h3>${htmlTable(['x', 'y', 'Pearson r', '95% CI', 'note'], correlationRows)}` : ''}
<div class="charts">${scatters.join('\n')}</div></section>`;
}

/** Configurations trained with several seeds: per-seed scores, mean [interval over pairs], spread; seed-averaged comparisons. */
function seedsSection(seeds: SeedsFile): string {
  const rows = seeds.summaries.map((summary) => [
    summary.configuration,
    summary.seeds.map((run) => `${run.model}: ${percentWithInterval(run.pairAccuracy, run.pairAccuracyCi95)}`).join('; '),
    percentWithInterval(summary.mean, summary.meanCi95),
    summary.sd.toFixed(1),
    `${summary.min.toFixed(1)}–${summary.max.toFixed(1)}`,
    summary.instructionFollowingMean.toFixed(1),
  ]);
  const comparisons = seeds.comparisons.map((c) => [
    c.b,
    c.a,
    `${c.seedsB} / ${c.seedsA}`,
    String(c.pairs),
    signedInterval(c.difference, c.differenceCi95),
    c.differenceCi95WithSeeds ? signedInterval(c.difference, c.differenceCi95WithSeeds) : '—',
    c.resolved ? 'yes' : c.seedsToResolve == null ? 'no' : `no (about ${c.seedsToResolve} seeds each would)`,
    c.description ?? '',
  ]);
  return `<section id="seeds"><h2>Seeds: spread over training seeds</h2>
${htmlTable(['configuration', 'each seed: MMVP pair accuracy % [95% CI]', 'mean over seeds [95% CI over pairs]', 'sd over seeds', 'range', 'caption-question accuracy %, mean'], rows)}
${comparisons.length > 0 ? `<h3 id="seed-comparisons">Seed-averaged comparisons (same pairs)</h3>${htmlTable(['b', 'a', 'seeds b / a', 'pairs', 'b − a, seeds fixed [95% CI]', 'b − a, seeds and pairs [95% CI]', 'resolved', 'note'], comparisons)}` : ''}
<p class="muted">The interval of a mean resamples pairs with the seeds held fixed; the spread (sd, range) is the seed noise. A seed-averaged difference is resolved only when the interval that counts seeds as well as pairs (variance components with Satterthwaite's t, @mmvp/metrics compareAcrossSeeds) excludes 0.</p></section>`;
}

async function sweepSection(sweep: Sweep): Promise<string> {
  const curve = await renderVegaLiteToSvg(sweepCurveSpec(sweep), 'sweep');
  const tradeOff = tradeOffSpec(sweep);
  const tradeOffSvg = tradeOff ? chart(await renderVegaLiteToSvg(tradeOff, 'tradeoff'), 'trade-off') : '';
  const rows = [...sweep.points]
    .sort((a, b) => a.ratio - b.ratio)
    .map((point) => [point.model, String(point.ratio), percentWithInterval(point.pairAccuracy, point.pairAccuracyCi95), percentWithInterval(point.instructionFollowing, point.instructionFollowingCi95)]);
  const references = sweep.references.map((reference) => [
    reference.model,
    reference.strategy,
    percentWithInterval(reference.pairAccuracy, reference.pairAccuracyCi95),
    percentWithInterval(reference.instructionFollowing, reference.instructionFollowingCi95),
  ]);
  return `<section id="sweep"><h2>Finding 3: Mixture-of-Features</h2>
${sweep.pipeline ? `<p class="muted">Pipeline: ${escapeHtml(sweep.pipeline)}</p>` : ''}
<div class="charts">${chart(curve, 'A-MoF ratio sweep')}${tradeOffSvg}</div>
${htmlTable(['model', 'DINOv2 ratio r', 'MMVP pair accuracy %', `${sweep.proxy.name} %`], rows)}
${references.length > 0 ? `<h3>Reference points</h3>${htmlTable(['model', 'strategy', 'MMVP pair accuracy %', `${sweep.proxy.name} %`], references)}` : ''}
<p class="muted"><b>${escapeHtml(sweep.proxy.name)}</b>: ${escapeHtml(sweep.proxy.description)}</p></section>`;
}

function popeSection(pope: PopeReport): string {
  const cell = (value: number) => `<td class="num">${(100 * value).toFixed(1)}</td>`;
  const rows = pope.splits.map(
    (split) => `<tr><td>${escapeHtml(split.split)}</td><td class="num">${split.total}</td>${cell(split.accuracy)}${cell(split.precision)}${cell(split.recall)}${cell(split.f1)}${cell(split.yesRatio)}</tr>`,
  );
  return `<section id="pope"><h2>POPE: object hallucination per split</h2>
<table><thead><tr><th>split</th><th>questions</th><th>accuracy</th><th>precision</th><th>recall</th><th>F1</th><th>yes-ratio</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p class="muted">Percent; "yes" is the positive class; an answer counts as "no" when its first sentence has the word no or not (LLaVA's eval_pope.py).</p></section>`;
}

function answersSection(answers: readonly AnswerRecord[]): string {
  const models = [...new Set(answers.map((answer) => answer.model))];
  const patterns = [...new Set(answers.map((answer) => answer.pattern))];
  const options = (values: readonly string[]) => values.map((value) => `<option value="${escapeHtml(value)}">${escapeHtml(value)}</option>`).join('');
  const rows = answers
    .map(
      (answer) =>
        `<tr class="${answer.correct ? 'right' : 'wrong'}" data-model="${escapeHtml(answer.model)}" data-pattern="${escapeHtml(answer.pattern)}" data-correct="${answer.correct ? 'yes' : 'no'}">` +
        `<td>${escapeHtml(answer.model)}</td><td class="num">${escapeHtml(answer.question_id)}</td><td>${escapeHtml(answer.pattern)}</td>` +
        `<td>${escapeHtml(answer.question)} <span class="muted">${escapeHtml(answer.options)}</span></td><td>${escapeHtml(answer.answer)}</td>` +
        `<td class="response">${escapeHtml(answer.response)}</td><td class="mark">${answer.correct ? '✔' : '✘'}</td></tr>`,
    )
    .join('\n');
  return `<section id="answers"><h2>Per-question answers</h2>
<div class="filters">
<label>model <select id="filter-model"><option value="">all</option>${options(models)}</select></label>
<label>pattern <select id="filter-pattern"><option value="">all</option>${options(patterns)}</select></label>
<label>outcome <select id="filter-outcome"><option value="">all</option><option value="yes">right</option><option value="no">wrong</option></select></label>
<label>search <input id="filter-text" type="search" placeholder="question or response text"></label>
<span id="filter-count" class="muted"></span></div>
<table class="data" id="answers-table"><thead><tr><th>model</th><th>#</th><th>pattern</th><th>question</th><th>gold</th><th>response</th><th></th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function runSection(bundle: ResultsBundle): string {
  const run = bundle.run;
  if (!run) return '';
  const parts: string[] = [];
  if (run.models.length > 0)
    parts.push(
      `<h3>Models</h3>${htmlTable(
        ['name', 'path', 'description'],
        run.models.map((model) => [model.name, model.path, model.description ?? '']),
      )}`,
    );
  if (run.timings.length > 0) {
    const total = run.timings.reduce((sum, timing) => sum + timing.seconds, 0);
    parts.push(`<h3>Timings</h3>${htmlTable(['stage', 'seconds'], [...run.timings.map((timing) => [timing.stage, timing.seconds.toFixed(1)]), ['total', total.toFixed(1)]])}`);
  }
  if (run.notes.length > 0) parts.push(`<h3>Notes</h3><ul>${run.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`);
  if (run.command) parts.push(`<p class="muted">Command: <code>${escapeHtml(run.command)}</code></p>`);
  return parts.length === 0 ? '' : `<section id="run"><h2>Run details</h2>${parts.join('\n')}</section>`;
}

/** Renders an already-read results bundle to one self-contained HTML document. */
export async function renderResults(bundle: ResultsBundle): Promise<string> {
  const run = bundle.run;
  const title = run?.title ?? 'MMVP results';
  const subtitle: string[] = [];
  if (run) subtitle.push(`created ${escapeHtml(run.createdAt)}`);
  if (run?.dataset) {
    const dataset = run.dataset;
    subtitle.push(`dataset ${escapeHtml(dataset.name)}${dataset.seed === undefined ? '' : `, seed ${dataset.seed}`}${dataset.pairsPerPattern === undefined ? '' : `, ${dataset.pairsPerPattern} pairs per pattern`}`);
  }
  if (run?.grading) subtitle.push(`grading: ${run.grading.method}, labels: ${run.grading.labels}`);
  const sections = [
    headline(bundle),
    bundle.vlmScores ? await vlmSection(bundle.vlmScores) : '',
    bundle.blindPairs ? await blindPairsSection(bundle.directory, bundle.blindPairs) : '',
    bundle.mllmScores ? await mllmSection(bundle.mllmScores, bundle.vlmScores) : '',
    bundle.seeds && bundle.seeds.summaries.length > 0 ? seedsSection(bundle.seeds) : '',
    bundle.sweep ? await sweepSection(bundle.sweep) : '',
    bundle.pope ? popeSection(bundle.pope) : '',
    bundle.answers ? answersSection(bundle.answers) : '',
    runSection(bundle),
    bundle.notes ? `<section id="reading-notes"><h2>Reading notes</h2><ul>${bundle.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul></section>` : '',
  ].filter((section) => section !== '');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${reportStyle}</style></head>
<body><header><h1>${escapeHtml(title)}</h1><p>Reproducing "Eyes Wide Shut? Exploring the Visual Shortcomings of Multimodal LLMs" (arXiv 2401.06209)</p>${subtitle.length > 0 ? `<p>${subtitle.join(' · ')}</p>` : ''}</header>
<main>
${sections.join('\n')}
</main>
<footer>Generated by @mmvp/report — self-contained: plots are inline SVG rendered with Vega-Lite, images are inline base64.</footer>
${bundle.answers ? `<script>${answersFilterScript}</script>` : ''}
</body></html>
`;
}

/**
 * Reads a results folder (see results-schema.ts) and renders it to one self-contained HTML string:
 * no scripts or styles from the network, plots pre-rendered to SVG, images inlined.
 */
export async function renderReport(resultsDirectory: string): Promise<string> {
  return renderResults(await readResults(resultsDirectory));
}

/** Renders the report and writes it as `report.html` inside the results folder; returns its path. */
export async function writeReport(resultsDirectory: string, outputPath: string = join(resultsDirectory, reportFileName)): Promise<string> {
  const html = await renderReport(resultsDirectory);
  await writeFile(outputPath, html);
  return outputPath;
}
