import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from './build-model';
import { cachedSessionCount, checkSessionNames, getSession, releaseSessions } from './session-cache';
import { checkExecutionProvider } from './execution-provider';
import { ortToTensor, tensorToOrt } from './tensor-conversion';
import { tensor } from '@mmvp/core';

const dir = mkdtempSync(join(tmpdir(), 'mmvp-session-'));
const modelPath = join(dir, 'relu.onnx');
writeFileSync(modelPath, buildModel({ inputs: [{ name: 'x' }], outputs: [{ name: 'y' }], nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }] }));

afterAll(() => releaseSessions());

describe('getSession', () => {
  it('returns the same session for the same path and options', async () => {
    await releaseSessions();
    const a = await getSession(modelPath);
    const b = await getSession(modelPath, { executionProvider: 'cpu' });
    expect(a).toBe(b);
    const c = await getSession(modelPath, { intraOpThreads: 1 });
    expect(c).not.toBe(a);
    expect(cachedSessionCount()).toBe(2);
    const out = await a.run({ x: tensorToOrt(tensor(new Float32Array([-2, 5]), [2])) });
    expect(Array.from(ortToTensor(out.y!).data)).toEqual([0, 5]);
  });

  it('gives clear errors for a missing file, a corrupt file and a missing input name', async () => {
    await expect(getSession(join(dir, 'missing.onnx'))).rejects.toThrow(/does not exist/);
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, new Uint8Array([8, 1, 0xff, 0xff, 0xff]));
    await expect(getSession(corrupt)).rejects.toThrow(/corrupt\.onnx/);
    const session = await getSession(modelPath);
    expect(() => checkSessionNames(session, { inputs: ['pixel_values'] }, modelPath)).toThrow(/no input 'pixel_values'; its inputs are 'x'/);
  });

  it('webgpu without an adapter (no GPU, as on CI) fails with one short ModelLoadError line', async () => {
    const outcome = await getSession(modelPath, { executionProvider: 'webgpu' }).then(
      (session) => session,
      (error: unknown) => error as Error,
    );
    if (outcome instanceof Error) {
      expect(outcome.name).toBe('ModelLoadError');
      expect(outcome.message).toMatch(/^no WebGPU adapter could be created on this machine \(Failed to get a WebGPU adapter: .+\); use executionProvider 'cpu'$/);
      expect(outcome.message).not.toContain('\n');
      expect(outcome.message).not.toContain('.cc:');
    } else {
      // a machine with a WebGPU adapter: the session works like the CPU one
      expect(outcome.inputNames).toEqual(['x']);
    }
  });

  it('names the supported providers when one is missing', () => {
    expect(() => checkExecutionProvider('cuda')).toThrow(/'cuda' is not available .* supports 'cpu'/);
    expect(() => checkExecutionProvider('tpu')).toThrow(/valid choices: 'cpu', 'webgpu' or 'cuda'/);
  });
});
