export {
  pipelineConfigSchema,
  encoderConfigSchema,
  adapterConfigSchema,
  strategyConfigSchema,
  decoderConfigSchema,
  kernelsConfigSchema,
} from './pipeline-config-schema';
export type { PipelineConfig, PipelineConfigInput, EncoderConfig, AdapterConfig, StrategyConfig, DecoderConfig } from './pipeline-config-schema';
export { loadPipelineConfig, parsePipelineConfig } from './load-pipeline-config';
export { loadComponent, assertVisionEncoder } from './load-component';
export { resolveComponent, componentAllowlist, isComponentFile } from './component-source';
export type { ComponentSource, ResolvedComponent } from './component-source';
export { createVisualTokenizer, computeVisualTokens } from './visual-tokenizer';
export type { VisualTokenizer, CreateVisualTokenizerOptions } from './visual-tokenizer';
