import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor } from '@mmvp/core';
import { loadTokenizer } from './tokenizer';
import { tokenizePrompt } from './prompt-embedding';

const tinyLlama = fileURLToPath(new URL('../../../models/tiny-llama/', import.meta.url));

/** The tiny Llama's tokenizer folder with tokenizer_config.json fields overridden. */
async function variant(scratch: string, name: string, fields: Record<string, unknown>): Promise<string> {
  const folder = join(scratch, name);
  await cp(tinyLlama, folder, { recursive: true, filter: (source) => !source.includes('onnx') });
  const config = JSON.parse(await readFile(join(folder, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(folder, 'tokenizer_config.json'), JSON.stringify({ ...config, ...fields }));
  return folder;
}

describe('tokenizePrompt: add_bos_token / add_eos_token from tokenizer_config.json', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mmvp-prompt-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('add_eos_token appends EOS once at the end of the prompt (the ids without it, plus EOS)', async () => {
    const plain = await loadTokenizer(await variant(scratch, 'plain', { add_bos_token: true, add_eos_token: false }));
    const eos = await loadTokenizer(await variant(scratch, 'eos', { add_bos_token: true, add_eos_token: true }));
    expect(eos.addEosToken).toBe(true);
    const hidden = 64;
    const visual = tensor(new Float32Array(3 * hidden), [3, hidden]); // [T, H]
    const withImage = { text: 'USER: <image>\nWhat is it? ASSISTANT:', visualTokens: visual };
    const a = tokenizePrompt(plain, withImage, hidden);
    const b = tokenizePrompt(eos, withImage, hidden);
    expect(a.before[0]).toBe(plain.bosTokenId);
    expect(b.before).toEqual(a.before);
    expect(b.after).toEqual([...a.after, eos.eosTokenId]);
    const textOnly = { text: 'USER: hello ASSISTANT:' };
    expect(tokenizePrompt(eos, textOnly, hidden).before).toEqual([...tokenizePrompt(plain, textOnly, hidden).before, eos.eosTokenId]);
    // a prompt that already ends with the EOS string gets no second one
    const ending = { text: `USER: hello${eos.eosToken}` };
    const ids = tokenizePrompt(eos, ending, hidden).before;
    expect(ids.filter((id) => id === eos.eosTokenId)).toHaveLength(1);
  });
});
