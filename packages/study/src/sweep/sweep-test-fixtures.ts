import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// Fixtures the sweep's library tests and the CLI's sweep smoke tests share (through @mmvp/study/testing):
// the graded answers a sweep writes, a proxy question set on synth images, and per-ratio zoo configs whose
// encoders count the images they encode.

/** One graded line of a sweep's answers.jsonl. */
export interface SweepGradedAnswer {
  readonly model: string;
  readonly question_id: number;
  readonly question: string;
  readonly options: string;
  readonly answer: string;
  readonly response: string;
  readonly choice?: string;
  readonly correct: boolean;
}

/** The graded lines of FOLDER/answers.jsonl, in file order. */
export async function readSweepAnswers(folder: string): Promise<SweepGradedAnswer[]> {
  return (await readFile(join(folder, 'answers.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SweepGradedAnswer);
}

/** A second question set of our own in MMVP folder format: 4 pairs on copies of 8 of the synth images, gold answers mixed. */
export const PROXY_QUESTION_ROWS: readonly { readonly question: string; readonly options: readonly [string, string]; readonly answer: 'a' | 'b' }[] = [
  { question: 'Which option is the letter A?', options: ['A', 'B'], answer: 'a' },
  { question: 'Which option is the letter A?', options: ['A', 'B'], answer: 'a' },
  { question: 'Answer with the second option.', options: ['first', 'second'], answer: 'b' },
  { question: 'Answer with the second option.', options: ['first', 'second'], answer: 'b' },
  { question: 'Is there an image?', options: ['Yes', 'No'], answer: 'a' },
  { question: 'Is there an image?', options: ['Yes', 'No'], answer: 'a' },
  { question: 'Is the picture empty?', options: ['Yes', 'No'], answer: 'b' },
  { question: 'Is the picture empty?', options: ['Yes', 'No'], answer: 'b' },
];

/** Writes the proxy set (PROXY_QUESTION_ROWS) as an MMVP folder into FOLDER; proxy image 1 is synth image 18, 2 is 17, ... */
export async function writeProxyFolder(folder: string, synthImages: string): Promise<void> {
  await mkdir(join(folder, 'MMVP Images'), { recursive: true });
  const lines = ['Index,Question,Options,Correct Answer'];
  for (const [index, row] of PROXY_QUESTION_ROWS.entries()) {
    const id = index + 1;
    lines.push(`${id},${row.question},(a) ${row.options[0]} (b) ${row.options[1]},(${row.answer})`);
    await copyFile(join(synthImages, `${18 - index}.png`), join(folder, 'MMVP Images', `${id}.png`));
  }
  await writeFile(join(folder, 'Questions.csv'), `${lines.join('\n')}\n`);
}

/** The parts of a zoo pipeline.json the fixture rewrites (and a test's `change` may edit). */
export interface ZooPipelineConfig {
  encoders: Record<'clip' | 'dino', { model: string; use?: string; options?: unknown; tap?: unknown }>;
  adapters: { additive: { weights: string } };
  decoder: { modelPath: string };
}

/** Per-ratio configs of the zoo whose encoders count the images they encode (see {@link countingSweepConfigs}). */
export interface CountingSweepConfigs {
  /** Writes CONFIGS/amof-<ratio>.json: the zoo's llava-amof-<ratio>/pipeline.json with absolute paths and counting encoders; `change` edits it first. */
  writeConfig(ratio: string, change?: (config: ZooPipelineConfig) => void): Promise<string>;
  /** Images encoded per encoder since the count file was last read (and emptied). */
  takeCounts(): Promise<{ clip: number; dino: number; calls: number }>;
}

/**
 * Configs for a per-ratio sweep in `configs` (the folder must hold counting-encoder.mjs, since a component file
 * must lie inside its config's folder); the encoders append "<role> <images>" lines to `counts`.
 */
export function countingSweepConfigs(options: { readonly zoo: string; readonly configs: string; readonly counts: string }): CountingSweepConfigs {
  const { zoo, configs, counts } = options;
  return {
    async writeConfig(ratio, change = () => {}) {
      const folder = join(zoo, `llava-amof-${ratio}`);
      const config = JSON.parse(await readFile(join(folder, 'pipeline.json'), 'utf8')) as ZooPipelineConfig;
      for (const role of ['clip', 'dino'] as const) {
        const encoder = config.encoders[role];
        encoder.options = { wraps: role, countFile: counts };
        encoder.use = './counting-encoder.mjs';
        encoder.model = join(folder, encoder.model);
      }
      config.adapters.additive.weights = join(folder, config.adapters.additive.weights);
      config.decoder.modelPath = folder;
      change(config);
      const path = join(configs, `amof-${ratio}.json`);
      await writeFile(path, JSON.stringify(config, null, 2));
      return path;
    },
    async takeCounts() {
      const lines = (await readFile(counts, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
      await writeFile(counts, '');
      const sum = (role: string) => lines.filter((line) => line.startsWith(`${role} `)).reduce((total, line) => total + Number(line.split(' ')[1]), 0);
      return { clip: sum('clip'), dino: sum('dino'), calls: lines.length };
    },
  };
}
