import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidConfigError } from '@mmvp/core';
import { loadPipelineConfig, type PipelineConfig } from '@mmvp/pipeline';
import type { SweepRatio } from './ratios';
import type { SweepProtocol } from './sweep-results';
import type { PipelineSource } from './sweep-options';

/** One ratio of a sweep: the ratio, its model name, its config and the config's name. */
export interface RatioPlan {
  readonly ratio: SweepRatio;
  /** The model name in the results files. */
  readonly model: string;
  readonly config: PipelineConfig;
  readonly name: string;
}

const nameOf = (config: PipelineConfig, fallback: string) => config.configPath ?? config.name ?? fallback;

async function loadSource(source: PipelineSource, ratio: SweepRatio | undefined, label: string): Promise<PipelineConfig> {
  if (typeof source !== 'string') return source;
  const path = resolve(source);
  if (ratio !== undefined) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      throw new InvalidConfigError(`${label}: r=${ratio.text} has no config file: ${path} ${info === undefined ? 'does not exist' : 'is not a file'} (each swept ratio needs its own config)`);
    }
  }
  return loadPipelineConfig(path); // names the file when it is unreadable or invalid
}

function checkSweepable(config: PipelineConfig, name: string, ratio: SweepRatio | undefined): void {
  if (config.decoder === undefined) throw new InvalidConfigError(`${name} has no 'decoder' section; the sweep answers questions`);
  if (config.adapters.additive === undefined || config.encoders.clip === undefined || config.encoders.dino === undefined) {
    throw new InvalidConfigError(`${name}: a sweep needs encoders.clip, encoders.dino and adapters.additive (the A-MoF adapter)`);
  }
  if (ratio !== undefined && (config.strategy.name !== 'additive' || config.strategy.dinoRatio !== ratio.value)) {
    throw new InvalidConfigError(
      `${name} is the config for r=${ratio.text}, but its strategy is ${config.strategy.name}${config.strategy.dinoRatio === undefined ? '' : ` with dinoRatio ${config.strategy.dinoRatio}`}; ` +
        `a per-ratio config must be strategy 'additive' with dinoRatio ${ratio.value}`,
    );
  }
}

/**
 * Each ratio's config, loaded and checked before any model loads: a path with `{r}` or `pipelineFor` is
 * the per-ratio protocol (each ratio's own trained config), else one config for every ratio (fixed-adapter).
 */
export async function resolveRatioPlans(input: {
  readonly pipeline: PipelineSource | undefined;
  readonly pipelineFor: ((ratio: number, text: string) => PipelineSource | Promise<PipelineSource>) | undefined;
  readonly ratios: readonly SweepRatio[];
  /** How the pipeline input is named in errors (`pipeline`, or the CLI's flag). */
  readonly label: string;
  readonly modelNameOf: (ratio: SweepRatio) => string;
}): Promise<{ template: string | undefined; protocol: SweepProtocol; plans: RatioPlan[] }> {
  const { ratios, modelNameOf } = input;
  const template = typeof input.pipeline === 'string' && input.pipeline.includes('{r}') ? input.pipeline : undefined;
  const protocol: SweepProtocol = input.pipelineFor !== undefined || template !== undefined ? 'per-ratio' : 'fixed-adapter';
  const plans: RatioPlan[] = [];
  if (protocol === 'per-ratio') {
    for (const ratio of ratios) {
      const source = template !== undefined ? template.replaceAll('{r}', ratio.text) : await input.pipelineFor!(ratio.value, ratio.text);
      const config = await loadSource(source, ratio, template === undefined ? `${input.label} (r => config)` : `${input.label} ${template}`);
      const name = nameOf(config, `the config for r=${ratio.text}`);
      checkSweepable(config, name, ratio);
      plans.push({ ratio, config, name, model: modelNameOf(ratio) });
    }
  } else {
    const config = await loadSource(input.pipeline!, undefined, `${input.label} ${typeof input.pipeline === 'string' ? input.pipeline : ''}`.trim());
    const name = nameOf(config, 'the pipeline config');
    checkSweepable(config, name, undefined);
    for (const ratio of ratios) plans.push({ ratio, config, name, model: modelNameOf(ratio) });
  }
  return { template, protocol, plans };
}
