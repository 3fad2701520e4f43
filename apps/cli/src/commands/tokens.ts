import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidArgumentError, formatShape, writeNpy } from '@mmvp/core';
import { createVisualTokenizer, loadPipelineConfig, type PipelineConfig } from '@mmvp/pipeline';
import { declareFlags } from '../flags/declare-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { checkOutputFile, prepareOutputFile } from '../output-file';

interface TokensOptions {
  pipeline: string;
  image: string;
  out: string;
  kernels?: 'wasm' | 'js' | 'ort' | 'gpujs';
  device?: 'cpu' | 'webgpu' | 'cuda';
}

/** tokens' options as flags (the config's `kernels` section, overridden from the command line). */
const tokensFlags: FlagTable<TokensOptions> = {
  pipeline: { flag: '--pipeline <file>', schema: z.string().min(1), description: 'pipeline config JSON (see configs/pipelines/; relative paths in it resolve against its folder)' },
  image: { flag: '--image <file>', schema: z.string().min(1), description: 'image file: JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame)' },
  out: { flag: '--out <file>', schema: z.string().min(1), description: 'output .npy: float32 [T, H], T visual tokens of width H (the LLM hidden size); missing folders are created' },
  kernels: { flag: '--kernels <backend>', schema: z.enum(['wasm', 'js', 'ort', 'gpujs']).optional(), description: "mixing kernels, no fallback (default: the config's kernels, else wasm then js)" },
  device: { flag: '--device <ep>', schema: z.enum(['cpu', 'webgpu', 'cuda']).optional(), description: "execution provider of --kernels ort (default: the config's executionProvider)" },
};

/** The config with `--kernels` / `--device` applied (they override its `kernels` section). */
function withKernelFlags(config: PipelineConfig, { kernels, device }: TokensOptions): PipelineConfig {
  if (device !== undefined && device !== 'cpu' && kernels !== 'ort') {
    throw new InvalidArgumentError(`--device ${device} runs the 'ort' kernels on that execution provider: add --kernels ort (the wasm, js and gpujs kernels run on the CPU)`);
  }
  if (kernels === undefined) return config;
  const executionProvider = (device ?? config.kernels?.executionProvider ?? config.executionProvider) as NonNullable<TokensOptions['device']>;
  return { ...config, kernels: { backend: [kernels], executionProvider } };
}

/**
 * `mmvp tokens --pipeline CFG --image X --out F.npy`: the visual token matrix [T, H] that would be
 * spliced into the LLM at `<image>` (encoders -> adapters -> mixture strategy of the config).
 */
export function registerTokens(program: Command): void {
  const command = program.command('tokens').description('visual tokens [T, H] after the encoders, adapters and mixture strategy of a pipeline config, as .npy');
  declareFlags(command, tokensFlags).action(async (values: Record<string, unknown>) => {
    const options = optionsFromFlags(tokensFlags, values) as TokensOptions;
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
