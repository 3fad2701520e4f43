export { EmbeddingStore, type StoredImage, type StoredError, type ShardInput, type LoadedEmbeddings, type OpenStoreOptions } from './embedding-store';
export { describeModel, formatIdentity, type ModelIdentity } from './model-identity';
export { normalizeRows, sampleRows, recallAtK, type TopK } from './top-k';
export { exactTopK, naiveTopK, type SearchOptions } from './exact-search';
/** @public the approximate search on its own, for a caller's own embeddings */
export { buildUsearchIndex, usearchTopK, usearchExactTopK, type UsearchOptions, type ApproximateIndex } from './usearch-search';
/** @public the candidate search on its own, for a caller's own embeddings */
export { searchCandidates, searchIndexKinds, type SearchIndexKind, type CandidateSearch } from './search-candidates';
export { findClipBlindPairs, type ClipBlindPair, type PairFilterOptions } from './clip-blind-pairs';
export { defaultDecodeWorkers } from './decode-pool';
export type { DecodeResult } from './decode-core';
export type { DecodedImage, PixelProcessor, PixelProcessorSpec } from './pixel-processor';
export { embedCollection, type MiningModel, type EmbedProgress, type EmbedCollectionOptions, type EmbedSummary } from './embed-collection';
export { mineCollection, type MineCollectionOptions, type MineCollectionResult } from './mine-collection';
export { listImages, imageExtensions } from './list-images';
export { writePairsCsv, writeErrorsCsv, writeDuplicatesCsv, writeContactSheet, type PairRow } from './write-results';
export { miningVersions } from './versions';
