import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatShape, writeNpy } from '@mmvp/core';
import { createVisualTokenizer, loadPipelineConfig } from '@mmvp/pipeline';
import { checkOutputFile, prepareOutputFile } from '../output-file';

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
    .action(async (options: { pipeline: string; image: string; out: string }) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const out = await checkOutputFile(options.out, '--out', 'visual-tokens.npy'); // folders are made only when there is a result to write
      const config = await loadPipelineConfig(options.pipeline);
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
