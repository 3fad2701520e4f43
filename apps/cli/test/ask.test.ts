import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmvp } from './helpers/run-cli';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const config = join(root, 'configs', 'pipelines', 'tiny-clip.json');

interface PipelineCase {
  image: string;
  question: string;
  options: string;
  greedy_ids: number[];
  greedy_text: string;
}

describe('mmvp ask', () => {
  let scratch: string;
  let reference: PipelineCase;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-ask-'));
    reference = (JSON.parse(await readFile(join(root, 'models', 'tiny-llama', 'reference', 'pipeline_cases.json'), 'utf8')) as { cases: PipelineCase[] }).cases[0]!;
  });
  afterAll(async () => rm(scratch, { recursive: true, force: true }));

  const baseArgs = () => ['ask', '--pipeline', config, '--image', join(root, reference.image), '--question', reference.question, '--options', reference.options, '--max-new-tokens', '16'];

  it('--json prints one document whose response equals the PyTorch pipeline reference', async () => {
    const result = await mmvp(...baseArgs(), '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/encoder clip: @mmvp\/encoder-clip@\S+ .*tiny-clip/);
    expect(result.stderr).toMatch(/decoder: .*tiny-llama \(llama, hidden 64/);
    const document = JSON.parse(result.stdout) as { response: string; tokenIds: number[]; template: string; decoding: string; visualTokenCount: number };
    expect(document.tokenIds).toEqual(reference.greedy_ids);
    expect(document.response).toBe(reference.greedy_text.replace(/^ /, ''));
    expect(document).toMatchObject({ template: 'llava_v1', decoding: 'greedy', visualTokenCount: 16 });
  });

  it('prints the plain answer and describes the decoding it will do; --stream prints the same text as it is generated', async () => {
    const plain = await mmvp(...baseArgs());
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(`${reference.greedy_text.replace(/^ /, '')}\n`);
    expect(plain.stderr).toMatch(/decoder: .*prompt lmms, greedy, max 16 new tokens/);
    const streamed = await mmvp(...baseArgs(), '--stream');
    expect(streamed.code).toBe(0);
    expect(streamed.stdout).toBe(plain.stdout);
  });

  it('--temperature, --max-new-tokens, --seed and --prompt override the config in the description (m14)', async () => {
    const sampled = await mmvp(
      'ask',
      '--pipeline',
      config,
      '--image',
      join(root, reference.image),
      '--question',
      reference.question,
      '--options',
      reference.options,
      '--temperature',
      '1.5',
      '--max-new-tokens',
      '3',
      '--seed',
      '7',
      '--prompt',
      'original',
    );
    expect(sampled.code, sampled.stderr).toBe(0);
    expect(sampled.stderr).toMatch(/decoder: .*prompt original, sampling T=1\.5 top-p [\d.]+ seed 7, max 3 new tokens/);
    expect(sampled.stderr).not.toMatch(/greedy/);
  });
});

// Every bad value of ask's flags is checked in process on its schema (apps/cli/src/schemas/ask-options.test.ts),
// a config without a decoder on createPipeline (packages/pipeline/src/create-pipeline.test.ts); here, one through the CLI.
describe('mmvp ask: a bad flag fails in one line before the pipeline is loaded', () => {
  it('an empty --question', async () => {
    const missingPipeline = join(tmpdir(), 'mmvp-no-such-pipeline', 'pipeline.json');
    const result = await mmvp('ask', '--pipeline', missingPipeline, '--image', 'x.png', '--question', '');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^mmvp: InvalidArgumentError: --question "" is not valid: empty; give the question text/);
  });
});
