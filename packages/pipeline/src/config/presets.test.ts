import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyChatTemplate, formatQuestion } from '@mmvp/decoder';
import { loadPipelineConfig } from './load-pipeline-config';
import type { PipelineConfig } from './pipeline-config-schema';

// The reproduction presets of configs/pipelines: mmvp-paper-* (tsb0601/MMVP evaluate_mllm.py) and
// lmms-eval-* (lmms-eval's mmvp task with its LLaVA wrapper). The model folders they name are not in
// the repository; only the schema and the protocol settings are checked here.
const folder = fileURLToPath(new URL('../../../../configs/pipelines/', import.meta.url));

/** Every config file, loaded with the strict loader (unknown keys fail), and its raw JSON. */
async function loadAll(): Promise<{ name: string; config: PipelineConfig; raw: { decoder?: Record<string, unknown> } }[]> {
  const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(names.map(async (name) => ({ name, config: await loadPipelineConfig(join(folder, name)), raw: JSON.parse(await readFile(join(folder, name), 'utf8')) })));
}

const padToSquare = (config: PipelineConfig) => config.encoders.clip?.options['padToSquare'];
/** The model part of a preset: everything but the protocol (padding, decoding, prompt, texts). */
function modelPart(config: PipelineConfig) {
  const clip = config.encoders.clip!;
  const { padToSquare: _pad, ...clipOptions } = clip.options;
  return { encoders: { ...config.encoders, clip: { ...clip, options: clipOptions } }, adapters: config.adapters, strategy: config.strategy, decoderModel: config.decoder?.modelPath };
}

// One question as each peer's own code prompts it (reference/peers.md section 2).
const fish = ['Is the fish facing left or right?', '(a) Left (b) Right'] as const;
const ORIGINAL_PROMPT =
  "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions. USER: <image>\nIs the fish facing left or right? (a) Left (b) Right ASSISTANT:";
const LMMS_QUESTION = "Is the fish facing left or right?\nA. Left\nB. Right\nAnswer with the option's letter from the given choices directly.";

describe('reproduction presets in configs/pipelines', () => {
  it('every config loads with the strict loader, and every real-model config is a preset named after its protocol', async () => {
    const all = await loadAll();
    const names = all.map((entry) => entry.name);
    expect(names.filter((name) => !name.startsWith('tiny-'))).toEqual([
      'lmms-eval-llava-1.5-13b-imof.json',
      'lmms-eval-llava-1.5-7b-clip.json',
      'lmms-eval-llava-13b-amof-0.75.json',
      'mmvp-paper-llava-1.5-13b-imof.json',
      'mmvp-paper-llava-1.5-7b-clip.json',
      'mmvp-paper-llava-13b-amof-0.75.json',
    ]);
  });

  it('mmvp-paper-* are evaluate_mllm.py exactly: no pad, llava_v1 + original, sampling at 0.2 with up to 1024 tokens and a fixed seed', async () => {
    const presets = (await loadAll()).filter((entry) => entry.name.startsWith('mmvp-paper-'));
    expect(presets).toHaveLength(3);
    for (const { name, config, raw } of presets) {
      const decoder = config.decoder!;
      expect([name, padToSquare(config)]).toEqual([name, false]);
      expect([name, decoder.template, decoder.prompt, decoder.temperature, decoder.topP, decoder.maxNewTokens]).toEqual([name, 'llava_v1', 'original', 0.2, 1, 1024]);
      expect(Number.isInteger(raw.decoder!['seed'])).toBe(true); // stated in the file, not a schema default
      expect(config.description).toMatch(/tsb0601\/MMVP scripts\/evaluate_mllm\.py/);
      expect(applyChatTemplate(decoder.template, formatQuestion(...fish, decoder.prompt))).toBe(ORIGINAL_PROMPT);
    }
  });

  it("lmms-eval-* are lmms-eval's LLaVA run: pad to square, vicuna_v1 + lmms, greedy, 16 tokens", async () => {
    const presets = (await loadAll()).filter((entry) => entry.name.startsWith('lmms-eval-'));
    expect(presets).toHaveLength(3);
    for (const { name, config } of presets) {
      const decoder = config.decoder!;
      expect([name, padToSquare(config)]).toEqual([name, true]);
      expect([name, decoder.template, decoder.prompt, decoder.temperature, decoder.maxNewTokens]).toEqual([name, 'vicuna_v1', 'lmms', 0, 16]);
      expect(config.description).toMatch(/lmms-eval/);
      const prompt = applyChatTemplate(decoder.template, formatQuestion(...fish, decoder.prompt));
      expect(prompt).toContain(`USER: <image>\n${LMMS_QUESTION} ASSISTANT:`);
      expect(prompt.startsWith('A chat between a curious user and an artificial intelligence assistant.')).toBe(true);
    }
  });

  it('the two presets of one model differ only in the protocol', async () => {
    const all = await loadAll();
    for (const model of ['llava-1.5-7b-clip', 'llava-1.5-13b-imof', 'llava-13b-amof-0.75']) {
      const paper = all.find((entry) => entry.name === `mmvp-paper-${model}.json`)!.config;
      const lmms = all.find((entry) => entry.name === `lmms-eval-${model}.json`)!.config;
      expect(modelPart(lmms)).toEqual(modelPart(paper));
    }
  });
});
