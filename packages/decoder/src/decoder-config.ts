import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile } from '@mmvp/core';

/**
 * The config.json fields the decoder reads (Hugging Face LlamaConfig names). A LLaVA-style config
 * that nests them under `text_config` is accepted too. Unknown keys are ignored: config.json files
 * carry many fields that do not matter here.
 */
const textConfigSchema = z
  .object({
    hidden_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    num_attention_heads: z.number().int().positive(),
    num_key_value_heads: z.number().int().positive().optional(),
    head_dim: z.number().int().positive().optional(),
    max_position_embeddings: z.number().int().positive(),
    vocab_size: z.number().int().positive(),
    bos_token_id: z.number().int().nonnegative().nullish(),
    eos_token_id: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative())]).nullish(),
    pad_token_id: z.number().int().nonnegative().nullish(),
    model_type: z.string().optional(),
  })
  .passthrough();

const configFileSchema = z.union([z.object({ text_config: textConfigSchema }).passthrough(), textConfigSchema]);

/** What generation needs to know about the language model, resolved from config.json. */
export interface DecoderConfig {
  readonly modelType: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numAttentionHeads: number;
  /** Key/value heads (grouped-query attention); equals numAttentionHeads for plain multi-head attention. */
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly maxPositionEmbeddings: number;
  readonly vocabSize: number;
  readonly bosTokenId: number | undefined;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | undefined;
}

/** Reads and validates a decoder folder's config.json (layers, heads, hidden size, special tokens). */
export async function loadDecoderConfig(modelPath: string): Promise<DecoderConfig> {
  const file = join(modelPath, 'config.json');
  const parsed = await readJsonFile(file, configFileSchema);
  const c = 'text_config' in parsed ? (parsed.text_config as z.infer<typeof textConfigSchema>) : (parsed as z.infer<typeof textConfigSchema>);
  const eos = c.eos_token_id;
  return {
    modelType: c.model_type ?? 'llama',
    hiddenSize: c.hidden_size,
    numLayers: c.num_hidden_layers,
    numAttentionHeads: c.num_attention_heads,
    numKeyValueHeads: c.num_key_value_heads ?? c.num_attention_heads,
    headDim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    maxPositionEmbeddings: c.max_position_embeddings,
    vocabSize: c.vocab_size,
    bosTokenId: c.bos_token_id ?? undefined,
    eosTokenIds: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: c.pad_token_id ?? undefined,
  };
}
