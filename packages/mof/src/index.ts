export type { MixtureStrategyName, MixtureFeatures, MixtureSweepResult } from './mixture-strategy';
export { mixtureStrategyNames, requiredEncoders } from './mixture-strategy';
export { createMixture } from './create-mixture';
export type { Mixture, MixtureOptions, MixtureAdapters } from './create-mixture';
export { resampleTokenGrid, tokenGrid } from './resample-token-grid';
