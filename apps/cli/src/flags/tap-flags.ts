import { z } from 'zod';
import { InvalidArgumentError, type FeatureTap } from '@mmvp/core';
import type { FlagTable } from './flag-table';

/** Where token features are read: `--layer K` (a hidden_states index) or `--tap prenorm|last` (embed, inspect). */
export interface TapFlags {
  readonly layer?: number;
  readonly tap?: 'prenorm' | 'last';
}

/** The flags of {@link TapFlags}, one definition for every command that taps a graph. */
export function tapFlags(purpose: string): FlagTable<TapFlags> {
  return {
    layer: { flag: '--layer <k>', schema: z.number().int().optional(), description: `${purpose}hidden_states index (0 = embeddings, k = output of layer k, negative from the end; -2 = second to last)` },
    tap: { flag: '--tap <name>', schema: z.enum(['prenorm', 'last']).optional(), description: `${purpose}'prenorm' (input of the final LayerNorm; DINOv2 default) or 'last' (last_hidden_state)` },
  };
}

/** --layer K or --tap NAME as a FeatureTap; undefined leaves the family's default (CLIP layer -2, DINOv2 prenorm). */
export function tapOf(flags: TapFlags): FeatureTap | undefined {
  if (flags.layer !== undefined && flags.tap !== undefined) throw new InvalidArgumentError('give either --layer K or --tap prenorm|last, not both');
  if (flags.layer !== undefined) return { kind: 'layer', layer: flags.layer };
  return flags.tap === undefined ? undefined : { kind: flags.tap };
}
