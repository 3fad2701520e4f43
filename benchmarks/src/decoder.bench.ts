/**
 * LLM decoding: time to first token (TTFT) and decode tokens/s of our @mmvp/decoder vs transformers.js
 * generating from the SAME ONNX files (onnx/embed_tokens.onnx + onnx/decoder_model_merged.onnx), the
 * same prompt text (both tokenize it with @huggingface/tokenizers; the ids are checked equal), greedy,
 * the same number of new tokens (EOS masked until then on both sides).
 *
 * Models: models/tiny-llama (hidden 64, 2 layers) and a ~125M-parameter random-weight Llama (hidden
 * 768, 12 layers, 12 heads / 4 KV heads, vocab 32000) made here by tools/make_tiny_llama.py with
 * /usr/bin/python3 into a temp dir (reused across runs; never committed).
 *
 * Method (same for both): in each generate call of N tokens, TTFT = call start -> first generated token
 * (tokenize + prefill + first token) and one interval per later token, from our onToken callback and
 * transformers.js's streamer. Calls alternate between the two in rounds; the table shows the median
 * TTFT and 1000 / median token interval, so bursts of load from other processes hit both alike.
 *
 *   pnpm --filter @mmvp/cli... build && pnpm bench decoder
 *   MMVP_BENCH_SKIP_BIG=1 pnpm bench decoder     # tiny model only
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadDecoder, VICUNA_SYSTEM } from '@mmvp/decoder';
import { printTable } from './timing';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface BenchModel {
  readonly name: string;
  readonly dir: string;
  /** Prompt length in tokens (LLaVA-1.5's prompt is ~600 positions: 576 visual tokens + text). */
  readonly promptTokens: number;
  readonly newTokens: number;
  readonly rounds: number;
}

