import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { folderKey } from './patterns';

/** Image extensions the loaders accept, in order of preference when several exist. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;

/**
 * Lists the images of a folder by stem: `12.jpg` -> key `12`. One directory read instead of one
 * stat per question. Extensions are matched case-insensitively; `.jpg` wins over `.jpeg` and `.png`.
 */
export async function listImages(dir: string): Promise<Map<string, string>> {
  const byStem = new Map<string, { path: string; rank: number }>();
  for (const name of await readdir(dir)) {
    const dot = name.lastIndexOf('.');
    if (dot <= 0) continue;
    const rank = (IMAGE_EXTENSIONS as readonly string[]).indexOf(name.slice(dot).toLowerCase());
    if (rank < 0) continue;
    const stem = name.slice(0, dot);
    const known = byStem.get(stem);
    if (known === undefined || rank < known.rank) byStem.set(stem, { path: join(dir, name), rank });
  }
  return new Map([...byStem].map(([stem, { path }]) => [stem, path]));
}

/** Subfolders of `dir` by name. */
export async function listSubfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/**
 * Finds the subfolder whose name matches one of `wanted` ignoring case and space/underscore/hyphen
 * differences (`MMVP Images`, `MMVP_Images`, `mmvp-images`). Returns its real name or undefined.
 */
export function findFolder(folders: readonly string[], wanted: readonly string[]): string | undefined {
  for (const name of wanted) {
    const match = folders.find((folder) => folderKey(folder) === folderKey(name));
    if (match !== undefined) return match;
  }
  return undefined;
}
