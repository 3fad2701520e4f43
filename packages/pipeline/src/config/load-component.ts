import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NoSuchComponentError, type ComponentModule, type VisionEncoderV1 } from '@mmvp/core';

function installHint(use: string): string {
  return isAbsolute(use) ? 'check the path' : `install it with \`pnpm add ${use}\``;
}

async function importModule(use: string, searchFrom: readonly string[]): Promise<unknown> {
  if (isAbsolute(use)) return import(pathToFileURL(use).href);
  try {
    return await import(use);
  } catch (firstError) {
    // Not resolvable from @mmvp/pipeline itself: try the user's project (config folder, then cwd).
    for (const directory of searchFrom) {
      let resolved: string;
      try {
        resolved = createRequire(join(directory, 'noop.js')).resolve(use);
      } catch {
        continue;
      }
      return import(pathToFileURL(resolved).href);
    }
    throw firstError;
  }
}

/** True for a module whose default export is a v1 ComponentModule of the given kind. */
function isComponentModule(value: unknown, kind: string): value is ComponentModule<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<ComponentModule<string, unknown>>;
  return candidate.specificationVersion === 'v1' && candidate.kind === kind && typeof candidate.create === 'function' && candidate.optionsSchema !== undefined;
}

/**
 * Loads a component package named in a pipeline config (`"use": "@mmvp/encoder-clip"`) by dynamic
 * import and checks that its default export is a `ComponentModule` of `kind`. Swapping an encoder
 * is installing another package that implements the interface and changing that one line.
 */
export async function loadComponent<Instance>(reference: { readonly use: string }, kind: string, options: { searchFrom?: readonly string[] } = {}): Promise<ComponentModule<string, Instance>> {
  const { use } = reference;
  let module: unknown;
  try {
    module = await importModule(use, [...(options.searchFrom ?? []), process.cwd()]);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to load url/.test(String((cause as Error).message));
    throw new NoSuchComponentError(missing ? `component package '${use}' is not installed; ${installHint(use)}` : `component package '${use}' failed to load: ${(cause as Error).message}`, { cause });
  }
  const exported = (module as { default?: unknown }).default;
  if (!isComponentModule(exported, kind)) {
    throw new NoSuchComponentError(
      `package '${use}' does not implement a '${kind}' component: its default export must be { specificationVersion: 'v1', kind: '${kind}', optionsSchema, create(options) }` +
        (isAbsolute(use) ? '' : ` (is '${use}' the right package? \`pnpm add ${use}\` installs it)`),
    );
  }
  return exported as ComponentModule<string, Instance>;
}

/** Checks that a created instance has the VisionEncoderV1 shape. */
export function assertVisionEncoder(value: unknown, use: string): asserts value is VisionEncoderV1 {
  const candidate = value as Partial<VisionEncoderV1> | null;
  const methods = ['preprocess', 'encodePixels', 'embedPixels', 'dispose'] as const;
  const missing =
    candidate === null || typeof candidate !== 'object'
      ? ['(not an object)']
      : [
          ...(candidate.specificationVersion === 'v1' ? [] : ["specificationVersion: 'v1'"]),
          ...methods.filter((name) => typeof candidate[name] !== 'function'),
          ...(typeof candidate.hiddenSize === 'number' ? [] : ['hiddenSize']),
        ];
  if (missing.length > 0) {
    throw new NoSuchComponentError(`the encoder created by '${use}' does not implement VisionEncoderV1 (missing ${missing.join(', ')})`);
  }
}
