/** @public the pipeline config's schemas, parser and component contract: for tools that write configs and for third-party components */
export {
  pipelineConfigSchema,
  encoderConfigSchema,
  adapterConfigSchema,
  strategyConfigSchema,
  decoderConfigSchema,
  kernelsConfigSchema,
  loadPipelineConfig,
  parsePipelineConfig,
  loadComponent,
  assertVisionEncoder,
  resolveComponent,
  componentAllowlist,
  isComponentFile,
  createVisualTokenizer,
  computeVisualTokens,
} from './config/index';
export type { PipelineConfig, PipelineConfigInput, EncoderConfig, AdapterConfig, StrategyConfig, VisualTokenizer, CreateVisualTokenizerOptions, ComponentSource, ResolvedComponent } from './config/index';
export { createPipeline } from './create-pipeline';
export type { Pipeline, AskRequest, AskOptions, Answer } from './create-pipeline';