function bigModel(): string {
  const dir = join(tmpdir(), 'mmvp-bench-llama-125m');
  if (!existsSync(join(dir, 'onnx', 'decoder_model_merged.onnx'))) {
    console.log(`making a ~125M-parameter random-weight Llama export in ${dir} (tools/make_tiny_llama.py --preset 100m) ...`);
    execFileSync('/usr/bin/python3', [join(root, 'tools', 'make_tiny_llama.py'), '--out', dir, '--preset', '100m', '--vocab-size', '32000', '--no-train', '--no-reference'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return dir;
}

/**
 * transformers.js loads embed_tokens + decoder_model_merged (no vision encoder) when a *ForCausalLM
 * class is given a folder whose config names a *ForConditionalGeneration architecture ("text only"
 * LLaVA). A scratch folder links the same ONNX files with that one config field changed.
 */
async function transformersView(dir: string): Promise<string> {
  const view = join(tmpdir(), `mmvp-bench-tjs-view-${Buffer.from(dir).toString('hex').slice(-24)}`);
  await rm(view, { recursive: true, force: true });
  await mkdir(join(view, 'onnx'), { recursive: true });
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(view, 'config.json'), JSON.stringify({ ...config, architectures: ['LlavaForConditionalGeneration'] }));
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) await symlink(join(dir, file), join(view, file));
  for (const file of ['embed_tokens.onnx', 'decoder_model_merged.onnx']) await symlink(join(dir, 'onnx', file), join(view, 'onnx', file));
  return view;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export default async function run(): Promise<void> {
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  const models: BenchModel[] = [{ name: 'tiny-llama (H64, 2 layers)', dir: join(root, 'models', 'tiny-llama'), promptTokens: 120, newTokens: 32, rounds: 5 }];
  if (!process.env.MMVP_BENCH_SKIP_BIG) models.push({ name: 'Llama ~125M (H768, 12 layers, GQA 12/4)', dir: bigModel(), promptTokens: 600, newTokens: 32, rounds: 4 });
  console.log(`onnxruntime-node ${ort.env.versions.node}, @huggingface/transformers ${transformers.env.version}, cpu EP, default threads, fp32, greedy`);

  const rows: Record<string, string | number>[] = [];
  const summary: string[] = [];
  for (const model of models) {
    const decoder = await loadDecoder({ modelPath: model.dir });
    // The same prompt ids for both: BOS + the Vicuna system line and filler text, cut to promptTokens.
    const filler = `${VICUNA_SYSTEM} USER: ${'Is the dog facing left or right? What color is the flower? How many cats are there? '.repeat(60)}`;
    const ids = [decoder.tokenizer.bosTokenId!, ...decoder.tokenizer.encode(filler)].slice(0, model.promptTokens);
    const text = decoder.tokenizer.decode(ids.slice(1));
    const promptIds = [decoder.tokenizer.bosTokenId!, ...decoder.tokenizer.encode(text)];

    const view = await transformersView(model.dir);
    transformers.env.localModelPath = `${dirname(view)}/`;
    const tjsModel = await transformers.LlavaQwen2ForCausalLM.from_pretrained(basename(view), { dtype: 'fp32', device: 'cpu', local_files_only: true });
    const tjsTokenizer = await transformers.AutoTokenizer.from_pretrained(basename(view), { local_files_only: true });
    const tjsIds = ((tjsTokenizer(text) as { input_ids: { tolist(): bigint[][] } }).input_ids.tolist()[0] ?? []).map(Number);
    if (tjsIds.join() !== promptIds.join()) throw new Error(`transformers.js tokenizes the prompt differently (${tjsIds.length} vs ${promptIds.length} ids)`);

    // One timed call per side: timestamps of the call start and of every generated token. Both start
    // from the prompt text (tokenization is part of the time to first token).
    const ourRun = async (n: number): Promise<{ stamps: number[]; tokens: number[] }> => {
      const stamps = [performance.now()];
      const [generation] = await decoder.generate({ prompts: [{ text }], maxNewTokens: n, minNewTokens: n, onToken: () => void stamps.push(performance.now()) });
      return { stamps, tokens: [...generation!.tokenIds] };
    };
    const theirRun = async (n: number): Promise<{ stamps: number[]; tokens: number[] }> => {
      const stamps = [performance.now()];
      let puts = 0;
      // transformers.js calls put() once with the prompt, then once per generated token.
      const streamer = { put: () => void (puts++ > 0 && stamps.push(performance.now())), end: () => undefined };
      const { input_ids, attention_mask } = tjsTokenizer(text) as { input_ids: unknown; attention_mask: unknown };
      const output = (await tjsModel.generate({ input_ids, attention_mask, max_new_tokens: n, min_new_tokens: n, do_sample: false, streamer } as never)) as { tolist(): bigint[][] };
      return { stamps, tokens: output.tolist()[0]!.slice(promptIds.length).map(Number) };
    };

    let same = true;
    let reference: number[] | undefined;
    const firsts = { ours: [] as number[], theirs: [] as number[] };
    const intervals = { ours: [] as number[], theirs: [] as number[] };
    for (let round = 0; round < model.rounds; round++) {
      const order = [
        ['ours', ourRun],
        ['theirs', theirRun],
      ] as const;
      for (const [side, fn] of round % 2 === 0 ? order : [...order].reverse()) {
        // who goes first alternates
        const { stamps, tokens } = await fn(model.newTokens);
        reference ??= tokens;
        same &&= tokens.join() === reference.join(); // same tokens from the same files, every call
        firsts[side].push(stamps[1]! - stamps[0]!);
        for (let i = 2; i < stamps.length; i++) intervals[side].push(stamps[i]! - stamps[i - 1]!);
      }
    }
    // Medians: robust to bursts of load from other processes on a shared machine.
    const oursFirst = median(firsts.ours);
    const tjsFirst = median(firsts.theirs);
    const oursRate = 1000 / median(intervals.ours);
    const tjsRate = 1000 / median(intervals.theirs);
    rows.push({ model: model.name, prompt: promptIds.length, new: model.newTokens, path: 'mmvp', 'TTFT ms': oursFirst, 'decode tok/s': oursRate, 'same tokens': same ? 'yes' : 'NO' });
    rows.push({ model: model.name, prompt: promptIds.length, new: model.newTokens, path: 'transformers.js', 'TTFT ms': tjsFirst, 'decode tok/s': tjsRate, 'same tokens': same ? 'yes' : 'NO' });
    summary.push(
      `${model.name}: TTFT mmvp/transformers.js = ${(oursFirst / tjsFirst).toFixed(2)} (lower is better), decode tok/s mmvp/transformers.js = ${(oursRate / tjsRate).toFixed(2)} (higher is better)` +
        (same ? '' : ' — WARNING: the generated tokens differ'),
    );
    await tjsModel.dispose();
    await rm(view, { recursive: true, force: true });
  }
  printTable(rows);
  for (const line of summary) console.log(line);
}
