import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { PATTERNS, VLM_FOLDERS } from './patterns';
import type { TrainRecord } from './train-record';
import { evalPair, writeSynth } from './write-synth';

const root = mkdtempSync(join(tmpdir(), 'mmvp-synth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Minimal CSV parser (quoted fields with doubled quotes), independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  if (field.length > 0 || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function hashTree(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((file) => [relative(dir, file), createHash('sha256').update(readFileSync(file)).digest('hex')]));
}

describe('writeSynth eval split', () => {
  const out = join(root, 'eval');
  const perPattern = 2;
  const summary = writeSynth({ out, seed: 3, pairsPerPattern: perPattern });
  const pairs = perPattern * PATTERNS.length;

  it('writes MMVP Questions.csv with pairs on rows (2i-1, 2i): same question and options, different answers', () => {
    const rows = parseCsv(readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8'));
    expect(rows[0]).toEqual(['Index', 'Question', 'Options', 'Correct Answer']);
    expect(rows.length - 1).toBe(2 * pairs);
    rows.slice(1).forEach((row, k) => {
      expect(row).toHaveLength(4);
      expect(row[0]).toBe(String(k + 1));
      expect(row[2]).toMatch(/^\(a\) .+ \(b\) .+$/);
      expect(['(a)', '(b)']).toContain(row[3]);
    });
    for (let i = 1; i < rows.length; i += 2) {
      expect(rows[i]![1]).toBe(rows[i + 1]![1]);
      expect(rows[i]![2]).toBe(rows[i + 1]![2]);
      expect(rows[i]![3]).not.toBe(rows[i + 1]![3]);
    }
    const images = readdirSync(join(out, 'MMVP', 'MMVP Images')).sort((a, b) => parseInt(a) - parseInt(b));
    expect(images).toEqual(Array.from({ length: 2 * pairs }, (_, k) => `${k + 1}.png`));
    expect(summary).toMatchObject({ split: 'eval', pairs, images: 2 * pairs });
  });

  it('writes patterns.csv in pattern blocks of the benchmark order', () => {
    const rows = parseCsv(readFileSync(join(out, 'MMVP', 'patterns.csv'), 'utf8'));
    expect(rows[0]).toEqual(['Index', 'Pattern']);
    rows.slice(1).forEach((row, k) => expect(row).toEqual([String(k + 1), PATTERNS[Math.floor(k / (2 * perPattern))]]));
  });

  it('writes MMVP-VLM Questions.csv and images per type folder with consecutive ids, same images as MMVP', () => {
    const rows = parseCsv(readFileSync(join(out, 'MMVP_VLM', 'Questions.csv'), 'utf8'));
    expect(rows[0]).toHaveLength(3);
    expect(rows.length - 1).toBe(2 * pairs);
    rows.slice(1).forEach((row, k) => {
      const pattern = PATTERNS[Math.floor(Math.floor(k / 2) / perPattern)]!;
      expect(row[0]).toBe(String(k + 1));
      expect(row[1]).toBe(VLM_FOLDERS[pattern]);
      const image = readFileSync(join(out, 'MMVP_VLM', 'MMVP_VLM_Images', row[1]!, `${k + 1}.png`));
      expect(image.equals(readFileSync(join(out, 'MMVP', 'MMVP Images', `${k + 1}.png`)))).toBe(true);
    });
    expect(readdirSync(join(out, 'MMVP_VLM', 'MMVP_VLM_Images')).sort()).toEqual(Object.values(VLM_FOLDERS).sort());
  });

  it('CSV rows match the recorded ground truth and the PNGs decode (by Skia) to the rendered pixels', async () => {
    const mmvp = parseCsv(readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')).slice(1);
    const vlm = parseCsv(readFileSync(join(out, 'MMVP_VLM', 'Questions.csv'), 'utf8')).slice(1);
    const truth = readFileSync(join(out, 'ground-truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(truth).toHaveLength(pairs);
    for (const [p, pattern] of PATTERNS.entries()) {
      const pair = evalPair(3, pattern, 1, 224);
      const number = p * perPattern + 2; // second pair of this pattern
      const t = truth[number - 1];
      expect(t.pattern).toBe(pattern);
      expect(t.values).toEqual(pair.values);
      for (const side of [0, 1] as const) {
        const row = mmvp[2 * number - 2 + side]!;
        expect(row[1]).toBe(pair.question);
        expect(row[3]).toBe(pair.answers[side] === 0 ? '(a)' : '(b)');
        expect(vlm[2 * number - 2 + side]![2]).toBe(pair.statements[side]);
        const image = await loadImage(readFileSync(join(out, 'MMVP', 'MMVP Images', `${2 * number - 1 + side}.png`)));
        const canvas = createCanvas(224, 224);
        canvas.getContext('2d').drawImage(image, 0, 0);
        const rgba = canvas.getContext('2d').getImageData(0, 0, 224, 224).data;
        const rgb = pair.images[side].data;
        let maxDiff = 0;
        for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) maxDiff = Math.max(maxDiff, Math.abs(rgba[i]! - rgb[j]!), Math.abs(rgba[i + 1]! - rgb[j + 1]!), Math.abs(rgba[i + 2]! - rgb[j + 2]!));
        expect(maxDiff).toBe(0);
      }
    }
  });

  it('writes one contact sheet per pattern', () => {
    const sheets = readdirSync(join(out, 'contact-sheets'));
    expect(sheets).toHaveLength(9);
    for (const sheet of sheets) expect(readFileSync(join(out, 'contact-sheets', sheet)).subarray(1, 4).toString()).toBe('PNG');
  });

  it('is byte-identical for the same seed and differs for another seed', () => {
    const again = join(root, 'eval-again');
    writeSynth({ out: again, seed: 3, pairsPerPattern: perPattern });
    expect(hashTree(again)).toEqual(hashTree(out));
    const other = join(root, 'eval-other');
    writeSynth({ out: other, seed: 4, pairsPerPattern: perPattern, contactSheets: false });
    const a = hashTree(out);
    const b = hashTree(other);
    expect(b.get(join('MMVP', 'MMVP Images', '1.png'))).not.toBe(a.get(join('MMVP', 'MMVP Images', '1.png')));
  });

  it('keeps the first pairs when more pairs per pattern are asked for', () => {
    const more = join(root, 'eval-more');
    writeSynth({ out: more, seed: 3, pairsPerPattern: 3, contactSheets: false });
    // Pair 1 of pattern 2 is MMVP pair 3 with 2 per pattern and pair 4 with 3 per pattern.
    const small = readFileSync(join(out, 'MMVP', 'MMVP Images', '5.png'));
    expect(small.equals(readFileSync(join(more, 'MMVP', 'MMVP Images', '7.png')))).toBe(true);
  });
});

describe('writeSynth train split', () => {
  const out = join(root, 'train-run');
  const count = 27;
  writeSynth({ out, seed: 9, split: 'train', count, contactSheets: false });
  const records = readFileSync(join(out, 'train', 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainRecord);

  it('writes one record per image, pairs consecutive, patterns round-robin, images present', () => {
    expect(records).toHaveLength(2 * count);
    records.forEach((record, i) => {
      expect(record.pair_id).toBe(Math.floor(i / 2) + 1);
      expect(record.side).toBe(i % 2);
      expect(record.pattern).toBe(PATTERNS[Math.floor(i / 2) % 9]);
      expect(record.pattern_index).toBe(Math.floor(i / 2) % 9);
      expect(record.options_text).toBe(`(a) ${record.options[0]} (b) ${record.options[1]}`);
      expect(record.answer_text).toBe(record.options[record.answer === '(a)' ? 0 : 1]);
      expect(readFileSync(join(out, 'train', record.image)).subarray(1, 4).toString()).toBe('PNG');
      expect([record.width, record.height]).toEqual([224, 224]);
    });
    for (let i = 0; i < records.length; i += 2) {
      const [a, b] = [records[i]!, records[i + 1]!];
      expect(a.question).toBe(b.question);
      expect(a.answer).not.toBe(b.answer);
      expect(a.value).not.toBe(b.value);
      expect(a.region).toEqual(b.region);
    }
  });

  it('captions are alt-text: without the detail, the two captions of a pair are the same', () => {
    for (let i = 0; i < records.length; i += 2) {
      const [a, b] = [records[i]!, records[i + 1]!];
      if (!a.caption_states_pattern && !b.caption_states_pattern) expect(a.caption).toBe(b.caption);
      if (a.pattern === 'Color and Appearance') {
        expect(a.caption_states_pattern && b.caption_states_pattern).toBe(true);
        expect(a.caption).toContain(a.value);
      }
    }
  });

  it('differs from the eval split of the same seed', () => {
    const evalOut = join(root, 'eval-seed9');
    writeSynth({ out: evalOut, seed: 9, pairsPerPattern: 1, contactSheets: false });
    expect(readFileSync(join(evalOut, 'MMVP', 'MMVP Images', '1.png')).equals(readFileSync(join(out, 'train', records[0]!.image)))).toBe(false);
  });
});

describe('writeSynth bad input', () => {
  it('names the option and the valid choices', () => {
    const out = join(root, 'bad');
    expect(() => writeSynth({ out, split: 'test' as 'eval' })).toThrow(/unknown split 'test'; valid choices: 'eval' or 'train'/);
    expect(() => writeSynth({ out, size: 20 })).toThrow(/size must be an integer from 64 to 1024, got 20/);
    expect(() => writeSynth({ out, pairsPerPattern: 0 })).toThrow(/pairsPerPattern must be an integer/);
    expect(() => writeSynth({ out, seed: -1 })).toThrow(/seed must be an integer/);
    expect(() => writeSynth({ out, count: 5 })).toThrow(/count applies to the train split only/);
    expect(() => writeSynth({ out, split: 'train', pairsPerPattern: 5 })).toThrow(/pairsPerPattern applies to the eval split only/);
  });

  it('refuses an output path that is a file, or lies under one, naming it', () => {
    const file = join(root, 'a-file.txt');
    writeFileSync(file, 'keep\n');
    expect(() => writeSynth({ out: file, pairsPerPattern: 1 })).toThrow(`output folder ${file} is a file; choose a folder path (it is created if missing)`);
    expect(() => writeSynth({ out: join(file, 'inner'), pairsPerPattern: 1 })).toThrow(/cannot create the output folder .*a-file.txt\/inner: a part of that path is a file, not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('keep\n');
  });

  it('refuses to overwrite a non-empty output folder and leaves its files alone', () => {
    const out = join(root, 'existing');
    mkdirSync(join(out, 'MMVP'), { recursive: true });
    writeFileSync(join(out, 'MMVP', 'Questions.csv'), 'mine\n');
    expect(() => writeSynth({ out, pairsPerPattern: 1 })).toThrow(/already exists and is not empty/);
    expect(readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')).toBe('mine\n');
    writeSynth({ out, pairsPerPattern: 1, overwrite: true, contactSheets: false });
    expect(readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')).toMatch(/^Index,Question/);
  });
});
