import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAnswers, readResults, writeBlindPairs, writeMllmScores, writeRunInfo, writeSeeds, writeSweep, writeVlmScores } from '@mmvp/results';
import { renderReport, writeReport } from './index';

const fixture = fileURLToPath(new URL('./__fixtures__/results/', import.meta.url));
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-report-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Bar heights as Vega writes them into aria-labels: "pattern: X; score (%): 20; model: M" (independent of our own tables). */
function barLabels(svg: string): string[] {
  return [...svg.matchAll(/aria-roledescription="bar"[^>]*aria-label="([^"]+)"|aria-label="([^"]+)"[^>]*aria-roledescription="bar"/g)].map((match) => (match[1] ?? match[2])!);
}

describe('renderReport', () => {
  it('renders every section of the fixture as one self-contained document', async () => {
    const html = await renderReport(fixture);
    const vlm = JSON.parse(await readFile(join(fixture, 'vlm-scores.json'), 'utf8'));
    // Five plots: VLM bars, MLLM facets, correlation scatter, sweep curve, trade-off.
    expect(html.match(/<svg /g)?.length).toBe(5);
    // Every (pattern, model) VLM score appears as a bar whose label carries the JSON value.
    const vlmSvg = html.slice(html.indexOf('id="vlm"'), html.indexOf('id="blind-pairs"'));
    const labels = barLabels(vlmSvg);
    expect(labels).toHaveLength(vlm.patterns.length * vlm.models.length);
    for (const model of vlm.models) {
      for (const pattern of vlm.patterns) expect(labels).toContain(`pattern: ${pattern}; score (%): ${model.perPattern[pattern]}; model: ${model.name}`);
    }
    // Self-contained: no external scripts, styles, images or fonts.
    expect(html).not.toMatch(/<(script|img|link)[^>]+(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/@import|url\(http/);
    // Images inlined; the missing one explained in place.
    expect(html.match(/<img src="data:image\/png;base64,/g)?.length).toBe(5);
    expect(html).toContain('missing: images/missing.png');
    // Text from the results is escaped, never executed.
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;not&lt;/b&gt;');
    // SVG ids are unique across the inlined plots.
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws seeds.json: each seed, the mean with its interval, the spread, and the seed-averaged comparisons', async () => {
    const directory = join(scratch, 'seeds-only');
    const run = (model: string, seed: number, pairAccuracy: number) => ({ model, seed, pairAccuracy, pairAccuracyCi95: [pairAccuracy - 5, pairAccuracy + 5] as [number, number], instructionFollowing: 70 });
    await writeSeeds(directory, {
      format: 'mmvp-seeds/v1',
      summaries: [{ configuration: 'llava-clip', seeds: [run('llava-clip', 1, 20), run('llava-clip-seed2', 2, 30)], mean: 25, sd: 7.0710678, min: 20, max: 30, meanCi95: [18.5, 31.5], instructionFollowingMean: 70 }],
      comparisons: [{ a: 'llava-clip', b: 'llava-imof', seedsA: 2, seedsB: 3, pairs: 135, difference: 4.2, differenceCi95: [-1.5, 9.9], resolved: false, description: 'I-MoF vs CLIP-only' }],
    });
    await expect(writeSeeds(directory, { format: 'mmvp-seeds/v1', summaries: [{ configuration: 'x', seeds: [], mean: 0, sd: 0, min: 0, max: 0, meanCi95: [0, 0], instructionFollowingMean: 0 }] })).rejects.toThrow(
      /seeds\.json.*summaries\.0\.seeds/s,
    );
    const html = await renderReport(directory);
    const section = html.slice(html.indexOf('id="seeds"'), html.indexOf('</section>', html.indexOf('id="seeds"')));
    expect(section).toContain('llava-clip: 20.0 [15.0, 25.0]; llava-clip-seed2: 30.0 [25.0, 35.0]');
    expect(section).toContain('25.0 [18.5, 31.5]');
    expect(section).toContain('<td class="num">7.1</td>');
    expect(section).toContain('20.0–30.0');
    expect(section).toContain('id="seed-comparisons"');
    // a seeds.json written before seed-aware intervals: the seeds-fixed interval, and '—' for the other
    expect(section).toMatch(/<td>llava-imof<\/td><td>llava-clip<\/td><td>3 \/ 2<\/td><td class="num">135<\/td><td>\+4\.2 \[-1\.5, 9\.9\]<\/td><td class="num">—<\/td><td>no<\/td>/);
    // the headline states the seed-averaged comparison, with its verdict
    expect(html).toContain('<li><b>llava-imof − llava-clip, seed means</b> (3 vs 2 seeds; I-MoF vs CLIP-only): +4.2 [-1.5, 9.9] points (seeds held fixed); not resolved at this scale (the interval includes 0).</li>');
  });

  it('renders a folder with only a sweep (every file is optional)', async () => {
    const directory = join(scratch, 'sweep-only');
    await writeSweep(directory, {
      proxy: { name: 'proxy', description: 'd' },
      points: [
        { model: 'a', ratio: 0, pairAccuracy: 10, instructionFollowing: 80 },
        { model: 'b', ratio: 1, pairAccuracy: 30, instructionFollowing: null },
      ],
      references: [],
    });
    const path = await writeReport(directory);
    const html = await readFile(path, 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).not.toContain('id="answers"');
  });

  it('round-trips every file through the writers and the reader', async () => {
    const directory = join(scratch, 'round-trip');
    const source = await readResults(fixture);
    await writeRunInfo(directory, source.run!);
    await writeVlmScores(directory, source.vlmScores!);
    await writeMllmScores(directory, source.mllmScores!);
    await writeSweep(directory, source.sweep!);
    await writeBlindPairs(directory, source.blindPairs!);
    await appendAnswers(directory, source.answers!.slice(0, 3));
    await appendAnswers(directory, source.answers!.slice(3));
    const copy = await readResults(directory);
    expect({ ...copy, directory: '' }).toEqual({ ...source, directory: '' });
    expect(source.blindPairs![1]).toEqual({ imageA: 'images/1-a.png', imageB: 'images/1-b.png', clipSimilarity: 0.962, dinoSimilarity: 0.55, pattern: 'Quantity and Count' });
  });
});

describe('intervals in the report', () => {
  /** Vega's aria-labels of the error-bar rules inside one report section. */
  function errorBars(html: string, section: string): string[] {
    const start = html.indexOf(`<section id="${section}"`);
    if (start < 0) return [];
    const part = html.slice(start, html.indexOf('</section>', start));
    return [...part.matchAll(/aria-roledescription="error bar"[^>]*aria-label="([^"]+)"|aria-label="([^"]+)"[^>]*aria-roledescription="error bar"/g)].map((match) => (match[1] ?? match[2])!);
  }
  const around = (value: number): [number, number] => [Math.max(0, value - 5), Math.min(100, value + 5)];

  it('draws 95% intervals as error bars, prints them as `20.0 [15.0, 25.0]` and lists the paired comparisons', async () => {
    const directory = join(scratch, 'with-intervals');
    await cp(fixture, directory, { recursive: true });
    const read = async (name: string) => JSON.parse(await readFile(join(directory, name), 'utf8'));
    const vlm = await read('vlm-scores.json');
    for (const model of vlm.models) {
      model.averageCi95 = around(model.average);
      model.perPatternCi95 = Object.fromEntries(vlm.patterns.map((pattern: string) => [pattern, around(model.perPattern[pattern])]));
    }
    const mllm = await read('mllm-scores.json');
    for (const model of mllm.models) {
      model.pairAccuracyCi95 = around(model.pairAccuracy);
      model.questionAccuracyCi95 = around(model.questionAccuracy);
      model.perPatternCi95 = Object.fromEntries(mllm.patterns.map((pattern: string) => [pattern, around(model.perPattern[pattern])]));
    }
    mllm.correlations[0].pearsonCi95 = [0.41, 0.95];
    mllm.comparisons = [
      { a: 'llava clip-only', b: 'i-mof', pairs: 90, difference: 14.4, differenceCi95: [4.4, 24.4], onlyA: 3, onlyB: 16, mcnemarP: 0.0044, resolved: true, description: 'I-MoF vs CLIP-only' },
      { a: 'a-mof r=0', b: 'a-mof r=0.25', pairs: 90, difference: 4.4, differenceCi95: [-4.4, 13.3], onlyA: 6, onlyB: 10, mcnemarP: 0.45, resolved: false },
      { a: 'a-mof r=0', b: 'a-mof r=0.5', pairs: 90, difference: -11.1, differenceCi95: [-20, -2.2], onlyA: 15, onlyB: 5, mcnemarP: 0.04, mcnemarPHolm: 0.08, resolved: false, minimumDetectableDifference: 13.2 },
    ];
    const sweep = await read('sweep.json');
    for (const point of sweep.points) {
      point.pairAccuracyCi95 = around(point.pairAccuracy);
      point.instructionFollowingCi95 = around(point.instructionFollowing);
    }
    for (const reference of sweep.references) reference.pairAccuracyCi95 = around(reference.pairAccuracy);
    await writeVlmScores(directory, vlm);
    await writeMllmScores(directory, mllm);
    await writeSweep(directory, sweep);

    const html = await renderReport(directory);
    expect(html.match(/<svg /g)?.length).toBe(5);
    // one error bar per (pattern, model) bar, labelled with the interval it draws
    const vlmBars = errorBars(html, 'vlm');
    expect(vlmBars).toHaveLength(vlm.patterns.length * vlm.models.length);
    const model0 = vlm.models[0];
    const pattern0 = vlm.patterns[0];
    const [low, high] = around(model0.perPattern[pattern0]);
    expect(vlmBars).toContain(`pattern: ${pattern0}; low: ${low}; high: ${high}; model: ${model0.name}; 95% interval: ${model0.perPattern[pattern0].toFixed(1)} [${low.toFixed(1)}, ${high.toFixed(1)}]`);
    expect(errorBars(html, 'mllm')).toHaveLength(mllm.patterns.length * mllm.models.length);
    // sweep curve: both axes per ratio; trade-off: a vertical and a horizontal line per ratio
    expect(errorBars(html, 'sweep')).toHaveLength(4 * sweep.points.length);
    // tables: value [low, high]
    expect(html).toContain('<td>20.0 [15.0, 25.0]</td>'); // llava clip-only pair accuracy
    expect(html).toMatch(/Pearson r = 0\.83 \[0\.41, 0\.95\]/);
    // the comparisons table and the findings: a difference stated only when resolved
    expect(html).toContain('id="comparisons"');
    expect(html).toContain('+14.4 [4.4, 24.4]');
    expect(html).toContain('i-mof above llava clip-only: the interval excludes 0');
    expect(html).toMatch(/a-mof r=0\.25 − a-mof r=0<\/b>: \+4\.4 \[-4\.4, 13\.3\] points, McNemar p 0\.45; not resolved at this scale/);
    // a family member: raw and Holm-adjusted p, unresolved once adjusted, with what its pairs could resolve
    expect(html).toContain(
      '-11.1 [-20.0, -2.2] points, McNemar p 0.04 (Holm-adjusted 0.08); not resolved at this scale (the interval excludes 0, but the Holm-adjusted p-value of its family is 0.05 or more); these 90 pairs resolve 13.2 points or more at 80% power.',
    );
    expect(html).toContain('<td>no (80% power at 13.2)</td>');
  });

  it('with seeds.json, the headline puts the seed-averaged comparison first and marks single-seed comparisons of seeded models', async () => {
    const directory = join(scratch, 'with-intervals'); // written by the test above
    const run = (model: string, seed: number) => ({ model, seed, pairAccuracy: 30, pairAccuracyCi95: [20, 40] as [number, number], instructionFollowing: 70 });
    const summary = (configuration: string) => ({
      configuration,
      seeds: [run(configuration, 1), run(`${configuration}-seed2`, 2)],
      mean: 30,
      sd: 0,
      min: 30,
      max: 30,
      meanCi95: [22, 38] as [number, number],
      instructionFollowingMean: 70,
    });
    await writeSeeds(directory, {
      format: 'mmvp-seeds/v1',
      summaries: [summary('llava clip-only'), summary('i-mof')],
      comparisons: [{ a: 'llava clip-only', b: 'i-mof', seedsA: 2, seedsB: 2, pairs: 90, difference: 2.2, differenceCi95: [-3.3, 7.8], resolved: false }],
    });
    const html = await renderReport(directory);
    const findings = html.slice(html.indexOf('id="findings"'), html.indexOf('</section>', html.indexOf('id="findings"')));
    const seedMeans = findings.indexOf('<b>i-mof − llava clip-only, seed means</b> (2 vs 2 seeds): +2.2 [-3.3, 7.8] points (seeds held fixed); not resolved at this scale');
    const single = findings.indexOf('<b>i-mof − llava clip-only, one seed each</b> (I-MoF vs CLIP-only): +14.4 [4.4, 24.4] points');
    expect(seedMeans).toBeGreaterThan(0);
    expect(single).toBeGreaterThan(seedMeans);
    // a seeds.json with the interval that counts seeds: both intervals, the verdict on the wider one, seeds that would resolve it
    await writeSeeds(directory, {
      format: 'mmvp-seeds/v1',
      summaries: [summary('llava clip-only'), summary('i-mof')],
      comparisons: [
        {
          a: 'llava clip-only',
          b: 'i-mof',
          seedsA: 3,
          seedsB: 3,
          pairs: 900,
          difference: 2.6,
          differenceCi95: [1, 4.2],
          differenceCi95WithSeeds: [-3.1, 8.3],
          seedsToResolve: 12,
          minimumDetectableDifference: 3.4,
          resolved: false,
        },
      ],
    });
    const withSeeds = await renderReport(directory);
    expect(withSeeds).toContain(
      '<b>i-mof − llava clip-only, seed means</b> (3 vs 3 seeds): +2.6 [-3.1, 8.3] points counting seeds and pairs (+2.6 [1.0, 4.2] with the seeds held fixed); not resolved at this scale (the interval includes 0); these 900 pairs resolve 3.4 points or more at 80% power; about 12 seeds each would resolve it if it held.',
    );
    expect(withSeeds).toContain('<td>no (about 12 seeds each would)</td>');
    expect(findings).toContain('<b>a-mof r=0.25 − a-mof r=0</b>: '); // models without seeds keep their plain label
    expect(findings).toContain('llava clip-only over 2 seeds: mean 30.0 [22.0, 38.0]%, sd 0.0');
  });

  it('still renders a results folder without intervals (no error bars, plain numbers)', async () => {
    const html = await renderReport(fixture);
    for (const section of ['vlm', 'mllm', 'sweep']) expect(errorBars(html, section)).toEqual([]);
    expect(html).not.toContain('id="comparisons"');
    expect(html).toMatch(/<td[^>]*>20\.0<\/td>/);
    expect(html).not.toContain('95% bootstrap interval');
  });
});

describe('bad results folders', () => {
  async function folderWith(name: string, files: Record<string, string>): Promise<string> {
    const directory = join(scratch, name);
    await cp(fixture, directory, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(directory, file), text);
    return directory;
  }

  it('names a missing folder', async () => {
    await expect(renderReport(join(scratch, 'nope'))).rejects.toThrow(/results folder .*nope does not exist/);
  });

  it('lists the expected files when none is present', async () => {
    const directory = join(scratch, 'empty');
    await writeFile(join(scratch, 'marker'), '');
    await import('node:fs/promises').then((fs) => fs.mkdir(directory, { recursive: true }));
    await expect(renderReport(directory)).rejects.toThrow(/run\.json, vlm-scores\.json, mllm-scores\.json, sweep\.json, blind-pairs\.csv, answers\.jsonl/);
  });

  it('names the file and key of a score for an unlisted pattern', async () => {
    const vlm = JSON.parse(await readFile(join(fixture, 'vlm-scores.json'), 'utf8'));
    delete vlm.models[1].perPattern.Texts;
    vlm.models[1].perPattern.Textz = 10;
    const directory = await folderWith('bad-vlm', { 'vlm-scores.json': JSON.stringify(vlm) });
    await expect(renderReport(directory)).rejects.toThrow(/vlm-scores\.json is invalid: models\.1\.perPattern: .*missing Texts; unknown Textz/);
  });

  it('lists valid choices for a bad enum value', async () => {
    const mllm = JSON.parse(await readFile(join(fixture, 'mllm-scores.json'), 'utf8'));
    mllm.models[0].strategy = 'mixed';
    const directory = await folderWith('bad-mllm', { 'mllm-scores.json': JSON.stringify(mllm) });
    await expect(renderReport(directory)).rejects.toThrow(/mllm-scores\.json is invalid: models\.0\.strategy: 'mixed' is not valid; choose 'clip', 'dino', 'additive', 'interleaved'/);
  });

  it('names the line of a broken answers.jsonl record', async () => {
    const lines = (await readFile(join(fixture, 'answers.jsonl'), 'utf8')).trim().split('\n');
    lines[2] = lines[2]!.replace('"correct":true', '"correct":"yes"');
    const directory = await folderWith('bad-answers', { 'answers.jsonl': lines.join('\n') });
    await expect(renderReport(directory)).rejects.toThrow(/answers\.jsonl line 3 is invalid: correct: Expected boolean/);
    const good = (await readFile(join(fixture, 'answers.jsonl'), 'utf8')).trim();
    const truncated = await folderWith('truncated-answers', { 'answers.jsonl': good.slice(0, -10) });
    await expect(renderReport(truncated)).rejects.toThrow(/answers\.jsonl line 8 is not valid JSON/);
  });

  it('names the line and column of a bad blind-pairs.csv number, and a missing column', async () => {
    const bad = await folderWith('bad-csv', { 'blind-pairs.csv': 'image_a,image_b,clip_similarity,dino_similarity\na.png,b.png,0.9,high\n' });
    await expect(renderReport(bad)).rejects.toThrow(/blind-pairs\.csv line 2: dino_similarity 'high' is not a number/);
    const missing = await folderWith('bad-csv-header', { 'blind-pairs.csv': 'image_a,image_b,clip\na.png,b.png,0.9\n' });
    await expect(renderReport(missing)).rejects.toThrow(/missing column\(s\) clip_similarity, dino_similarity/);
  });

  it('refuses to write an invalid file (writers validate with the reader schema)', async () => {
    await expect(writeSweep(join(scratch, 'w'), { proxy: { name: 'p', description: 'd' }, points: [{ model: 'a', ratio: 2, pairAccuracy: 10, instructionFollowing: 1 }], references: [] })).rejects.toThrow(
      /sweep\.json is invalid: points\.0\.ratio/,
    );
  });
});
