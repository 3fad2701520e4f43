import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

// Publishing check (tools/check-pack.mjs): each package under packages/ packs with `pnpm pack`,
// all tarballs install together into an empty folder with npm (dependencies from the registry),
// and each imports there and type-checks against its installed .d.ts. Needs built dist/ folders
// (turbo builds every package before the CLI's tests) and the npm registry.
describe('packages are publishable', () => {
  it('every package packs, installs from its tarball, imports and type-checks', async () => {
    let stdout = '';
    let stderr = '';
    let code = 0;
    try {
      ({ stdout, stderr } = await run(process.execPath, ['tools/check-pack.mjs'], { cwd: root, maxBuffer: 16 * 1024 * 1024 }));
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      ({ stdout, stderr, code } = failure);
    }
    const rows = stdout.split('\n').filter((line) => line.startsWith('@mmvp/'));
    expect(rows.length, stderr).toBeGreaterThanOrEqual(15);
    const failing = rows.filter((line) => line.includes('FAILED') || line.includes('not run'));
    expect(failing, `${stdout}\n${stderr}`).toEqual([]);
    expect(code, stderr).toBe(0);
  }, 600_000);
});
