import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Version of an installed package (read from its package.json), or 'unknown'; printed and recorded for provenance. */
export function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Versions of installed packages by name, for the provenance block of a results file. */
export function packageVersions(names: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) versions[name] = packageVersion(name);
  return versions;
}
