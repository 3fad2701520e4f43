import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
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
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

function hashTree(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((file) => [relative(dir, file), createHash('sha256').update(readFileSync(file)).digest('hex')]));
}

describe('writeSynth eval split (PNG)', () => {
  const out = join(root, 'eval');
  const perPattern = 2;
  let summary: Awaited<ReturnType<typeof writeSynth>>;
  beforeAll(async () => {
    summary = await writeSynth({ out, seed: 3, pairsPerPattern: perPattern, imageFormat: 'png' });
  });
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
    const images = readdirSync(join(out, 'MMVP', 'MMVP Images')).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
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
      const image = readFileSync(join(out, 'MMVP_VLM', 'MLLM_VLM Images', row[1]!, `${k + 1}.png`));
      expect(image.equals(readFileSync(join(out, 'MMVP', 'MMVP Images', `${k + 1}.png`)))).toBe(true);
    });
    expect(readdirSync(join(out, 'MMVP_VLM', 'MLLM_VLM Images')).sort()).toEqual(Object.values(VLM_FOLDERS).sort());
  });

  it('CSV rows match the recorded ground truth and the PNGs decode (by Skia) to the rendered pixels', async () => {
    const mmvp = parseCsv(readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')).slice(1);
    const vlm = parseCsv(readFileSync(join(out, 'MMVP_VLM', 'Questions.csv'), 'utf8')).slice(1);
    const truth = readFileSync(join(out, 'ground-truth.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
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
    for (const sheet of sheets)
      expect(
        readFileSync(join(out, 'contact-sheets', sheet))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
  });

  it('is byte-identical for the same seed and differs for another seed', async () => {
    const again = join(root, 'eval-again');
    await writeSynth({ out: again, seed: 3, pairsPerPattern: perPattern, imageFormat: 'png' });
    expect(hashTree(again)).toEqual(hashTree(out));
    const other = join(root, 'eval-other');
    await writeSynth({ out: other, seed: 4, pairsPerPattern: perPattern, contactSheets: false, imageFormat: 'png' });
    const a = hashTree(out);
    const b = hashTree(other);
    expect(b.get(join('MMVP', 'MMVP Images', '1.png'))).not.toBe(a.get(join('MMVP', 'MMVP Images', '1.png')));
  });

  it('keeps the first pairs when more pairs per pattern are asked for', async () => {
    const more = join(root, 'eval-more');
    await writeSynth({ out: more, seed: 3, pairsPerPattern: 3, contactSheets: false, imageFormat: 'png' });
    // Pair 1 of pattern 2 is MMVP pair 3 with 2 per pattern and pair 4 with 3 per pattern.
    const small = readFileSync(join(out, 'MMVP', 'MMVP Images', '5.png'));
    expect(small.equals(readFileSync(join(more, 'MMVP', 'MMVP Images', '7.png')))).toBe(true);
  });
});

describe('writeSynth train split', () => {
  const out = join(root, 'train-run');
  const count = 27;
  let records: TrainRecord[];
  beforeAll(async () => {
    await writeSynth({ out, seed: 9, split: 'train', count, contactSheets: false });
    records = readFileSync(join(out, 'train', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TrainRecord);
  });

  it('writes one record per image, pairs consecutive, patterns round-robin, images present', () => {
    expect(records).toHaveLength(2 * count);
    records.forEach((record, i) => {
      expect(record.pair_id).toBe(Math.floor(i / 2) + 1);
      expect(record.side).toBe(i % 2);
      expect(record.pattern).toBe(PATTERNS[Math.floor(i / 2) % 9]);
      expect(record.pattern_index).toBe(Math.floor(i / 2) % 9);
      expect(record.options_text).toBe(`(a) ${record.options[0]} (b) ${record.options[1]}`);
      expect(record.answer_text).toBe(record.options[record.answer === '(a)' ? 0 : 1]);
      expect(
        readFileSync(join(out, 'train', record.image))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
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

  it('differs from the eval split of the same seed', async () => {
    const evalOut = join(root, 'eval-seed9');
    await writeSynth({ out: evalOut, seed: 9, pairsPerPattern: 1, contactSheets: false, imageFormat: 'png' });
    expect(readFileSync(join(evalOut, 'MMVP', 'MMVP Images', '1.png')).equals(readFileSync(join(out, 'train', records[0]!.image)))).toBe(false);
  });
});

describe('writeSynth bad input', () => {
  it('names the option and the valid choices', async () => {
    const out = join(root, 'bad');
    await expect(writeSynth({ out, split: 'test' as 'eval' })).rejects.toThrow(/unknown split 'test'; valid choices: 'eval' or 'train'/);
    await expect(writeSynth({ out, size: 20 })).rejects.toThrow(/size must be an integer from 64 to 1024, got 20/);
    await expect(writeSynth({ out, pairsPerPattern: 0 })).rejects.toThrow(/pairsPerPattern must be an integer/);
    await expect(writeSynth({ out, seed: -1 })).rejects.toThrow(/seed must be an integer/);
    await expect(writeSynth({ out, count: 5 })).rejects.toThrow(/count applies to the train split only/);
    await expect(writeSynth({ out, split: 'train', pairsPerPattern: 5 })).rejects.toThrow(/pairsPerPattern applies to the eval split only/);
  });

  it('refuses an output path that is a file, or lies under one, naming it', async () => {
    const file = join(root, 'a-file.txt');
    writeFileSync(file, 'keep\n');
    await expect(writeSynth({ out: file, pairsPerPattern: 1 })).rejects.toThrow(`output folder ${file} is a file; choose a folder path (it is created if missing)`);
    await expect(writeSynth({ out: join(file, 'inner'), pairsPerPattern: 1 })).rejects.toThrow(/cannot create the output folder .*a-file.txt\/inner: a part of that path is a file, not a folder/);
    expect(readFileSync(file, 'utf8')).toBe('keep\n');
  });

  it('refuses to overwrite a non-empty output folder and leaves its files alone', async () => {
    const out = join(root, 'existing');
    mkdirSync(join(out, 'MMVP'), { recursive: true });
    writeFileSync(join(out, 'MMVP', 'Questions.csv'), 'mine\n');
    await expect(writeSynth({ out, pairsPerPattern: 1 })).rejects.toThrow(/already exists and is not empty/);
    expect(readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')).toBe('mine\n');
    await writeSynth({ out, pairsPerPattern: 1, overwrite: true, contactSheets: false });
    expect(readFileSync(join(out, 'MMVP', 'Questions.csv'), 'utf8')).toMatch(/^Index,Question/);
  });
});

/** Component sampling factors from a JPEG's SOF0/SOF2 header, e.g. ['11', '11', '11'] for 4:4:4. */
function jpegSampling(bytes: Buffer): string[] {
  for (let i = 2; i < bytes.length; ) {
    const marker = bytes[i + 1]!;
    const length = bytes.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) return Array.from({ length: bytes[i + 9]! }, (_, c) => bytes[i + 11 + 3 * c]!.toString(16));
    i += 2 + length;
  }
  return [];
}

describe('writeSynth eval split (JPEG, the default)', () => {
  const out = join(root, 'eval-jpeg');
  beforeAll(async () => {
    await writeSynth({ out, seed: 3, pairsPerPattern: 2, size: 64, contactSheets: false });
  });

  it('writes <k>.jpg in MMVP Images and MLLM_VLM Images/<Type>/, full-resolution chroma, recorded in synth.json', () => {
    const images = readdirSync(join(out, 'MMVP', 'MMVP Images')).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    expect(images).toEqual(Array.from({ length: 36 }, (_, k) => `${k + 1}.jpg`));
    for (const name of images) {
      const bytes = readFileSync(join(out, 'MMVP', 'MMVP Images', name));
      expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
      expect(jpegSampling(bytes)).toEqual(['11', '11', '11']);
    }
    expect(readdirSync(join(out, 'MMVP_VLM'))).toContain('MLLM_VLM Images');
    const manifest = JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8'));
    expect(manifest).toMatchObject({ imageFormat: 'jpeg', jpeg: { quality: 95, chromaSubsampling: '4:4:4' } });
  });

  it('decodes (sharp) to within a few levels of the rendered pixels, and is byte-identical on a rerun', async () => {
    for (const [p, pattern] of PATTERNS.entries()) {
      const pair = evalPair(3, pattern, 0, 64);
      const { data } = await sharp(join(out, 'MMVP', 'MMVP Images', `${4 * p + 1}.jpg`))
        .raw()
        .toBuffer({ resolveWithObject: true });
      let squared = 0;
      for (let i = 0; i < data.length; i++) squared += (data[i]! - pair.images[0].data[i]!) ** 2;
      const psnr = 10 * Math.log10((255 * 255) / (squared / data.length));
      expect(psnr, pattern).toBeGreaterThan(30);
    }
    const again = join(root, 'eval-jpeg-again');
    await writeSynth({ out: again, seed: 3, pairsPerPattern: 2, size: 64, contactSheets: false });
    expect(hashTree(again)).toEqual(hashTree(out));
  });

  it('opens with the peers own path rules: evaluate_mllm.py, evaluate_vlm.py and Cambrian (300 images with --pairs 150)', async () => {
    const official = join(root, 'eval-official');
    await writeSynth({ out: official, seed: 5, size: 64, pairs: 150, contactSheets: false });
    // evaluate_mllm.py: pandas rows in order, image `MMVP Images/{row + 1}.jpg` (the Index column is never read)
    const mmvp = parseCsv(readFileSync(join(official, 'MMVP', 'Questions.csv'), 'utf8')).slice(1);
    expect(mmvp).toHaveLength(300);
    for (let row = 0; row < mmvp.length; row++) await sharp(join(official, 'MMVP', 'MMVP Images', `${row + 1}.jpg`)).metadata();
    // Cambrian mmvp_eval.py: exactly `MMVP Images/{i + 1}.jpg` for i in range(300), CSV by position, header skipped
    expect(Array.from({ length: 300 }, (_, i) => readFileSync(join(official, 'MMVP', 'MMVP Images', `${i + 1}.jpg`)).length > 0).every(Boolean)).toBe(true);
    // evaluate_vlm.py: csv.reader, first row skipped, rows taken two at a time, both images from row 1's type folder
    const vlm = parseCsv(readFileSync(join(official, 'MMVP_VLM', 'Questions.csv'), 'utf8')).slice(1);
    expect(vlm).toHaveLength(270);
    for (let i = 0; i < vlm.length; i += 2) {
      const [qid1, type1] = vlm[i]!;
      const [qid2] = vlm[i + 1]!;
      const first = await sharp(join(official, 'MMVP_VLM', 'MLLM_VLM Images', type1!, `${qid1}.jpg`)).metadata();
      const second = await sharp(join(official, 'MMVP_VLM', 'MLLM_VLM Images', type1!, `${qid2}.jpg`)).metadata();
      expect([first.format, second.format]).toEqual(['jpeg', 'jpeg']);
      // its categories are by position: pair p belongs to categories[p // 15]
      expect(type1).toBe(VLM_FOLDERS[PATTERNS[Math.floor(i / 2 / 15)]!]);
    }
    // --pairs 150 over nine patterns: six patterns get 17 pairs, three get 16, recorded in patterns.csv
    const patterns = parseCsv(readFileSync(join(official, 'MMVP', 'patterns.csv'), 'utf8')).slice(1);
    const perPattern = PATTERNS.map((pattern) => patterns.filter((row) => row[1] === pattern).length / 2);
    expect(perPattern).toEqual([17, 17, 17, 17, 17, 17, 16, 16, 16]);
  }, 60_000);

  it('shares images between MMVP and MMVP-VLM where both have the pair', async () => {
    const mixed = join(root, 'eval-mixed');
    await writeSynth({ out: mixed, seed: 3, pairsPerPattern: 2, size: 64, pairs: 20, contactSheets: false, imageFormat: 'png' });
    // MMVP: 3, 3, 2 x 7 pairs; pattern 2's first pair is MMVP pair 4 (rows 7, 8) and MMVP-VLM pair 3 (ids 5, 6)
    const image = readFileSync(join(mixed, 'MMVP', 'MMVP Images', '7.png'));
    expect(image.equals(readFileSync(join(mixed, 'MMVP_VLM', 'MLLM_VLM Images', VLM_FOLDERS[PATTERNS[1]!], '5.png')))).toBe(true);
    const truth = readFileSync(join(mixed, 'ground-truth.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(truth.filter((t) => t.mmvp_rows !== null)).toHaveLength(20);
    expect(truth.filter((t) => t.vlm_ids !== null)).toHaveLength(18);
  });

  it('refuses an unknown image format and pairs on the train split', async () => {
    await expect(writeSynth({ out: join(root, 'bad-format'), imageFormat: 'gif' as 'png' })).rejects.toThrow(/unknown image format 'gif'; valid choices: 'jpeg' or 'png'/);
    await expect(writeSynth({ out: join(root, 'bad-pairs'), split: 'train', pairs: 3 })).rejects.toThrow(/pairs applies to the eval split only/);
    await expect(writeSynth({ out: join(root, 'bad-pairs'), pairs: 0 })).rejects.toThrow(/pairs must be an integer from 1/);
  });
});
