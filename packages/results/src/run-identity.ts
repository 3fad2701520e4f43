import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InvalidArgumentError } from '@mmvp/core';

/** The identity file of an answering run (run.json is the results folder's, read by `mmvp report`). */
export const RUN_IDENTITY_FILE = 'run-identity.json';

/**
 * Everything that must not change between a run and its --resume. Answers made under other settings
 * must never be mixed into one file; each answer line carries `model_id` and the short `run_identity`
 * hash of these fields, so a mismatch is found even without run-identity.json.
 */
export interface RunIdentity {
  readonly pipelineConfigSha256: string;
  /** SHA-256 over the model files' paths-free hashes (weights, tokenizer, configs). */
  readonly modelFilesSha256: string;
  readonly promptStyle: string;
  /** The decoding settings (temperature, max new tokens, ...) as JSON. */
  readonly decoding: string;
  readonly labels: string;
  readonly questionsSha256: string;
  readonly modelId: string;
}

/**
 * The `model_id` of a pipeline's answers: the config's `name` when it has one (a zoo model's
 * `pipeline.json` is then told apart from the next one), else the file's base name without `.json`.
 */
export function pipelineModelId(config: { readonly name?: string | undefined }, pipelinePath: string): string {
  const name = config.name?.trim();
  return name !== undefined && name !== '' ? name : basename(pipelinePath).replace(/\.json$/, '');
}

/** Short hash of an identity (16 hex digits), written into each answer line as `run_identity`. */
export function runIdentityHash(identity: RunIdentity): string {
  const keys = Object.keys(identity).sort() as (keyof RunIdentity)[];
  return createHash('sha256')
    .update(JSON.stringify(keys.map((key) => [key, identity[key]])))
    .digest('hex')
    .slice(0, 16);
}

/** Reads the identity a folder's earlier run stored (run-identity.json, or an older eval-mllm's run.json). */
export async function readStoredIdentity(out: string): Promise<{ identity: Partial<RunIdentity>; file: string } | undefined> {
  for (const name of [RUN_IDENTITY_FILE, 'run.json']) {
    const file = join(out, name);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let json: { identity?: Partial<RunIdentity> };
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, '')) as { identity?: Partial<RunIdentity> };
    } catch {
      throw new InvalidArgumentError(`${file} is not valid JSON; it records the settings of the run in ${out}: restore it, or choose another --out`);
    }
    if (json.identity !== undefined) return { identity: json.identity, file };
  }
  return undefined;
}

/**
 * Fails (one line, nothing written) when the stored identity or any answer line differs from this
 * run's: names the settings that differ, or the first line whose model_id / run_identity differs.
 */
export function checkRunIdentity(options: {
  readonly identity: RunIdentity;
  readonly stored: { identity: Partial<RunIdentity>; file: string } | undefined;
  readonly records: readonly { readonly line: number; readonly fields: Readonly<Record<string, unknown>> }[];
  readonly answersFile: string;
  readonly out: string;
}): void {
  const { identity, stored } = options;
  const hash = runIdentityHash(identity);
  if (stored !== undefined) {
    const changed = (Object.keys(identity) as (keyof RunIdentity)[]).filter((key) => key in stored.identity && stored.identity[key] !== identity[key]);
    if (changed.length > 0) {
      throw new InvalidArgumentError(`--resume: ${changed.join(', ')} differ(s) from the run in ${options.out} (see ${stored.file}); answers of different settings must not be mixed; use another --out`);
    }
  }
  for (const record of options.records) {
    const modelId = record.fields['model_id'];
    const lineIdentity = record.fields['run_identity'];
    const where = `${options.answersFile}:${record.line}`;
    if (modelId !== identity.modelId) {
      throw new InvalidArgumentError(
        `--resume: ${where} was answered by model_id ${modelId === undefined ? '(none)' : JSON.stringify(modelId)}, this run is '${identity.modelId}'; answers of different models must not be mixed; use another --out`,
      );
    }
    if (lineIdentity !== hash) {
      const differs =
        lineIdentity === undefined
          ? 'has no run_identity (written by another tool or an older mmvp)'
          : `has run_identity ${JSON.stringify(lineIdentity)}, this run's is ${hash}` +
            (record.fields['prompt_style'] !== undefined && record.fields['prompt_style'] !== identity.promptStyle
              ? ` (promptStyle differs: '${String(record.fields['prompt_style'])}' there)`
              : ' (pipeline config, model files, decoding, labels or questions differ)');
      throw new InvalidArgumentError(`--resume: ${where} ${differs}; answers of different settings must not be mixed; use another --out`);
    }
  }
}

/** The decoding settings as identity JSON: keys sorted, without the model path (the files are hashed, so a moved checkout still resumes). */
export function decodingIdentity(decoding: Readonly<Record<string, unknown>> | undefined): string {
  if (decoding === undefined) return 'null';
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(decoding)
        .filter(([key]) => key !== 'modelPath')
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );
}
