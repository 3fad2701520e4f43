// The paper's A-MoF ablation (Table 3) in miniature: one trained tiny LLaVA per DINOv2 ratio r from
// the shipped zoo (models/zoo/llava-amof-<r>), all sharing the same tiny CLIP and SSL encoders, swept
// through @mmvp/study's runSweep on a freshly generated MMVP-Synth evaluation set. Each image is
// encoded once; every ratio's adapter and LLM answer every question. Prints pair and question
// accuracy with 95% bootstrap intervals, and each ratio minus r=0 as a paired comparison.
//
//   node examples/ratio-sweep/sweep.js [--pairs-per-pattern N] [--seed N] [--out DIR]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatWithInterval } from '@mmvp/metrics';
import { PAPER_RATIOS, runSweep } from '@mmvp/study';
import { writeSynth } from '@mmvp/synth';

const { values } = parseArgs({ options: { 'pairs-per-pattern': { type: 'string', default: '15' }, seed: { type: 'string', default: '2024' }, out: { type: 'string' } } });
const zoo = fileURLToPath(new URL('../../models/zoo/', import.meta.url));
const scratch = await mkdtemp(join(tmpdir(), 'mmvp-ratio-sweep-'));
try {
  // an evaluation set the zoo never saw (the zoo was trained on the training split)
  const data = join(scratch, 'data');
  writeSynth({ out: data, seed: Number(values.seed), size: 64, split: 'eval', pairsPerPattern: Number(values['pairs-per-pattern']), contactSheets: false, overwrite: true });

  const result = await runSweep({
    // the per-ratio protocol: r's own config; {r} would do the same: join(zoo, 'llava-amof-{r}', 'pipeline.json')
    pipelineFor: (ratio, text) => join(zoo, `llava-amof-${text}`, 'pipeline.json'),
    ratios: PAPER_RATIOS,
    data: join(data, 'MMVP'),
    ...(values.out === undefined ? {} : { out: values.out }),
    onProgress: (event) => {
      if (event.type === 'resolved') console.error(event.lines.map((line) => `  ${line}`).join('\n'));
      if (event.type === 'ratio-finished') console.error(`  r=${event.result.text} done`);
    },
  });

  const pct = (value, ci) => formatWithInterval(value, ci);
  console.log(`\nA-MoF sweep (${result.protocol}) on MMVP-Synth, ${result.ratios[0].pairs} pairs, ${result.images} images encoded once`);
  console.log('r      pair accuracy [95% CI]   question accuracy [95% CI]   vs r=0, points [95% CI]   McNemar p');
  for (const r of result.ratios) {
    const versus = r.comparison === undefined ? '(baseline)'.padEnd(24) : `${r.comparison.difference >= 0 ? '+' : ''}${pct(r.comparison.difference, r.comparison.differenceCi95)}`.padEnd(24);
    console.log(`${r.text.padEnd(6)} ${pct(r.pairAccuracy, r.pairAccuracyCi95).padEnd(24)} ${pct(r.questionAccuracy, r.questionAccuracyCi95).padEnd(28)} ${versus}  ${r.comparison?.mcnemarP.toPrecision(2) ?? ''}`);
  }
  console.log(result.timings.map((timing) => `${timing.stage}: ${timing.seconds.toFixed(1)} s`).join('; '));
  if (result.files.length > 0) console.log(`wrote ${result.files.join(', ')}`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
