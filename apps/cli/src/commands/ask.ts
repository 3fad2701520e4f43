import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { declareFlags } from '../flags/declare-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { endpointFlags, jsonFlag, pipelineOrEndpoint } from '../flags/shared-flags';
import { askOptionsSchema, type AskOptions } from '../schemas/ask-options';
import { askEndpointCommand } from '../print/ask-endpoint';

/** ask's options as flags. */
const askFlags: FlagTable<AskOptions> = {
  pipeline: { flag: '--pipeline <file>', description: "pipeline config JSON with a decoder section (see configs/pipelines/); or --endpoint. A config is code, like a plugin list: its encoders' `use` modules run" },
  image: { flag: '--image <file>', description: 'image file: JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame)' },
  question: { flag: '--question <text>', description: 'the question' },
  options: { flag: '--options <text>', description: "MMVP-style options '(a) X (b) Y', formatted per --prompt" },
  prompt: {
    flag: '--prompt <style>',
    description: "question style: 'original' (question + options, MMVP's script), 'lmms' (lettered options + instruction, lmms-eval) or 'cambrian' (' Options:' + as lmms, Cambrian); default: the config's",
  },
  maxNewTokens: { flag: '--max-new-tokens <n>', description: "generation length limit (default: the config's)" },
  temperature: { flag: '--temperature <t>', description: "0 = greedy; > 0 samples with top-p from the config (default: the config's)" },
  seed: { flag: '--seed <n>', description: 'sampling seed' },
  endpoint: endpointFlags,
};
const cliFlags: FlagTable<{ json?: boolean; stream?: boolean }> = { json: jsonFlag('print one JSON document on stdout'), stream: { flag: '--stream', description: 'print the answer as it is generated' } };

/**
 * `mmvp ask --pipeline CFG --image X --question Q [--options "(a) X (b) Y"] [--json] [--stream]`:
 * one answer from the whole pipeline (encoders -> adapters -> mixture -> decoder), or from an endpoint.
 * What was resolved goes to stderr first; the answer (or one JSON document with --json) goes to stdout.
 */
export function registerAsk(program: Command): void {
  const command = program.command('ask').description('one answer from a pipeline: image + question -> encoders -> adapters -> mixture -> LLM decoder');
  declareFlags(declareFlags(command, askFlags, askOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    const { pipeline: path, endpoint, image, question, options, ...overrides } = optionsFromFlags(askFlags, values) as AskOptions;
    pipelineOrEndpoint({ pipeline: path, endpoint });
    if (endpoint !== undefined) return askEndpointCommand({ endpoint, image, question, ...(options === undefined ? {} : { options }), ...overrides }, values['json'] === true);
    const config = await loadPipelineConfig(path!);
    log(`pipeline: ${config.configPath}${config.name ? ` (${config.name})` : ''}`);
    const pipeline = await createPipeline(config);
    try {
      for (const line of pipeline.describe(overrides)) log(line); // what this ask does, overrides included
      log(`image: ${resolve(image)}`);
      const streaming = values['stream'] === true && values['json'] !== true;
      const started = performance.now();
      const request = { image, question, ...(options === undefined ? {} : { options }), ...overrides };
      const answer = await pipeline.ask(request, streaming ? { onToken: (event) => void process.stdout.write(event.text) } : {});
      const seconds = (performance.now() - started) / 1000;
      log(`${answer.tokenIds.length} tokens in ${seconds.toFixed(2)} s (${answer.finishReason}; prompt ${answer.promptLength} positions incl. ${answer.visualTokenCount} visual tokens)`);
      if (values['json'] !== true) return void process.stdout.write(streaming ? '\n' : `${answer.text}\n`);
      const { prompt, templatedPrompt, text: response, tokenIds, finishReason, visualTokenCount, promptLength } = answer;
      const decoding = (overrides.temperature ?? config.decoder?.temperature ?? 0) > 0 ? 'sample' : 'greedy';
      const document = {
        pipeline: config.configPath,
        image: resolve(image),
        question,
        options: options ?? null,
        prompt,
        templatedPrompt,
        response,
        tokenIds,
        finishReason,
        visualTokenCount,
        promptLength,
        template: config.decoder?.template,
        decoding,
        seconds,
      };
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } finally {
      await pipeline.dispose();
    }
  });
}
