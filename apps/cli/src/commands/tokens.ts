import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, formatShape, listChoices, writeNpy } from '@mmvp/core';
import { createVisualTokenizer, loadPipelineConfig, type PipelineConfig } from '@mmvp/pipeline';
import { checkOutputFile, prepareOutputFile } from '../output-file';

const kernelChoices = ['wasm', 'js', 'ort', 'gpujs'] as const;
const deviceChoices = ['cpu', 'webgpu', 'cuda'] as const;

/** The config with `--kernels` / `--device` applied (they override its `kernels` section). */
function withKernelFlags(config: PipelineConfig, options: { kernels?: string; device?: string }): PipelineConfig {
  if (options.kernels !== undefined && !(kernelChoices as readonly string[]).includes(options.kernels)) {
    throw new InvalidArgumentError(`unknown --kernels '${options.kernels}'; valid choices: ${listChoices(kernelChoices)}`);
  }
  if (options.device !== undefined && !(deviceChoices as readonly string[]).includes(options.device)) {
    throw new InvalidArgumentError(`unknown --device '${options.device}'; valid choices: ${listChoices(deviceChoices)}`);
  }
  if (options.device !== undefined && options.device !== 'cpu' && options.kernels !== 'ort') {
    throw new InvalidArgumentError(`--device ${options.device} runs the 'ort' kernels on that execution provider: add --kernels ort (the wasm, js and gpujs kernels run on the CPU)`);
  }
  if (options.kernels === undefined) return config;
  const backend = [options.kernels as (typeof kernelChoices)[number]];
  const executionProvider = (options.device ?? config.kernels?.executionProvider ?? config.executionProvider) as (typeof deviceChoices)[number];
  return { ...config, kernels: { backend, executionProvider } };
}

/**
 * `mmvp tokens --pipeline CFG --image X --out F.npy`: the visual token matrix [T, H] that would be
 * spliced into the LLM at `<image>` (encoders -> adapters -> mixture strategy of the config).
 */
export function registerTokens(program: Command): void {
  program
    .command('tokens')
    .description('visual tokens [T, H] after the encoders, adapters and mixture strategy of a pipeline config, as .npy')
    .requiredOption('--pipeline <file>', 'pipeline config JSON (see configs/pipelines/; relative paths in it resolve against its folder)')
    .requiredOption('--image <file>', 'image file: JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame)')
    .requiredOption('--out <file>', 'output .npy: float32 [T, H], T visual tokens of width H (the LLM hidden size); missing folders are created')
    .option('--kernels <backend>', `mixing kernels, no fallback: ${kernelChoices.join(', ')} (default: the config's kernels, else wasm then js)`)
    .option('--device <ep>', `execution provider of --kernels ort: ${deviceChoices.join(', ')} (default: the config's executionProvider)`)
    .action(async (options: { pipeline: string; image: string; out: string; kernels?: string; device?: string }) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const out = await checkOutputFile(options.out, '--out', 'visual-tokens.npy'); // folders are made only when there is a result to write
      const config = withKernelFlags(await loadPipelineConfig(options.pipeline), options);
      log(`pipeline: ${config.configPath}${config.name ? ` (${config.name})` : ''}`);
      const tokenizer = await createVisualTokenizer(config);
      try {
        for (const line of tokenizer.describe()) log(line);
        log(`image: ${resolve(options.image)}`);
        const tokens = await tokenizer.visualTokens([options.image]); // [1, T, H]
        const matrix = { data: tokens.data, dims: tokens.dims.slice(1) }; // [T, H]
        await prepareOutputFile(out, '--out', 'visual-tokens.npy');
        await writeNpy(out, matrix.data, matrix.dims);
        log(`wrote ${formatShape(matrix.dims)} float32 visual tokens`);
        process.stdout.write(`${out}\n`);
      } finally {
        await tokenizer.dispose();
      }
    });
}
