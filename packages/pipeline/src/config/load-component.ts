import { NoSuchComponentError, type ComponentModule, type VisionEncoderV1 } from '@mmvp/core';
import { isComponentFile, resolveComponent, type ComponentSource } from './component-source';

function installHint(use: string): string {
  return isComponentFile(use) ? 'check the path' : `install it with \`pnpm add ${use}\``;
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
 *
 * The import runs the module's code, so `use` is checked first against `source` (see
 * ComponentSource): an installed package resolved from the config's folder, or a file inside it;
 * with `source.allow`, only those entries. Anything else is refused before it is imported.
 */
export async function loadComponent<Instance>(reference: { readonly use: string }, kind: string, source: ComponentSource = {}): Promise<ComponentModule<string, Instance>> {
  const { use } = reference;
  const resolved = resolveComponent(use, source); // throws before any code runs
  let module: unknown;
  try {
    module = await import(resolved.href);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to load url/.test(String((cause as Error).message));
    throw new NoSuchComponentError(missing ? `component package '${use}' is not installed; ${installHint(use)}` : `component package '${use}' failed to load: ${(cause as Error).message}`, { cause });
  }
  // a package's CommonJS build (found through require's conditions) imports as { default: module.exports }
  const outer = (module as { default?: unknown }).default;
  const exported = isComponentModule(outer, kind) ? outer : ((outer as { default?: unknown } | undefined)?.default ?? outer);
  if (!isComponentModule(exported, kind)) {
    throw new NoSuchComponentError(
      `package '${use}' does not implement a '${kind}' component: its default export must be { specificationVersion: 'v1', kind: '${kind}', optionsSchema, create(options) }` +
        (isComponentFile(use) ? '' : ` (is '${use}' the right package? \`pnpm add ${use}\` installs it)`),
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
