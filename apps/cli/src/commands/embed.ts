import type { Command } from 'commander';
import {
  InvalidArgumentError,
  ModelLoadError,
  concatBatch,
  formatShape,
  listChoices,
  writeNpy,
  type FeatureTap,
  type Tensor,
  type TokenSelection,
  type VisionEncoderV1,
} from '@mmvp/core';
import { createClipTextEncoder, createClipVisionEncoder, type ClipVisionEncoder } from '@mmvp/encoder-clip';
import { createDinov2Encoder, type Dinov2Encoder } from '@mmvp/encoder-dinov2';
import { executionProviders, resolveModelFolder, type ExecutionProvider } from '@mmvp/onnx';
import { packageVersion } from '@mmvp/study';
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
  cacheDir?: string;
}

const tokenChoices: readonly TokenSelection[] = ['patch', 'cls', 'all'];
const tapChoices = ['prenorm', 'last'] as const;

/** The model family from config.json's model_type. */
function familyOf(config: Record<string, unknown>, configPath: string): 'clip' | 'dinov2' {
  const type = String(config.model_type ?? '');
  if (type === 'clip' || type === 'clip_vision_model') return 'clip';
  if (type === 'dinov2') return 'dinov2';
  throw new ModelLoadError(`${configPath} has model_type '${type}'; mmvp embed supports ${listChoices(['clip', 'clip_vision_model', 'dinov2'])}`);
}

function parseTap(options: EmbedOptions, family: 'clip' | 'dinov2'): FeatureTap {
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
  return family === 'clip' ? { kind: 'layer', layer: -2 } : { kind: 'prenorm' }; // LLaVA's CLIP default; MMVP's DINOv2 x_prenorm
}

function describeTap(tap: FeatureTap): string {
  return tap.kind === 'layer' ? `layer ${tap.layer}` : tap.kind;
}

/**
 * `mmvp embed`: encoder features or pooled embeddings of images (CLIP or DINOv2), or CLIP text
 * embeddings, written as one float32 .npy.
 */
