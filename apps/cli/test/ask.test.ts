import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  it('prints the plain answer, and --stream prints the same text as it is generated', async () => {
    const plain = await mmvp(...baseArgs());
    const streamed = await mmvp(...baseArgs(), '--stream');
    expect(plain.code).toBe(0);
    expect(streamed.code).toBe(0);
    expect(plain.stdout).toBe(`${reference.greedy_text.replace(/^ /, '')}\n`);
    expect(streamed.stdout).toBe(plain.stdout);
  });

  it('describes the decoding it will do: --temperature, --max-new-tokens, --seed and --prompt override the config in the description (m14)', async () => {
    const plain = await mmvp(...baseArgs());
    expect(plain.stderr).toMatch(/decoder: .*prompt lmms, greedy, max 16 new tokens/);
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

  it('fails with one clear line on a bad prompt style or a config without a decoder', async () => {
    const badStyle = await mmvp(...baseArgs(), '--prompt', 'chatty');
    expect(badStyle.code).toBe(1);
    expect(badStyle.stderr).toBe("mmvp: InvalidArgumentError: --prompt 'chatty' is not valid; valid choices: 'original', 'lmms' or 'cambrian'\n");
    const noDecoder = join(scratch, 'no-decoder.json');
    const json = JSON.parse(await readFile(config, 'utf8')) as Record<string, unknown>;
    delete json.decoder;
    json.encoders = { clip: { use: '@mmvp/encoder-clip', model: join(root, 'models', 'tiny-clip') } };
    json.adapters = { clip: { type: 'mlp2x_gelu', weights: join(root, 'models', 'tiny-mof', 'llava-mm_projector.safetensors') } };
    await writeFile(noDecoder, JSON.stringify(json));
    const result = await mmvp('ask', '--pipeline', noDecoder, '--image', join(root, reference.image), '--question', 'Q?');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/mmvp: InvalidConfigError: .*no-decoder.json has no 'decoder' section/);
  });
});

describe('mmvp ask: bad flags fail in one line before the pipeline is loaded', () => {
  const missingPipeline = join(tmpdir(), 'mmvp-no-such-pipeline', 'pipeline.json');
  it.each([
    [['--question', ''], /^mmvp: InvalidArgumentError: --question "" is not valid: empty; give the question text/],
    [['--question', '   '], /^mmvp: InvalidArgumentError: --question " {3}" is not valid: empty; give the question text/],
    [['--question', 'why?', '--temperature', '-1'], /^mmvp: InvalidArgumentError: --temperature must be a number >= 0, got '-1'/],
    [['--question', 'why?', '--max-new-tokens', '-1'], /^mmvp: InvalidArgumentError: --max-new-tokens must be an integer >= 1, got '-1'/],
    [['--question', 'why?', '--max-new-tokens', '2.5'], /^mmvp: InvalidArgumentError: --max-new-tokens must be an integer >= 1, got '2\.5'/],
    [['--question', 'why?', '--seed', '1.5'], /^mmvp: InvalidArgumentError: --seed must be an integer, got '1\.5'/],
  ])('%j', async (flags, message) => {
    const result = await mmvp('ask', '--pipeline', missingPipeline, '--image', 'x.png', ...flags);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
