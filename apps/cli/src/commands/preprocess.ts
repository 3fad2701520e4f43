import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { FileFormatError, writeNpy } from '@mmvp/core';
import { createImageProcessor, cropRoundings, loadPreprocessorConfig, resampleNames } from '@mmvp/image';
import { declareFlags } from '../flags/declare-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { checkOutputFile, prepareOutputFile } from '../output-file';

interface PreprocessOptions {
  config: string;
  image: string[];
  padSquare?: boolean;
  cropRounding: 'floor' | 'round';
  out: string;
}

/** preprocess' options as flags (createImageProcessor's settings, plus the files). */
const preprocessFlags: FlagTable<PreprocessOptions> = {
  config: { flag: '--config <file>', schema: z.string().min(1), description: 'preprocessor_config.json (or a model folder that has one)' },
  image: { flag: '--image <files...>', schema: z.array(z.string()), description: 'image file(s): JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame; SVG is refused)' },
  padSquare: { flag: '--pad-square', description: "pad to a square with the mean colour first, as LLaVA-1.5 does (image_aspect_ratio 'pad')" },
  cropRounding: {
    flag: '--crop-rounding <mode>',
    cliDefault: 'floor',
    schema: z.enum(cropRoundings as ['floor', 'round']),
    description: "center-crop offset: 'floor' (Hugging Face) or 'round' (OpenAI CLIP / torchvision)",
  },
  out: { flag: '--out <file.npy>', schema: z.string().min(1), description: 'where to write pixel_values: float32 .npy [B, 3, H, W], one row per --image in order (missing folders are created)' },
};

/** A model folder stands for its preprocessor_config.json. */
async function resolveConfigPath(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) throw new FileFormatError(`--config ${absolute}: no such file or folder; give a preprocessor_config.json or a model folder that has one`);
  if (!info.isDirectory()) return absolute;
  const inside = join(absolute, 'preprocessor_config.json');
  if (!(await stat(inside).catch(() => undefined))?.isFile()) {
    throw new FileFormatError(`--config ${absolute} is a folder without preprocessor_config.json; give the file itself or a model folder that has one`);
  }
  return inside;
}

/** `mmvp preprocess`: the exact pixel_values [B, 3, H, W] a model gets, as a float32 .npy. */
export function registerPreprocess(program: Command): void {
  const command = program.command('preprocess').description("the exact pixel_values a model gets (Pillow-exact resize, Hugging Face's processor steps) as float32 .npy [B, 3, H, W]");
  declareFlags(command, preprocessFlags).action(async (values: Record<string, unknown>) => {
    const options = optionsFromFlags(preprocessFlags, values) as PreprocessOptions;
    const output = await checkOutputFile(options.out, '--out', 'pixel_values.npy'); // folders are made only when there is a result to write
    const configPath = await resolveConfigPath(options.config);
    const config = await loadPreprocessorConfig(configPath);
    const processor = createImageProcessor(config, { padToSquare: options.padSquare ?? false, cropRounding: options.cropRounding });
    const size = 'shortestEdge' in config.size ? `shortest edge ${config.size.shortestEdge}` : `${config.size.width}x${config.size.height}`;
    process.stderr.write(
      `preprocess: config ${configPath} (${config.processorType || 'image processor'}: resize ${config.doResize ? `${size}, ${resampleNames[config.resample]}` : 'off'}, ` +
        `crop ${config.doCenterCrop ? `${config.cropSize.width}x${config.cropSize.height} ${options.cropRounding}` : 'off'}, pad to square ${options.padSquare ? 'on' : 'off'})\n`,
    );
    const pixelValues = await processor.preprocess(options.image.map((image) => resolve(image)));
    await prepareOutputFile(output, '--out', 'pixel_values.npy');
    await writeNpy(output, pixelValues.data, pixelValues.dims);
    process.stderr.write(`preprocess: wrote pixel_values [${pixelValues.dims.join(', ')}] float32 to ${output}\n`);
    process.stdout.write(`${output}\n`);
  });
}
