export type { MixtureStrategyName, MixtureFeatures, MixtureSweepResult } from './mixture-strategy';
/** @public the strategy names and the encoders each needs, for a caller's own option checks */
export { mixtureStrategyNames, requiredEncoders } from './mixture-strategy';
export { createMixture } from './create-mixture';
export type { Mixture, MixtureOptions, MixtureAdapters } from './create-mixture';
/** @public the token grid arithmetic of resampleTokenGrid, to size an adapter */
export { resampleTokenGrid, tokenGrid } from './resample-token-grid';
