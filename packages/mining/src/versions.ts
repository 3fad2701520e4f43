import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Versions of this package and of usearch, for the "what was resolved" line a run prints first. */
export function miningVersions(): { mining: string; usearch: string } {
  const require = createRequire(import.meta.url);
  return { mining: versionNear(require.resolve('@mmvp/mining/package.json'), '@mmvp/mining'), usearch: versionNear(require.resolve('usearch'), 'usearch') };
}

/** The version in the nearest package.json named `name` at or above `file` (usearch does not export its package.json). */
function versionNear(file: string, name: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name && manifest.version !== undefined) return manifest.version;
    } catch {
      // keep walking up
    }
  }
  return 'unknown';
}
