import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FileFormatError, InvalidArgumentError, ModelLoadError, listChoices } from '@mmvp/core';

/** Weight variants of an export, named by file suffix as in Hugging Face ONNX repos (`vision_model_fp16.onnx`). */
export type ModelDtype = 'fp32' | 'fp16' | 'quantized' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

/** The ONNX file-name suffix of each weight dtype (`fp32` has none). */
export const dtypeSuffixes: Readonly<Record<ModelDtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  quantized: '_quantized',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Every ModelDtype, in a fixed order (option schemas and 'valid choices' lists use it). */
export const modelDtypes = Object.keys(dtypeSuffixes) as [ModelDtype, ...ModelDtype[]];

/** A local Hugging Face model folder: config.json, processor/tokenizer files, ONNX files under onnx/. */
export interface ModelFolder {
  readonly dir: string;
  readonly configPath: string;
  /** config.json as parsed JSON (each encoder validates the fields it needs). */
  readonly config: Record<string, unknown>;
  readonly preprocessorConfigPath?: string;
  readonly tokenizerPath?: string;
  readonly tokenizerConfigPath?: string;
  /** Every .onnx file found under onnx/ (or the folder itself), by file name. */
  readonly onnxFiles: readonly string[];
  /** The path of ONNX graph `name` (e.g. 'vision_model') in the given dtype variant; clear error if absent. */
  onnxPath(name: string | readonly string[], dtype?: ModelDtype): string;
}

/**
 * Resolves a model folder from local disk (never downloads). `requiredFiles` names extra files that
 * must be present (e.g. 'preprocessor_config.json'); each missing one is an error naming the folder.
 */
export async function resolveModelFolder(dir: string, requiredFiles: readonly string[] = []): Promise<ModelFolder> {
  const root = resolve(dir);
  if (!existsSync(root)) throw new ModelLoadError(`model folder ${root} does not exist`);
  if (!statSync(root).isDirectory()) {
    const folder = basename(dirname(root)) === 'onnx' ? dirname(dirname(root)) : dirname(root);
    throw new ModelLoadError(`${root} is a file, not a model folder: give the folder that holds config.json and onnx/*.onnx (perhaps ${folder})`);
  }
  const configPath = join(root, 'config.json');
  if (!existsSync(configPath)) {
    throw new ModelLoadError(`model folder ${root} has no config.json (a Hugging Face model folder needs config.json, preprocessor_config.json and onnx/*.onnx)`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new FileFormatError(`${configPath} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new FileFormatError(`${configPath} must hold a JSON object`);
  for (const file of requiredFiles) {
    if (!existsSync(join(root, file))) throw new ModelLoadError(`model folder ${root} has no ${file}`);
  }
  const optional = (file: string): string | undefined => (existsSync(join(root, file)) ? join(root, file) : undefined);
  const onnxDir = existsSync(join(root, 'onnx')) ? join(root, 'onnx') : root;
  const onnxFiles = readdirSync(onnxDir)
    .filter((f) => f.endsWith('.onnx') && !f.startsWith('.'))
    .sort();
  return {
    dir: root,
    configPath,
    config,
    preprocessorConfigPath: optional('preprocessor_config.json'),
    tokenizerPath: optional('tokenizer.json'),
    tokenizerConfigPath: optional('tokenizer_config.json'),
    onnxFiles,
    onnxPath(name, dtype = 'fp32') {
      const suffix = dtypeSuffixes[dtype];
      if (suffix === undefined) throw new InvalidArgumentError(`unknown model dtype '${dtype}'; valid choices: ${listChoices(Object.keys(dtypeSuffixes))}`);
      const names = typeof name === 'string' ? [name] : name;
      for (const candidate of names) {
        const file = `${candidate}${suffix}.onnx`;
        if (onnxFiles.includes(file)) return join(onnxDir, file);
      }
      const wanted = names.map((n) => `${n}${suffix}.onnx`);
      throw new ModelLoadError(`model folder ${root} has no ${wanted.join(' or ')} in ${onnxDir}; ONNX files there: ${onnxFiles.length ? listChoices(onnxFiles) : 'none'}`);
    },
  };
}
