import { cp, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { loadPipelineConfig } from '@mmvp/pipeline';
import { hashModelFiles } from '../provenance/model-files';
import { jobPipeline } from '../queue/job-pipeline';
import { checkModelFiles, rebasePaths } from './warm-pipelines';

const tinyPipeline = fileURLToPath(new URL('../../../../configs/pipelines/tiny-clip.json', import.meta.url));
const modelsRoot = fileURLToPath(new URL('../../../../models', import.meta.url));

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-warm-pipelines-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('checkModelFiles (a worker with other weights must never answer)', () => {
  it('accepts a byte-identical copy under another models root, refuses one byte changed, naming the file', async () => {
    const config = await loadPipelineConfig(tinyPipeline);
    const files = await hashModelFiles(config);
    const total = createHash('sha256')
      .update(files.map((file) => `${file.sha256} ${file.bytes}`).join('\n'))
      .digest('hex');
    const spec = jobPipeline(config, files, total);
    expect(spec.modelsRoot).toBe(modelsRoot);

    const copy = join(scratch, 'models');
    for (const name of ['tiny-clip', 'tiny-llama', 'tiny-mof']) await cp(join(modelsRoot, name), join(copy, name), { recursive: true });
    const rebased = rebasePaths(spec.config, spec.modelsRoot, copy);
    await expect(checkModelFiles(spec, rebased, copy)).resolves.toBeUndefined();

    const weights = join(copy, 'tiny-llama', 'onnx', 'decoder_model_merged.onnx');
    const handle = await open(weights, 'r+');
    const size = (await stat(weights)).size;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    await handle.write(Buffer.from([last[0]! ^ 0x01]), 0, 1, size - 1);
    await handle.close();
    await expect(checkModelFiles(spec, rebased, copy)).rejects.toThrow(/model file .*tiny-llama\/onnx\/decoder_model_merged\.onnx hashes to .*, the job recorded/);
  });
});
