import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { QUESTION_STYLES, type QuestionStyle } from '@mmvp/decoder';
import { createPipeline, loadPipelineConfig } from '@mmvp/pipeline';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { askEndpointCommand } from '../shared/ask-endpoint';
import { addEndpointOptions, type EndpointFlags } from '../shared/endpoint-flags';

interface AskCommandOptions extends EndpointFlags {
  pipeline?: string;
  image: string;
  question: string;
  options?: string;
  prompt?: string;
  maxNewTokens?: string;
  temperature?: string;
  seed?: string;
  json?: boolean;
  stream?: boolean;
}

function parseNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new InvalidArgumentError(`${flag} must be a number, got '${value}'`);
  return parsed;
}

/**
 * `mmvp ask --pipeline CFG --image X --question Q [--options "(a) X (b) Y"] [--json] [--stream]`:
 * one answer from the whole pipeline (encoders -> adapters -> mixture -> decoder). What was resolved
 * goes to stderr first; the answer (or one JSON document with --json) goes to stdout.
 */
export function registerAsk(program: Command): void {
  program
    .command('ask')
    .description('one answer from a pipeline: image + question -> encoders -> adapters -> mixture -> LLM decoder')
    .option('--pipeline <file>', "pipeline config JSON with a decoder section (see configs/pipelines/); or --endpoint. A config is code, like a plugin list: its encoders' `use` modules run")
    .requiredOption('--image <file>', 'image file: JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame)')
    .requiredOption('--question <text>', 'the question')
    .option('--options <text>', "MMVP-style options '(a) X (b) Y', formatted per --prompt")
    .option('--prompt <style>', "question style: 'original' (question + options, MMVP's script), 'lmms' (lettered options + instruction, lmms-eval) or 'cambrian' (' Options:' + as lmms, Cambrian); default: the config's")
    .option('--max-new-tokens <n>', "generation length limit (default: the config's)")
    .option('--temperature <t>', "0 = greedy; > 0 samples with top-p from the config (default: the config's)")
    .option('--seed <n>', 'sampling seed (an integer)')
    .option('--json', 'print one JSON document on stdout')
    .option('--stream', 'print the answer as it is generated')
    .action(async (options: AskCommandOptions) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      if (options.prompt !== undefined && !(QUESTION_STYLES as readonly string[]).includes(options.prompt)) {
        throw new InvalidArgumentError(`--prompt '${options.prompt}' is not valid; choose ${listChoices(QUESTION_STYLES)}`);
      }
      if (options.question.trim() === '') throw new InvalidArgumentError('--question is empty; give the question text');
      if ((options.endpoint === undefined) === (options.pipeline === undefined)) throw new InvalidArgumentError('give either --pipeline CFG or --endpoint URL --endpoint-model NAME');
      if (options.endpoint !== undefined) return askEndpointCommand(options);
      const maxNewTokens = options.maxNewTokens === undefined ? undefined : positiveIntegerOption('--max-new-tokens', options.maxNewTokens);
      const temperature = parseNumber(options.temperature, '--temperature');
      if (temperature !== undefined && temperature < 0) throw new InvalidArgumentError(`--temperature must be 0 (greedy) or a positive number, got '${options.temperature}'`);
      const seed = parseNumber(options.seed, '--seed');
      if (seed !== undefined && !Number.isSafeInteger(seed)) throw new InvalidArgumentError(`--seed must be an integer (the sampler's seed, as the config's decoder.seed), got '${options.seed}'`);
      const config = await loadPipelineConfig(options.pipeline!);
      log(`pipeline: ${config.configPath}${config.name ? ` (${config.name})` : ''}`);
      const pipeline = await createPipeline(config);
      try {
        const overrides = {
          ...(options.prompt === undefined ? {} : { prompt: options.prompt as QuestionStyle }),
          ...(maxNewTokens === undefined ? {} : { maxNewTokens }),
          ...(temperature === undefined ? {} : { temperature }),
          ...(seed === undefined ? {} : { seed }),
        };
        for (const line of pipeline.describe(overrides)) log(line); // what this ask does, overrides included
        log(`image: ${resolve(options.image)}`);
        const streaming = options.stream === true && options.json !== true;
        const started = performance.now();
        const answer = await pipeline.ask(
          {
            image: options.image,
            question: options.question,
            ...(options.options === undefined ? {} : { options: options.options }),
            ...overrides,
          },
          streaming ? { onToken: (event) => void process.stdout.write(event.text) } : {},
        );
        const seconds = (performance.now() - started) / 1000;
        log(`${answer.tokenIds.length} tokens in ${seconds.toFixed(2)} s (${answer.finishReason}; prompt ${answer.promptLength} positions incl. ${answer.visualTokenCount} visual tokens)`);
        if (options.json === true) {
          const document = {
            pipeline: config.configPath,
            image: resolve(options.image),
            question: options.question,
            options: options.options ?? null,
            prompt: answer.prompt,
            templatedPrompt: answer.templatedPrompt,
            response: answer.text,
            tokenIds: answer.tokenIds,
            finishReason: answer.finishReason,
            visualTokenCount: answer.visualTokenCount,
            promptLength: answer.promptLength,
            template: config.decoder?.template,
            decoding: (temperature ?? config.decoder?.temperature ?? 0) > 0 ? 'sample' : 'greedy',
            seconds,
          };
          process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
        } else if (streaming) {
          process.stdout.write('\n');
        } else {
          process.stdout.write(`${answer.text}\n`);
        }
      } finally {
        await pipeline.dispose();
      }
    });
  addEndpointOptions(program.commands.at(-1)!); // --endpoint, --endpoint-model, --api-key-env and the request limits
}
