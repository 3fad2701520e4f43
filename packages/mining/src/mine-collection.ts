import { InvalidArgumentError } from '@mmvp/core';
import { collapseDuplicates, findClipBlindPairs, selectRows, type ClipBlindPair } from './clip-blind-pairs';
import { embedCollection, type EmbedCollectionOptions, type EmbedSummary, type MiningModel } from './embed-collection';
import { EmbeddingStore, type StoredError, type StoredImage } from './embedding-store';
import { searchCandidates, type CandidateSearch, type SearchIndexKind } from './search-candidates';
import { normalizeRows } from './top-k';
import type { UsearchOptions } from './usearch-search';
import type { PairRow } from './write-results';

/** Decode, batching, shard and progress settings are those of embedCollection. */
export interface MineCollectionOptions extends Omit<EmbedCollectionOptions, 'store' | 'models'> {
  /** Folder of the embedding store (created if missing). */
  readonly storeDir: string;
  /** The CLIP model (store key 'clip'); its neighbours are the candidates. */
  readonly clip: MiningModel;
  /** The DINOv2 model (store key 'dino'). */
  readonly dino: MiningModel;
  readonly rebuild?: boolean;
  readonly index?: SearchIndexKind;
  /** CLIP neighbours per image considered as candidates (default 10). */
  readonly k?: number;
  readonly clipMin?: number;
  readonly dinoMax?: number;
  readonly recallSample?: number;
  readonly usearch?: UsearchOptions;
}

/** The mined CLIP-blind pairs with what the embed and search steps did. */
export interface MineCollectionResult {
  readonly embed: EmbedSummary;
  /** Distinct images searched (after collapsing identical content). */
  readonly images: readonly StoredImage[];
  readonly pairs: readonly (ClipBlindPair & PairRow)[];
  readonly errors: readonly StoredError[];
  readonly duplicates: readonly { path: string; duplicateOf: string }[];
  readonly search: CandidateSearch;
}

/**
 * The whole mining step: embed what the store lacks, load the collection's embeddings, collapse
 * identical images, find each image's CLIP neighbours, keep the pairs with CLIP cosine > clipMin and
 * DINOv2 cosine < dinoMax, ranked by the gap.
 */
export async function mineCollection(options: MineCollectionOptions): Promise<MineCollectionResult> {
  if (options.clip.key !== 'clip' || options.dino.key !== 'dino') throw new InvalidArgumentError(`mining models must use the keys 'clip' and 'dino', got '${options.clip.key}' and '${options.dino.key}'`);
  const k = options.k ?? 10;
  const clipMin = options.clipMin ?? 0.95;
  const dinoMax = options.dinoMax ?? 0.6;
  for (const [name, value] of [
    ['clip-min', clipMin],
    ['dino-max', dinoMax],
  ] as const) {
    if (!Number.isFinite(value) || value < -1 || value > 1) throw new InvalidArgumentError(`--${name} must be a cosine between -1 and 1, got ${value}`);
  }
  const store = await EmbeddingStore.open(options.storeDir, { models: { clip: options.clip.identity, dino: options.dino.identity }, ...(options.rebuild ? { rebuild: true } : {}) });
  const embed = await embedCollection({ ...options, store, models: [options.clip, options.dino] });
  const loaded = await store.load(options.paths);
  const { kept, duplicates } = collapseDuplicates(loaded.images.map((image) => image.sha256));
  const images = kept.map((row) => loaded.images[row]!);
  const clipDimension = loaded.dimensions.clip!;
  const dinoDimension = loaded.dimensions.dino!;
  const clip = normalizeRows(selectRows(loaded.vectors.clip!, clipDimension, kept), clipDimension);
  const dino = normalizeRows(selectRows(loaded.vectors.dino!, dinoDimension, kept), dinoDimension);
  const search = searchCandidates(clip, clipDimension, k, options.index ?? 'exact', {
    ...(options.recallSample === undefined ? {} : { recallSample: options.recallSample }),
    ...(options.usearch === undefined ? {} : { usearch: options.usearch }),
  });
  const pairs = findClipBlindPairs({ clip, clipDimension, dino, dinoDimension, candidates: search.topK, clipMin, dinoMax }).map((pair) => ({
    ...pair,
    imageA: images[pair.a]!.path,
    imageB: images[pair.b]!.path,
  }));
  return {
    embed,
    images,
    pairs,
    errors: store.errors(options.paths),
    duplicates: duplicates.map((d) => ({ path: loaded.images[d.row]!.path, duplicateOf: loaded.images[d.duplicateOf]!.path })),
    search,
  };
}
