import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));

/**
 * Shared vitest settings. `@mmvp/<name>` (and `@mmvp/<name>/<entry>`) resolves to the package's TypeScript source, so a test never
 * runs against a stale dist/ of a sibling package.
 */
export default defineConfig({
  resolve: {
    // a subpath entry `@mmvp/<name>/<entry>` (package.json "exports") is the source file src/<entry>-entry.ts
    alias: [
      { find: /^@mmvp\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
      { find: /^@mmvp\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/$2-entry.ts` },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
