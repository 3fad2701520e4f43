import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('the committed wasm module', () => {
  it('is what scripts/build-wasm.mjs compiles from src/wasm/token-kernels.wat (regenerate with pnpm build)', async () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    const result = await promisify(execFile)(process.execPath, [script, '--check']).then(
      () => 'current',
      (error: { stderr?: string }) => error.stderr ?? 'failed',
    );
    expect(result).toBe('current');
  });
});
