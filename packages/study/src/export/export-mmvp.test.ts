import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@mmvp/results';

/** Data rows of a CSV (header dropped) as field lists. */
async function csvRows(path: string): Promise<string[][]> {
  return parseCsv(await readFile(path, 'utf8'), path)
    .slice(1)
    .map((record) => [...record.fields]);
}
import { writeSynth } from '@mmvp/synth';
import { labelsApplied } from '../mmvp/grade-mllm';
import { exportMmvp, lmmsEvalTaskYaml } from './export-mmvp';

/**
 * pandas.read_csv(sep='\t') as VLMEvalKit calls it, written out by hand: fields split on tabs, a field
 * that starts with a double quote runs to the closing quote ("" inside is one quote).
 */
function readTsvLikePandas(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === '\t') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  return rows;
}

let scratch: string;
let synth: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-export-'));
  synth = join(scratch, 'synth');
  await writeSynth({ out: synth, seed: 3, pairsPerPattern: 2, size: 64, contactSheets: false });
}, 60_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('exportMmvp --to vlmevalkit', () => {
  it('writes a TSV whose base64 images decode to the exact source files and whose rows match Questions.csv', async () => {
    const tsv = join(scratch, 'MMVPSynth.tsv');
    const result = await exportMmvp({ data: synth, to: 'vlmevalkit', out: tsv });
    const [header, ...rows] = readTsvLikePandas(await readFile(tsv, 'utf8'));
    expect(header).toEqual(['index', 'image', 'question', 'A', 'B', 'answer', 'category']);
    const questions = await csvRows(join(synth, 'MMVP', 'Questions.csv'));
    const patterns = await csvRows(join(synth, 'MMVP', 'patterns.csv'));
    expect(rows).toHaveLength(questions.length);
    expect(result.rows).toBe(rows.length);
    for (const [i, row] of rows.entries()) {
      const source = questions[i]!;
      const index = Number(row[0]);
      expect(index).toBe(i + 1);
      const images = await readdir(join(synth, 'MMVP', 'MMVP Images'));
      const imageName = images.find((name) => name.startsWith(`${index}.`))!;
      expect(Buffer.from(row[1]!, 'base64').equals(await readFile(join(synth, 'MMVP', 'MMVP Images', imageName)))).toBe(true);
      expect(row[2]).toBe(source[1]);
      expect(`(a) ${row[3]} (b) ${row[4]}`).toBe(source[2]);
      expect(`(${row[5]!.toLowerCase()})`).toBe(source[3]);
      expect(row[6]).toBe(patterns[i]![1]);
    }
    const config = JSON.parse(await readFile(join(scratch, 'MMVPSynth.config.json'), 'utf8'));
    expect(config).toEqual({ data: { MMVPSynth: { class: 'CustomMCQDataset', dataset: 'MMVP' } } }); // see export-vlmevalkit-route.test.ts
    expect(result.warnings).toEqual([]);
  });

  it('quotes a question holding a tab or a quote so pandas reads it back whole', async () => {
    const data = join(scratch, 'quoted');
    await mkdir(join(data, 'MMVP Images'), { recursive: true });
    const png = join(synth, 'MMVP', 'MMVP Images', (await readdir(join(synth, 'MMVP', 'MMVP Images')))[0]!);
    await cp(png, join(data, 'MMVP Images', '1.png'));
    await cp(png, join(data, 'MMVP Images', '2.png'));
    await writeFile(join(data, 'Questions.csv'), 'Index,Question,Options,Correct Answer\n1,"Is the ""sign""\tred?",(a) Yes (b) No,(a)\n2,"Is the ""sign""\tred?",(a) Yes (b) No,(b)\n');
    await exportMmvp({ data, to: 'vlmevalkit', out: join(scratch, 'quoted.tsv') });
    const [, first] = readTsvLikePandas(await readFile(join(scratch, 'quoted.tsv'), 'utf8'));
    expect(first![2]).toBe('Is the "sign"\tred?');
    expect(first).toHaveLength(7);
  });

  it('refuses a path that is not .tsv, an existing file without force, and an unknown target', async () => {
    await expect(exportMmvp({ data: synth, to: 'vlmevalkit', out: join(scratch, 'x') })).rejects.toThrow(/ending in \.tsv/);
    await writeFile(join(scratch, 'taken.tsv'), 'x');
    await expect(exportMmvp({ data: synth, to: 'vlmevalkit', out: join(scratch, 'taken.tsv') })).rejects.toThrow(/already exists; pass --force/);
    await expect(exportMmvp({ data: synth, to: 'csv' as 'hf', out: join(scratch, 'y') })).rejects.toThrow(/^exportMmvp options are invalid: to: 'csv' is not valid; choose 'vlmevalkit', 'hf'$/);
    await expect(exportMmvp({ data: join(scratch, 'nothing'), to: 'hf', out: join(scratch, 'y') })).rejects.toThrow(/Questions\.csv/);
  });
});

