import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileFormatError, InvalidArgumentError, listChoices, writeNpy } from '@mmvp/core';
import { createImageProcessor, cropRoundings, loadPreprocessorConfig, resampleNames, type CropRounding } from '@mmvp/image';
import type { Command } from 'commander';
import { checkOutputFile, prepareOutputFile } from '../output-file';

interface PreprocessOptions {
  config: string;
  image: string[];
  padSquare?: boolean;
  cropRounding: string;
  out: string;
}

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
  program
    .command('preprocess')
    .description("the exact pixel_values a model gets (Pillow-exact resize, Hugging Face's processor steps) as float32 .npy [B, 3, H, W]")
    .requiredOption('--config <file>', 'preprocessor_config.json (or a model folder that has one)')
    .requiredOption('--image <files...>', 'image file(s): JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame; SVG is refused)')
    .option('--pad-square', "pad to a square with the mean colour first, as LLaVA-1.5 does (image_aspect_ratio 'pad')")
    .option('--crop-rounding <mode>', `center-crop offset: 'floor' (Hugging Face) or 'round' (OpenAI CLIP / torchvision)`, 'floor')
    .requiredOption('--out <file.npy>', 'where to write pixel_values: float32 .npy [B, 3, H, W], one row per --image in order (missing folders are created)')
    .action(async (options: PreprocessOptions) => {
      if (!cropRoundings.includes(options.cropRounding as CropRounding)) {
        throw new InvalidArgumentError(`--crop-rounding '${options.cropRounding}' is not valid; choose ${listChoices(cropRoundings)}`);
      }
      const output = await checkOutputFile(options.out, '--out', 'pixel_values.npy'); // folders are made only when there is a result to write
      const configPath = await resolveConfigPath(options.config);
      const config = await loadPreprocessorConfig(configPath);
      const processor = createImageProcessor(config, { padToSquare: options.padSquare ?? false, cropRounding: options.cropRounding as CropRounding });
      const size = 'shortestEdge' in config.size ? `shortest edge ${config.size.shortestEdge}` : `${config.size.width}x${config.size.height}`;
      process.stderr.write(
        `preprocess: config ${configPath} (${config.processorType || 'image processor'}: resize ${config.doResize ? `${size}, ${resampleNames[config.resample]}` : 'off'}, ` +
          `crop ${config.doCenterCrop ? `${config.cropSize.width}x${config.cropSize.height} ${options.cropRounding}` : 'off'}, pad to square ${options.padSquare ? 'on' : 'off'})\n`,
      );
      const images = options.image.map((image) => resolve(image));
      const pixelValues = await processor.preprocess(images);
      await prepareOutputFile(output, '--out', 'pixel_values.npy');
      await writeNpy(output, pixelValues.data, pixelValues.dims);
      process.stderr.write(`preprocess: wrote pixel_values [${pixelValues.dims.join(', ')}] float32 to ${output}\n`);
      process.stdout.write(`${output}\n`);
    });
}
