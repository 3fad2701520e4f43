import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { folderKey } from './patterns';

/** Image extensions the loaders accept, in order of preference when several exist. */
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;

/**
 * Lists the images of a folder by stem: `12.jpg` -> key `12`. One directory read instead of one
 * stat per question. Extensions are matched case-insensitively; `.jpg` wins over `.jpeg` and `.png`.
 * Symlinked image files are listed like files (a broken link fails later, when the image is decoded);
 * `dir` itself may be a symlink.
 */
export async function listImages(dir: string): Promise<Map<string, string>> {
  const byStem = new Map<string, { path: string; rank: number }>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const name = entry.name;
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

/** A subfolder entry that is a symlink which cannot be used as a folder, and why. */
export interface UnusableLink {
  readonly name: string;
  readonly reason: string;
}

/** Subfolders of `dir` with the symlinks that could not be followed to a folder. */
export interface Subfolders {
  /** Real folders and symlinks that resolve to a folder, by their name in `dir`. */
  readonly folders: string[];
  readonly unusableLinks: UnusableLink[];
}

/** True when `inner` is `outer` or lies inside it (both real paths). */
function isSameOrInside(inner: string, outer: string): boolean {
  const path = relative(outer, inner);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/**
 * Subfolders of `dir` by name, following symlinks (a symlinked `MMVP Images/` or type folder counts
 * as a folder). Loops are detected on real paths: a link whose target is `dir` itself or one of its
 * ancestors (it would make the tree endless), or a chain of links that never ends (ELOOP), is not a
 * folder; neither is a dangling link. Those are returned in `unusableLinks` so errors can name them.
 */
export async function listSubfoldersDetailed(dir: string): Promise<Subfolders> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders: string[] = [];
  const unusableLinks: UnusableLink[] = [];
  let realDir: string | undefined;
  for (const entry of entries) {
    if (entry.isDirectory()) {
      folders.push(entry.name);
      continue;
    }
    if (!entry.isSymbolicLink()) continue;
    const path = join(dir, entry.name);
    let target: string;
    try {
      target = await realpath(path);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const reason = code === 'ELOOP' ? 'a symlink loop (ELOOP)' : code === 'ENOENT' ? 'a dangling symlink (its target does not exist)' : `a symlink that cannot be followed (${(cause as Error).message})`;
      unusableLinks.push({ name: entry.name, reason });
      continue;
    }
    if (!(await stat(target)).isDirectory()) continue; // a symlinked file
    realDir ??= await realpath(dir);
    if (isSameOrInside(realDir, target)) {
      unusableLinks.push({ name: entry.name, reason: `a symlink loop (it points to ${target}, which contains the folder it is in)` });
      continue;
    }
    folders.push(entry.name);
  }
  return { folders, unusableLinks };
}

/** Subfolders of `dir` by name, symlinked folders included (see listSubfoldersDetailed). */
export async function listSubfolders(dir: string): Promise<string[]> {
  return (await listSubfoldersDetailed(dir)).folders;
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
