import type { Command } from 'commander';
import { InvalidArgumentError, formatShape, listChoices, writeNpy, type FeatureTap, type TokenSelection } from '@mmvp/core';
import { executionProviders, modelDtypes, type ExecutionProvider, type ModelDtype } from '@mmvp/onnx';
import { embedFeatures } from '@mmvp/study';
import { positiveIntegerOption } from '../shared/positive-integer-option';
import { checkOutputFile, prepareOutputFile } from '../output-file';

interface EmbedOptions {
  model: string;
  image?: string[];
  text?: string[];
  layer?: string;
  tap?: string;
  tokens?: string;
  pooled?: boolean;
  batch: string;
  out: string;
  processor: string;
  clipModel?: string;
  padSquare?: boolean;
  cropRounding: string;
  device: string;
  dtype: string;
  cacheDir?: string;
}

const tokenChoices: readonly TokenSelection[] = ['patch', 'cls', 'all'];
const tapChoices = ['prenorm', 'last'] as const;

/** --layer K or --tap NAME; undefined leaves the family's default (CLIP layer -2, DINOv2 prenorm). */
function parseTap(options: EmbedOptions): FeatureTap | undefined {
  if (options.layer !== undefined && options.tap !== undefined) throw new InvalidArgumentError('give either --layer K or --tap prenorm|last, not both');
  if (options.layer !== undefined) {
    const layer = Number(options.layer);
    if (!Number.isInteger(layer)) throw new InvalidArgumentError(`--layer must be an integer (Hugging Face hidden_states index, -2 = second to last), got '${options.layer}'`);
    return { kind: 'layer', layer };
  }
  if (options.tap !== undefined) {
    if (!(tapChoices as readonly string[]).includes(options.tap)) throw new InvalidArgumentError(`unknown --tap '${options.tap}'; valid choices: ${listChoices(tapChoices)} (or --layer K)`);
    return { kind: options.tap as 'prenorm' | 'last' };
  }
  return undefined;
}

/**
 * `mmvp embed`: encoder features or pooled embeddings of images (CLIP, SigLIP or DINOv2), or CLIP / SigLIP text
 * embeddings, written as one float32 .npy.
 */
export function registerEmbed(program: Command): void {
  program
    .command('embed')
    .description('encoder features [B, T, D] or pooled embeddings [B, E] of images (CLIP, SigLIP, DINOv2), or CLIP / SigLIP text embeddings, as .npy')
    .requiredOption('--model <dir>', 'Hugging Face model folder (config.json, preprocessor_config.json, onnx/)')
    .option('--image <files...>', 'image files: JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame)')
    .option('--text <texts...>', 'texts for text embeddings [B, E] (CLIP and SigLIP models)')
    .option('--layer <k>', 'hidden_states index: 0 = embeddings, k = output of layer k, negative from the end (CLIP default -2)')
    .option('--tap <name>', "'prenorm' (input of the final LayerNorm; DINOv2 default) or 'last' (last_hidden_state)")
    .option('--tokens <which>', "'patch' (CLS dropped, the default), 'cls' or 'all'")
    .option('--pooled', 'pooled, projected embeddings [B, E] (CLIP image_embeds, SigLIP and DINOv2 pooler_output) instead of token features')
    .option('--batch <n>', 'images per onnxruntime call', '8')
    .option('--processor <which>', "DINOv2 only: 'own' (its processor) or 'clip' (the CLIP processor of --clip-model, as MMVP's MoF)", 'own')
    .option('--clip-model <dir>', 'CLIP folder whose preprocessor_config.json DINOv2 uses with --processor clip')
    .option('--pad-square', 'pad images to a square with the mean colour first (LLaVA-1.5 image_aspect_ratio pad)')
    .option('--crop-rounding <mode>', "center-crop offset: 'floor' (Hugging Face) or 'round' (OpenAI CLIP)", 'floor')
    .option('--device <ep>', `onnxruntime execution provider: ${listChoices(executionProviders)}`, 'cpu')
    .option('--dtype <variant>', `image encoder weights by file suffix: ${listChoices(modelDtypes)} (int8 files: the format is printed, with a warning where this CPU saturates it)`, 'fp32')
    .option('--cache-dir <dir>', 'where tapped ONNX graphs are cached (default .mmvp-cache/ next to the ONNX file)')
    .requiredOption('--out <file>', 'output .npy (float32)')
    .action(async (options: EmbedOptions) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const images = options.image ?? [];
      const texts = options.text ?? [];
      if (images.length === 0 && texts.length === 0) throw new InvalidArgumentError('give --image FILE... or --text "..."');
      if (images.length > 0 && texts.length > 0) throw new InvalidArgumentError('give --image or --text, not both (they go to different .npy files)');
      const batchSize = positiveIntegerOption('--batch', options.batch);
      if (options.tokens !== undefined && !(tokenChoices as readonly string[]).includes(options.tokens))
        throw new InvalidArgumentError(`unknown --tokens '${options.tokens}'; valid choices: ${listChoices(tokenChoices)}`);
      const tokens = (options.tokens ?? 'patch') as TokenSelection;
      if (!['own', 'clip'].includes(options.processor)) throw new InvalidArgumentError(`unknown --processor '${options.processor}'; valid choices: ${listChoices(['own', 'clip'])}`);
      if (!(executionProviders as readonly string[]).includes(options.device)) {
        throw new InvalidArgumentError(`unknown --device '${options.device}'; valid choices: ${listChoices(executionProviders)}`);
      }
      if (options.processor === 'clip' && options.clipModel === undefined) {
        throw new InvalidArgumentError('--processor clip needs --clip-model <dir> (the CLIP folder whose preprocessor_config.json DINOv2 then uses)');
      }
      if (options.pooled && (options.layer !== undefined || options.tap !== undefined || options.tokens !== undefined)) {
        const flag = options.layer !== undefined ? 'layer' : options.tap !== undefined ? 'tap' : 'tokens';
        throw new InvalidArgumentError(`--pooled gives pooled embeddings [B, E]; --${flag} picks token features [B, T, D]; give one or the other`);
      }
      if (!['floor', 'round'].includes(options.cropRounding)) throw new InvalidArgumentError(`unknown --crop-rounding '${options.cropRounding}'; valid choices: ${listChoices(['floor', 'round'])}`);
      if (!(modelDtypes as readonly string[]).includes(options.dtype)) throw new InvalidArgumentError(`unknown --dtype '${options.dtype}'; valid choices: ${listChoices(modelDtypes)}`);
      const tap = parseTap(options);
      const out = await checkOutputFile(options.out, '--out', 'embeddings.npy'); // folders are made only when there is a result to write
      const { tensor } = await embedFeatures({
        model: options.model,
        ...(images.length > 0 ? { images } : { texts }),
        ...(tap === undefined ? {} : { tap }),
        tokens,
        pooled: options.pooled === true,
        batchSize,
        processor: options.processor as 'own' | 'clip',
        ...(options.clipModel === undefined ? {} : { clipModel: options.clipModel }),
        padToSquare: options.padSquare ?? false,
        cropRounding: options.cropRounding as 'floor' | 'round',
        executionProvider: options.device as ExecutionProvider,
        dtype: options.dtype as ModelDtype,
        ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
        onLog: log,
      });
      await prepareOutputFile(out, '--out', 'embeddings.npy');
      await writeNpy(out, tensor.data, tensor.dims);
      log(`wrote ${formatShape(tensor.dims)} float32${texts.length > 0 ? ' text embeddings' : ''}`);
      process.stdout.write(`${out}\n`);
    });
}