export function registerEmbed(program: Command): void {
  program
    .command('embed')
    .description('encoder features [B, T, D] or pooled embeddings [B, E] of images, or CLIP text embeddings, as .npy')
    .requiredOption('--model <dir>', 'Hugging Face model folder (config.json, preprocessor_config.json, onnx/)')
    .option('--image <files...>', 'image files: JPEG, PNG, WebP, GIF, TIFF or AVIF (animated or multi-page: the first frame)')
    .option('--text <texts...>', 'texts for CLIP text embeddings [B, E] (CLIP models only)')
    .option('--layer <k>', 'hidden_states index: 0 = embeddings, k = output of layer k, negative from the end (CLIP default -2)')
    .option('--tap <name>', "'prenorm' (input of the final LayerNorm; DINOv2 default) or 'last' (last_hidden_state)")
    .option('--tokens <which>', "'patch' (CLS dropped, the default), 'cls' or 'all'")
    .option('--pooled', 'pooled, projected embeddings [B, E] (CLIP image_embeds, DINOv2 pooler_output) instead of token features')
    .option('--batch <n>', 'images per onnxruntime call', '8')
    .option('--processor <which>', "DINOv2 only: 'own' (its processor) or 'clip' (the CLIP processor of --clip-model, as MMVP's MoF)", 'own')
    .option('--clip-model <dir>', "CLIP folder whose preprocessor_config.json DINOv2 uses with --processor clip")
    .option('--pad-square', 'pad images to a square with the mean colour first (LLaVA-1.5 image_aspect_ratio pad)')
    .option('--crop-rounding <mode>', "center-crop offset: 'floor' (Hugging Face) or 'round' (OpenAI CLIP)", 'floor')
    .option('--device <ep>', `onnxruntime execution provider: ${listChoices(executionProviders)}`, 'cpu')
    .option('--cache-dir <dir>', 'where tapped ONNX graphs are cached (default .mmvp-cache/ next to the ONNX file)')
    .requiredOption('--out <file>', 'output .npy (float32)')
    .action(async (options: EmbedOptions) => {
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const images = options.image ?? [];
      const texts = options.text ?? [];
      if (images.length === 0 && texts.length === 0) throw new InvalidArgumentError('give --image FILE... or --text "..."');
      if (images.length > 0 && texts.length > 0) throw new InvalidArgumentError('give --image or --text, not both (they go to different .npy files)');
      const batchSize = positiveIntegerOption('--batch', options.batch);
      if (options.tokens !== undefined && !(tokenChoices as readonly string[]).includes(options.tokens)) throw new InvalidArgumentError(`unknown --tokens '${options.tokens}'; valid choices: ${listChoices(tokenChoices)}`);
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
      const out = await checkOutputFile(options.out, '--out', 'embeddings.npy'); // folders are made only when there is a result to write
      const folder = await resolveModelFolder(options.model);
      const family = familyOf(folder.config, folder.configPath);
      const common = {
        modelPath: folder.dir,
        batchSize,
        executionProvider: options.device as ExecutionProvider,
        cacheDir: options.cacheDir,
      };
      log(`onnxruntime-node ${packageVersion('onnxruntime-node')}, device ${options.device}`);

      if (texts.length > 0) {
        if (family !== 'clip') throw new InvalidArgumentError(`--text needs a CLIP model; ${folder.configPath} is a ${family} model`);
        const encoder = await createClipTextEncoder(common);
        log(`model: CLIP text (@mmvp/encoder-clip@${packageVersion('@mmvp/encoder-clip')}) ${encoder.onnxPath}, ${texts.length} texts, ${encoder.maxLength} tokens each`);
        for (const [i, text] of texts.entries()) {
          const count = encoder.tokenCount(text);
          if (count > encoder.maxLength) {
            const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
            log(`warning: --text ${i + 1} ("${shown}") is ${count} tokens with BOS/EOS; the model reads ${encoder.maxLength}, so the rest is cut (as Hugging Face's truncation=True does)`);
          }
        }
        const embeds = await encoder.encodeTexts(texts); // [B, E]
        await prepareOutputFile(out, '--out', 'embeddings.npy');
        await writeNpy(out, embeds.data, embeds.dims);
        log(`wrote ${formatShape(embeds.dims)} float32 text embeddings`);
        process.stdout.write(`${out}\n`);
        return;
      }

      let encoder: (ClipVisionEncoder | Dinov2Encoder) & VisionEncoderV1;
      if (family === 'clip') {
        if (options.processor !== 'own') throw new InvalidArgumentError('--processor applies to DINOv2 models only');
        encoder = await createClipVisionEncoder({ ...common, padToSquare: options.padSquare ?? false, cropRounding: options.cropRounding as 'floor' | 'round' });
      } else {
        encoder = await createDinov2Encoder({
          ...common,
          processor: options.processor as 'own' | 'clip',
          clipModelPath: options.clipModel,
          padToSquare: options.padSquare ?? false,
          cropRounding: options.cropRounding as 'floor' | 'round',
        });
      }
      const tap = parseTap(options, family);
      const packageName = family === 'clip' ? '@mmvp/encoder-clip' : '@mmvp/encoder-dinov2';
      log(`model: ${family} (${packageName}@${packageVersion(packageName)}) ${encoder.onnxPath}: ${encoder.numLayers} layers, width ${encoder.hiddenSize}, input ${encoder.imageSize.join('x')}, grid ${encoder.patchGrid.join('x')}`);
      if (options.pooled) {
        log(`output: pooled embeddings (${family === 'clip' ? 'image_embeds' : 'pooler_output'})`);
      } else {
        const resolved = await encoder.resolveTap(tap);
        const where = resolved.origin === 'source' ? 'an output of the export' : `tapped graph ${resolved.modelPath} (${resolved.origin})`;
        log(`output: ${describeTap(tap)}${resolved.hiddenStateIndex === null ? '' : ` = hidden_states[${resolved.hiddenStateIndex}]`}, tokens ${tokens}; tensor '${resolved.outputName}' from ${where}`);
      }
      const parts: Tensor[] = [];
      let done = 0;
      for (let start = 0; start < images.length; start += batchSize) {
        const chunk = images.slice(start, start + batchSize);
        const pixels = await encoder.preprocess(chunk); // [b, 3, H, W]
        parts.push(options.pooled ? await encoder.embedPixels(pixels) : await encoder.encodePixels(pixels, { tap, tokens }));
        done += chunk.length;
        log(`encoded ${done}/${images.length} images`);
      }
      const result = concatBatch(parts); // [B, T, D] or [B, E]
      await prepareOutputFile(out, '--out', 'embeddings.npy');
      await writeNpy(out, result.data, result.dims);
      log(`wrote ${formatShape(result.dims)} float32`);
      process.stdout.write(`${out}\n`);
    });
}
