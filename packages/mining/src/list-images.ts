import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';

/** File endings treated as images when a folder is walked (what sharp decodes). */
export const imageExtensions = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'] as const;

/**
 * The images of a collection, as absolute paths in a stable order: a folder is walked recursively
 * (files with an image ending, sorted; symbolic links to folders and files are followed, each real
 * folder is walked once, so a link loop or a second link to the same folder adds nothing), a file is a list with one path per line (relative paths are
 * relative to the list's folder; blank lines and lines starting with # are skipped). Each path once.
 */
export async function listImages(source: string): Promise<string[]> {
  const path = resolve(source);
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new InvalidArgumentError(`--images ${source}: no such folder or list file`, { cause });
  }
  const out = info.isDirectory() ? await walk(path, new Set([await realpath(path)])) : await readList(path);
  return [...new Set(out)];
}

/** `visited`: real paths of the folders walked so far (loop and repeat detection). */
async function walk(dir: string, visited: Set<string>): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) isDirectory = (await stat(full).catch(() => undefined))?.isDirectory() ?? false; // a broken link counts as a file
    if (isDirectory) {
      const real = await realpath(full);
      if (visited.has(real)) continue; // a loop back to a folder above, or a folder already walked
      visited.add(real);
      out.push(...(await walk(full, visited)));
    } else if ((imageExtensions as readonly string[]).includes(extname(entry.name).toLowerCase())) out.push(full);
  }
  return out;
}

async function readList(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => resolve(dirname(file), line));
}
