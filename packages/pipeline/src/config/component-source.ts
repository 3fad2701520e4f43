import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NoSuchComponentError } from '@mmvp/core';

/**
 * Where a pipeline config's components may load from. A config is code, like a plugin list: its
 * `use` lines are imported and their top-level code runs. So a `use` may name only
 *
 * - an installed package (`@mmvp/encoder-clip`, `mmvp-example-encoder`), resolved from the config's
 *   folder (then from @mmvp/pipeline's own dependencies, the built-in encoders), or
 * - a file inside the config's folder (`./my-encoder.mjs`; symbolic links are followed before the check).
 *
 * URLs (`data:`, `file:`, `http:`, `node:`), absolute paths outside the folder and `../` out of it are
 * refused with one line, before anything is imported. With `allow` set (a queue worker's allowlist),
 * a `use` must also be one of those entries: code named only by a job never loads.
 */
export interface ComponentSource {
  /** The config's folder: local files must lie inside it, packages resolve from it (default: none, so files are refused and packages resolve from the working folder). */
  readonly folder?: string;
  /** When set, only these `use` values load: package names, or absolute paths of files a trusted config named (see componentAllowlist). */
  readonly allow?: readonly string[];
  /** Where allowed package names resolve from (a worker's own config folder; default: the working folder). */
  readonly allowFrom?: string;
}

/** What a checked `use` imports: an installed package or a file inside the config's folder. */
export type ResolvedComponent = { readonly kind: 'package'; readonly name: string; readonly href: string } | { readonly kind: 'file'; readonly path: string; readonly href: string };

// npm's package name rules (scoped or not, lower case URL-safe characters), with an optional subpath.
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(?:\/[A-Za-z0-9._~-]+)*$/;
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** The package the built-in encoders resolve against (@mmvp/pipeline's own dependencies). */
const ownRequire = createRequire(import.meta.url);

function refuse(use: string, why: string): never {
  throw new NoSuchComponentError(`component '${use.length > 80 ? `${use.slice(0, 77)}...` : use}' refused: ${why}`);
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** The real path (symbolic links followed); the path itself when it does not exist (the import then says so). */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** True for a `use` that names a file ('./x.mjs', '../x.mjs' or an absolute path) rather than a package. */
export function isComponentFile(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || isAbsolute(use);
}

/**
 * Checks a config's `use` against where components may come from and says what it imports; throws
 * NoSuchComponentError (one line, naming the `use` and the rule) before anything runs.
 */
export function resolveComponent(use: string, source: ComponentSource): ResolvedComponent {
  if (use.includes('\0') || use.includes('\\')) refuse(use, 'a component is an installed package name or a file inside the config folder');
  if (URL_SCHEME.test(use)) refuse(use, 'URLs (data:, file:, http:, node:) are not loaded; name an installed package or a file inside the config folder');
  if (source.allow !== undefined && !source.allow.includes(use)) {
    refuse(use, `this process loads only the components it allows (${source.allow.join(', ') || 'none'}); a job or config cannot add code to it (mmvp worker --allow-components)`);
  }
  if (isComponentFile(use)) {
    if (source.allow !== undefined) {
      // an allowlisted file was checked when the allowlist was made from a trusted config
      return { kind: 'file', path: use, href: pathToFileURL(real(use)).href };
    }
    if (source.folder === undefined) refuse(use, 'a component file must lie inside the config folder, and this config has none; use an installed package');
    const folder = real(resolve(source.folder));
    const path = real(resolve(source.folder, use));
    if (!isInside(folder, path)) refuse(use, `the file is outside the config folder ${folder}; a component file must lie inside it (or install it as a package)`);
    return { kind: 'file', path, href: pathToFileURL(path).href };
  }
  if (!PACKAGE_NAME.test(use)) refuse(use, "not an npm package name or a path starting with './'");
  const from = source.allow !== undefined ? (source.allowFrom ?? process.cwd()) : (source.folder ?? process.cwd());
  for (const resolver of [createRequire(join(resolve(from), 'noop.js')), ownRequire]) {
    try {
      return { kind: 'package', name: use, href: pathToFileURL(resolver.resolve(use)).href };
    } catch {
      // not resolvable from there
    }
  }
  return { kind: 'package', name: use, href: use }; // the import reports it as not installed (or an ESM-only package resolves there)
}

/**
 * The allowlist of a trusted config's encoders: its package names as written and its local files as
 * absolute paths (each checked to lie inside the config's folder).
 */
export function componentAllowlist(config: { readonly encoders: Readonly<Record<string, { readonly use: string } | undefined>>; readonly configFolder?: string }): string[] {
  const allowed: string[] = [];
  for (const encoder of Object.values(config.encoders)) {
    if (encoder === undefined) continue;
    const resolved = resolveComponent(encoder.use, config.configFolder === undefined ? {} : { folder: config.configFolder });
    allowed.push(resolved.kind === 'file' ? encoder.use : resolved.name);
  }
  return allowed;
}