describe('exportMmvp --to hf', () => {
  it('writes an imagefolder whose metadata.jsonl lists every image once with an integer Index', async () => {
    const out = join(scratch, 'hf');
    const result = await exportMmvp({ data: synth, to: 'hf', out, name: 'mmvp_synth' });
    const lines = (await readFile(join(out, 'metadata.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const questions = await csvRows(join(synth, 'MMVP', 'Questions.csv'));
    expect(lines).toHaveLength(questions.length);
    expect(new Set(lines.map((line) => line.file_name)).size).toBe(lines.length);
    expect((await readdir(join(out, 'images'))).sort()).toEqual(lines.map((line) => line.file_name.replace('images/', '')).sort());
    for (const [i, line] of lines.entries()) {
      expect(Number.isInteger(line.Index)).toBe(true); // a string Index makes lmms-eval raise; a missing one scores pairs as 0
      expect(line.Index).toBe(i + 1);
      expect([line.Question, line.Options, line['Correct Answer']]).toEqual(questions[i]!.slice(1, 4));
      const source = join(synth, 'MMVP', 'MMVP Images', line.file_name.replace('images/', ''));
      expect((await readFile(join(out, line.file_name))).equals(await readFile(source))).toBe(true);
    }
    expect(await readFile(join(out, 'mmvp_synth.yaml'), 'utf8')).toBe(lmmsEvalTaskYaml('mmvp_synth', out));
    expect(lmmsEvalTaskYaml('t', '/d')).toMatch(/^dataset_path: imagefolder\ndataset_kwargs:\n {2}data_dir: "\/d"\ntask: "t"\ninclude: _default_template_yaml$/m);
    expect(result.files[0]).toBe(join(out, 'metadata.jsonl'));
    await expect(exportMmvp({ data: synth, to: 'hf', out })).rejects.toThrow(/already exists; pass --force/);
    await exportMmvp({ data: synth, to: 'hf', out, force: true, name: 'mmvp_synth' });
  });

  it("does not warn about lmms-eval labels (HEAD scores the set's own gold); the command names the releases that forced Index 100/280 to A", async () => {
    // lmms-eval 75571cf tasks/mmvp/utils.py:136-147 scores the dataset's `Correct Answer`; only
    // 34465550..d8fcb9c3 (v0.6, v0.6.1) had GROUND_TRUTH_CORRECTIONS = {99: "A", 279: "A"} (0-based)
    const data = join(scratch, 'big');
    await mkdir(join(data, 'MMVP Images'), { recursive: true });
    const png = join(synth, 'MMVP', 'MMVP Images', (await readdir(join(synth, 'MMVP', 'MMVP Images')))[0]!);
    const rows = ['Index,Question,Options,Correct Answer'];
    for (let id = 1; id <= 280; id++) {
      rows.push(`${id},Is it red?,(a) Yes (b) No,(${id % 2 === 1 ? 'a' : 'b'})`);
      await cp(png, join(data, 'MMVP Images', `${id}.png`));
    }
    await writeFile(join(data, 'Questions.csv'), `${rows.join('\n')}\n`);
    const result = await exportMmvp({ data, to: 'hf', out: join(scratch, 'big-hf') });
    expect(result.warnings).toEqual([]);
    // this set has 100=(b) and 280=(b): the two rows v0.6/v0.6.1 scored against A (99 and 279 were never forced)
    expect(result.usage.join('\n')).toContain('lmms-eval v0.7 or later: v0.6 and v0.6.1 scored Index 100, 280 against A');
  }, 30_000);
});

describe('exportMmvp bad options', () => {
  it('names the key, the value and what is valid, in one line', async () => {
    const out = join(scratch, 'named');
    const refusal = exportMmvp({ data: synth, to: 'hf', out, name: 'my set' });
    await expect(refusal).rejects.toThrow(/^exportMmvp options are invalid: name: use letters, digits, _ \. - only \(given "my set"\)$/);
    await expect(exportMmvp({ data: synth, to: 'hf', out, labels: 'fixed' as 'original' })).rejects.toThrow(/^exportMmvp options are invalid: labels: 'fixed' is not valid; choose 'original', 'corrected'$/);
    await expect(exportMmvp({ data: synth, to: 'hf', out, extra: 1 } as never)).rejects.toThrow(/^exportMmvp options are invalid: \(top level\): unknown key\(s\) 'extra' \(valid keys: 'data', 'to', 'out', /);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/); // nothing written
  });
});

describe('exportMmvp --labels corrected', () => {
  it("says that no correction applied on a set without the known rows, and writes the file's own labels", async () => {
    const out = join(scratch, 'corrected-none');
    const result = await exportMmvp({ data: synth, to: 'hf', out, labels: 'corrected' });
    expect(result.labelCorrections.map((correction) => [correction.rows.join('/'), correction.applied])).toEqual([
      ['99/100', false],
      ['279/280', false],
    ]);
    expect(result.warnings).toEqual([expect.stringMatching(/^--labels corrected: no correction applied \(rows 99\/100 and 279\/280 /)]);
    expect(labelsApplied(result)).toMatch(/^original \(--labels corrected requested, but none/);
    const written = (await readFile(join(out, 'metadata.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)['Correct Answer']);
    expect(written).toEqual((await csvRows(join(synth, 'MMVP', 'Questions.csv'))).map((row) => row[3]));
  });

  it('swaps the known rows where they are the known questions, and does not warn', async () => {
    const data = join(scratch, 'tusks');
    await mkdir(join(data, 'MMVP Images'), { recursive: true });
    const png = join(synth, 'MMVP', 'MMVP Images', (await readdir(join(synth, 'MMVP', 'MMVP Images')))[0]!);
    const rows = ['Index,Question,Options,Correct Answer'];
    for (let id = 1; id <= 100; id++) {
      rows.push(`${id},${id >= 99 ? 'Are the tusks long?' : 'Is it red?'},(a) Yes (b) No,(${id % 2 === 1 ? 'a' : 'b'})`);
      await cp(png, join(data, 'MMVP Images', `${id}.png`));
    }
    await writeFile(join(data, 'Questions.csv'), `${rows.join('\n')}\n`);
    const out = join(scratch, 'tusks.tsv');
    const result = await exportMmvp({ data, to: 'vlmevalkit', out, labels: 'corrected' });
    expect(result.warnings).toEqual([]);
    expect(labelsApplied(result)).toBe('corrected (swapped rows 99/100; not applied: rows 279/280)');
    const answers = readTsvLikePandas(await readFile(out, 'utf8'))
      .slice(1)
      .map((row) => `${row[0]}${row[5]}`);
    expect(answers.slice(96)).toEqual(['97A', '98B', '99B', '100A']);
  }, 30_000);
});

describe('exportMmvp into the set it reads', () => {
  it('refuses an --out in the image folder, elsewhere under --data, or reached through a link into it; writes nothing there', async () => {
    const images = join(synth, 'MMVP', 'MMVP Images');
    const before = (await readdir(images)).sort();
    await expect(exportMmvp({ data: synth, to: 'hf', out: images, force: true })).rejects.toThrow(/^--out .* is inside --data .*; choose an --out outside/);
    await expect(exportMmvp({ data: synth, to: 'vlmevalkit', out: join(images, 'set.tsv') })).rejects.toThrow(/is inside --data/);
    await expect(exportMmvp({ data: join(synth, 'MMVP'), to: 'hf', out: join(synth, 'MMVP', 'hf') })).rejects.toThrow(/is inside --data/);
    await symlink(synth, join(scratch, 'link-to-synth'));
    await expect(exportMmvp({ data: synth, to: 'hf', out: join(scratch, 'link-to-synth', 'new', 'hf') })).rejects.toThrow(/is inside --data/);
    expect((await readdir(images)).sort()).toEqual(before);
    expect(await readdir(synth)).not.toContain('new');
  });
});
