import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, NoSuchComponentError } from '@mmvp/core';
import { createPipeline } from '../create-pipeline';
import { componentAllowlist, resolveComponent } from './component-source';
import { loadComponent } from './load-component';
import { loadPipelineConfig, parsePipelineConfig } from './load-pipeline-config';
import { createVisualTokenizer } from './visual-tokenizer';

// A pipeline config is code: its `use` modules run when imported. Each refused `use` here points at a
// module whose top-level code writes a marker file; the marker must stay absent (nothing was imported).

const here = fileURLToPath(new URL('.', import.meta.url));
const mofFixtures = join(here, '..', '..', '..', 'mof', 'src', '__fixtures__');

/** A folder holding the config folder `configs/` and, outside it, `evil.mjs` (writes `marker` when imported). */
async function layout() {
  const root = await mkdtemp(join(tmpdir(), 'mmvp-components-'));
  const configs = join(root, 'configs');
  await mkdir(configs);
  const marker = join(root, 'marker');
  const evilSource = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`;
  const evil = join(root, 'evil.mjs');
  await writeFile(evil, evilSource);
  await writeFile(join(configs, 'encoder.mjs'), await readFile(join(here, '__fixtures__', 'npy-features-encoder.mjs')));
  await writeFile(join(configs, 'package.json'), JSON.stringify({ type: 'module' }));
  const config = (use: string) => ({
    encoders: { clip: { use, model: 'clip-model', options: { featuresPath: join(mofFixtures, 'clip_features.npy') } } },
    adapters: { clip: { type: 'mlp2x_gelu', weights: join(mofFixtures, 'projectors.safetensors'), prefix: 'model.mm_projector', runtime: 'js' } },
    strategy: { name: 'clip' },
  });
  const write = async (use: string) => {
    const path = join(configs, `pipeline-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, JSON.stringify(config(use)));
    return path;
  };
  return { root, configs, marker, evil, evilSource, config, write };
}

describe('component loading: only installed packages and files inside the config folder (a config is code)', () => {
  it('refuses a data: URL, a file: URL, an absolute path and ../ out of the folder in one line, before any code runs', async () => {
    const { marker, evil, evilSource, write } = await layout();
    const refused: [string, RegExp][] = [
      [`data:text/javascript,${encodeURIComponent(evilSource)}`, /encoders\.clip\.use: component 'data:text\/javascript,.*' refused: URLs \(data:, file:, http:, node:\) are not loaded/],
      [pathToFileURL(evil).href, /encoders\.clip\.use: component 'file:\/\/.*evil\.mjs' refused: URLs/],
      [evil, /encoders\.clip\.use: '.*evil\.mjs' is an absolute path; a component is an installed package name or a '\.\/' file inside the config folder/],
      ['../evil.mjs', /encoders\.clip\.use: component '\.\.\/evil\.mjs' refused: the file is outside the config folder .*configs; a component file must lie inside it/],
      ['./sub/../../evil.mjs', /refused: the file is outside the config folder/],
      ['node:fs', /refused: URLs/],
    ];
    for (const [use, message] of refused) {
      const path = await write(use);
      const error = await loadPipelineConfig(path).catch((e: unknown) => e);
      expect(InvalidConfigError.isInstance(error), use).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(path); // names the file
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('a config object that skipped loadPipelineConfig is checked again when the component loads (createPipeline, createVisualTokenizer)', async () => {
    const { configs, marker, evil, evilSource, config } = await layout();
    const parsed = parsePipelineConfig(config('./encoder.mjs'), { baseDir: configs, source: join(configs, 'pipeline.json') });
    for (const use of [evil, `data:text/javascript,${encodeURIComponent(evilSource)}`, pathToFileURL(evil).href, join(configs, '..', 'evil.mjs')]) {
      const tampered = { ...parsed, encoders: { clip: { ...parsed.encoders.clip!, use } } };
      const viaTokenizer = await createVisualTokenizer(tampered).catch((e: unknown) => e);
      expect(NoSuchComponentError.isInstance(viaTokenizer), use).toBe(true);
      expect((viaTokenizer as Error).message).toMatch(/^component '.*' refused: /);
      const viaPipeline = await createPipeline({ ...tampered, decoder: { modelPath: configs, template: 'llava_v1', prompt: 'lmms', maxNewTokens: 1, temperature: 0, topP: 1, seed: 0 } }).catch((e: unknown) => e);
      expect(NoSuchComponentError.isInstance(viaPipeline), use).toBe(true);
    }
    // a config without a folder may not name files at all
    await expect(loadComponent({ use: evil }, 'vision-encoder')).rejects.toThrow(/refused: a component file must lie inside the config folder, and this config has none/);
    expect(existsSync(marker)).toBe(false);
  });

  it('a symbolic link inside the folder that points outside it is refused (the real path is checked)', async () => {
    const { configs, marker, evil, write } = await layout();
    await symlink(evil, join(configs, 'linked.mjs'));
    const error = await loadPipelineConfig(await write('./linked.mjs')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/component '\.\/linked\.mjs' refused: the file is outside the config folder/);
    expect(existsSync(marker)).toBe(false);
  });

  it('a file inside the folder and an installed package load; names that are neither are refused', async () => {
    const { write } = await layout();
    const tokenizer = await createVisualTokenizer(await loadPipelineConfig(await write('./encoder.mjs')));
    expect(tokenizer.describe().join('\n')).toMatch(/encoder clip: .*encoder\.mjs/);
    await tokenizer.dispose();
    expect(resolveComponent('@mmvp/encoder-clip', {})).toMatchObject({ kind: 'package', name: '@mmvp/encoder-clip' });
    expect(() => resolveComponent('Not A Package', {})).toThrow(/refused: not an npm package name or a path starting with '\.\/'/);
  });

  it('with an allowlist (a worker), only the allowed entries load, whatever the config says', async () => {
    const { marker, configs, write } = await layout();
    const config = await loadPipelineConfig(await write('./encoder.mjs'));
    const error = await createVisualTokenizer(config, { components: { allow: ['@mmvp/encoder-clip'] } }).catch((e: unknown) => e);
    expect(NoSuchComponentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/component '.*encoder\.mjs' refused: this process loads only the components it allows \(@mmvp\/encoder-clip\)/);
    // the allowlist made from the trusted config itself lets its file load
    const allow = componentAllowlist(config);
    expect(allow).toEqual([join(configs, 'encoder.mjs')]);
    const tokenizer = await createVisualTokenizer(config, { components: { allow } });
    await tokenizer.dispose();
    expect(existsSync(marker)).toBe(false);
  });

  it('a CommonJS build of a component (exports.default, as TypeScript compiles it) loads as its ES module would', async () => {
    const { configs } = await layout();
    await writeFile(join(configs, 'built.cjs'), "exports.default = { specificationVersion: 'v1', kind: 'vision-encoder', optionsSchema: {}, create: () => undefined };\n");
    const component = await loadComponent({ use: './built.cjs' }, 'vision-encoder', { folder: configs });
    expect(component).toMatchObject({ specificationVersion: 'v1', kind: 'vision-encoder' });
  });
});
