import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidConfigError } from '@mmvp/core';
import type { PipelineConfig } from '@mmvp/pipeline';
import { sha256File } from '@mmvp/results';

type EncoderRole = 'clip' | 'dino';

/** What decides an encoder's features: its package, model files (by SHA-256), tap, tokens and pixels. */
export interface EncoderIdentity {
  readonly role: EncoderRole;
  readonly use: string;
  readonly model: string;
  /** Model folder files (top-level and onnx/, not the tap cache) -> SHA-256. */
  readonly files: Readonly<Record<string, string>>;
  readonly tap: string;
  readonly tokens: string;
  readonly pixels: string;
  readonly options: string;
  readonly executionProvider: string;
}

const defaultTaps: Record<EncoderRole, unknown> = { clip: { kind: 'layer', layer: -2 }, dino: { kind: 'prenorm' } };

/** SHA-256 of each file of a model folder (or of the file itself), cached by path within one sweep. */
export type FolderHasher = (path: string) => Promise<Record<string, string>>;

/** A folder hasher that hashes each folder's files once per process (sha256 per file name). */
export function createFolderHasher(): FolderHasher {
  const cache = new Map<string, Promise<Record<string, string>>>();
  const hashFolder = async (path: string): Promise<Record<string, string>> => {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) return {};
    if (info.isFile()) return { '.': await sha256File(path) };
    const files: Record<string, string> = {};
    for (const folder of ['', 'onnx']) {
      const names = await readdir(join(path, folder)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const file = join(path, folder, name);
        if ((await stat(file)).isFile()) files[folder === '' ? name : `${folder}/${name}`] = await sha256File(file);
      }
    }
    return files;
  };
  return (path) => {
    let hashed = cache.get(path);
    if (hashed === undefined) cache.set(path, (hashed = hashFolder(path)));
    return hashed;
  };
}

/** The identities of a config's two A-MoF encoders (clip, dino), with its defaults filled in. */
async function encoderIdentities(config: PipelineConfig, hash: FolderHasher): Promise<EncoderIdentity[]> {
  const identities: EncoderIdentity[] = [];
  for (const role of ['clip', 'dino'] as const) {
    const encoder = config.encoders[role];
    if (encoder === undefined) continue;
    identities.push({
      role,
      use: encoder.use,
      model: encoder.model,
      files: await hash(encoder.model),
      tap: JSON.stringify(encoder.tap ?? defaultTaps[role]),
      tokens: encoder.tokens,
      pixels: role === 'clip' ? 'own' : (encoder.pixels ?? (config.encoders.clip ? 'clip' : 'own')),
      options: JSON.stringify(encoder.options),
      executionProvider: config.executionProvider,
    });
  }
  return identities;
}

const short = (sha: string | undefined) => (sha === undefined ? 'absent' : `sha256 ${sha.slice(0, 12)}`);

/** What differs between two configs' encoders, one phrase each; empty when they encode alike. */
function encoderDifferences(a: readonly EncoderIdentity[], b: readonly EncoderIdentity[]): string[] {
  const differences: string[] = [];
  for (const role of ['clip', 'dino'] as const) {
    const x = a.find((identity) => identity.role === role);
    const y = b.find((identity) => identity.role === role);
    if (x === undefined || y === undefined) {
      if (x !== y) differences.push(`encoders.${role} is ${x === undefined ? 'absent' : 'present'} in the first and ${y === undefined ? 'absent' : 'present'} in the second`);
      continue;
    }
    if (x.use !== y.use) differences.push(`encoders.${role}.use '${x.use}' vs '${y.use}'`);
    const names = [...new Set([...Object.keys(x.files), ...Object.keys(y.files)])].sort();
    const changed = names.filter((name) => x.files[name] !== y.files[name]);
    if (changed.length > 0) {
      const shown = changed.slice(0, 3).map((name) => `${name} ${short(x.files[name])} vs ${short(y.files[name])}`);
      differences.push(`encoders.${role}.model files differ (${x.model} vs ${y.model}: ${shown.join(', ')}${changed.length > 3 ? `, and ${changed.length - 3} more` : ''})`);
    }
    if (x.tap !== y.tap) differences.push(`encoders.${role}.tap ${x.tap} vs ${y.tap}`);
    if (x.tokens !== y.tokens) differences.push(`encoders.${role}.tokens '${x.tokens}' vs '${y.tokens}'`);
    if (x.pixels !== y.pixels) differences.push(`encoders.${role}.pixels '${x.pixels}' vs '${y.pixels}'`);
    if (x.options !== y.options) differences.push(`encoders.${role}.options ${x.options} vs ${y.options}`);
    if (x.executionProvider !== y.executionProvider) differences.push(`executionProvider '${x.executionProvider}' vs '${y.executionProvider}'`);
  }
  return differences;
}

/**
 * The per-ratio protocol encodes each image once, with the first config's encoders: every other
 * config must have the same encoders (same model files by SHA-256, taps, tokens, pixels, options).
 * Otherwise one InvalidConfigError names the two configs and what differs.
 */
export async function checkSameEncoders(configs: readonly { readonly config: PipelineConfig; readonly name: string }[], hash: FolderHasher): Promise<EncoderIdentity[]> {
  const first = await encoderIdentities(configs[0]!.config, hash);
  for (const other of configs.slice(1)) {
    const differences = encoderDifferences(first, await encoderIdentities(other.config, hash));
    if (differences.length > 0) {
      throw new InvalidConfigError(
        `per-ratio sweep: the encoders of ${configs[0]!.name} and ${other.name} differ: ${differences.join('; ')}. ` +
          "Each image is encoded once for all ratios, so every ratio's config must use the same encoder models (by sha256) and taps",
      );
    }
  }
  return first;
}
