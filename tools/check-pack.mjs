#!/usr/bin/env node
/**
 * Publishing check: every package under packages/ packs, installs from its tarball and works there.
 *
 *   pnpm build && pnpm check:pack          (or: node tools/check-pack.mjs [--keep] [--exports-only] [--package @mmvp/x ...])
 *
 * It builds nothing: it packs what `pnpm build` left in each dist/. Steps:
 *   1. `pnpm pack` each package (pnpm rewrites `workspace:^` to real versions, as `pnpm publish` does),
 *      then lint each tarball: publint (package.json fields against the files really packed; warnings and
 *      errors fail, suggestions are printed) and @arethetypeswrong/cli with the `esm-only` profile (every
 *      entry point's types resolve, and match the JavaScript, under moduleResolution node16 from ESM and
 *      bundler; CommonJS `require` is not offered, these packages are ESM only);
 *      `--exports-only` stops here (no registry needed), `--package` limits the run to the named packages;
 *   2. `npm install` ALL the tarballs together into one empty temporary folder (external dependencies
 *      and peers come from the npm registry; ONNXRUNTIME_NODE_INSTALL=skip and --ignore-scripts, the
 *      same policy as pnpm-workspace.yaml: every native dependency we use ships prebuilt binaries);
 *   3. `import('@mmvp/x')` for each package in a plain Node process there;
 *   4. type-checks a small TypeScript file per package that imports it, with tsc (strict, NodeNext)
 *      against the installed .d.ts files only. A package whose src/index.ts is still the placeholder
 *      `export {};` is only imported.
 * Exit code 0 when every package passes; the table on stdout says what failed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const exportsOnly = process.argv.includes('--exports-only');
const only = process.argv.flatMap((arg, i) => (arg === '--package' ? [process.argv[i + 1]] : arg.startsWith('--package=') ? [arg.slice('--package='.length)] : []));
const started = Date.now();

function log(message) {
  process.stderr.write(`check-pack: ${message} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

async function sh(command, args, options = {}) {
  try {
    return await run(command, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    const detail = `${error.stderr ?? ''}${error.stdout ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed in ${options.cwd ?? process.cwd()}:\n${detail}`);
  }
}

async function listPackages() {
  const packages = [];
  for (const entry of (await readdir(join(root, 'packages'), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = join(root, 'packages', entry.name);
    if (!entry.isDirectory() || !existsSync(join(folder, 'package.json'))) continue;
    const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const source = existsSync(join(folder, 'src', 'index.ts')) ? await readFile(join(folder, 'src', 'index.ts'), 'utf8') : '';
    const placeholder =
      source
        .replace(/\/\/.*$/gm, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .trim() === 'export {};';
    packages.push({ name: manifest.name, folder, placeholder });
  }
  const unknown = only.filter((name) => !packages.some((p) => p.name === name));
  if (unknown.length > 0) throw new Error(`--package ${unknown.join(', ')}: no such publishable package; choose from ${packages.map((p) => p.name).join(', ')}`);
  return only.length > 0 ? packages.filter((p) => only.includes(p.name)) : packages;
}

/** publint on the packed tarball: the messages at warning level and above fail, suggestions are only shown. */
async function publintTarball(tarball) {
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const bytes = await readFile(tarball);
  const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }, level: 'suggestion' });
  const text = (m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`;
  const failing = messages.filter((m) => m.type !== 'suggestion').map(text);
  for (const m of messages.filter((m) => m.type === 'suggestion')) log(`publint ${pkg.name} ${text(m)}`);
  return failing.length === 0 ? 'ok' : `FAILED: ${failing.join(' | ')}`;
}

/** @arethetypeswrong/cli on the packed tarball, esm-only profile (node16 from ESM, and bundler). */
async function attwTarball(tarball) {
  const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  try {
    await run(process.execPath, [attw, tarball, '--profile', 'esm-only', '--format', 'json'], { maxBuffer: 64 * 1024 * 1024 });
    return 'ok';
  } catch (error) {
    let problems = [];
    try {
      const report = JSON.parse(error.stdout);
      // the problems of the resolutions the esm-only profile checks (node10 and node16 from CJS are ignored)
      problems = (report.analysis?.problems ?? [])
        .filter((p) => !['node10', 'node16-cjs'].includes(p.resolutionKind))
        .map((p) => `${p.kind}${p.entrypoint ? ` ${p.entrypoint}` : ''}${p.resolutionKind ? ` (${p.resolutionKind})` : ''}`);
    } catch {
      problems = [`${error.stderr ?? error.message}`.trim().split('\n')[0]];
    }
    return `FAILED: ${[...new Set(problems)].slice(0, 4).join(' | ') || 'attw exited with an error'}`;
  }
}

async function main() {
  const packages = await listPackages();
  const missing = packages.filter((p) => !existsSync(join(p.folder, 'dist', 'index.js')));
  if (missing.length > 0) {
    throw new Error(`no dist/index.js in ${missing.map((p) => p.name).join(', ')}: run \`pnpm build\` first (this check packs what is built)`);
  }
  const work = await mkdtemp(join(tmpdir(), 'mmvp-check-pack-'));
  const tarballs = join(work, 'tarballs');
  const consumer = join(work, 'consumer');
  await mkdir(tarballs);
  await mkdir(join(consumer, 'checks'), { recursive: true });
  const skipped = exportsOnly ? 'skipped (--exports-only)' : undefined;
  const results = new Map(packages.map((p) => [p.name, { pack: 'not run', publint: 'not run', attw: 'not run', import: skipped ?? 'not run', types: skipped ?? (p.placeholder ? 'skipped (placeholder)' : 'not run') }]));
  try {
    // 1. pack, a few at a time (each into its own folder, so the tarball is easy to find)
    const queue = [...packages];
    const packOne = async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        const destination = join(tarballs, p.name.replace('@mmvp/', ''));
        await mkdir(destination);
        await sh('pnpm', ['pack', '--pack-destination', destination], { cwd: p.folder });
        const written = (await readdir(destination)).filter((f) => f.endsWith('.tgz'));
        if (written.length !== 1) throw new Error(`pnpm pack in ${p.folder} wrote ${written.length} tarballs`);
        p.tarball = join(destination, written[0]);
        results.get(p.name).pack = 'ok';
        results.get(p.name).publint = await publintTarball(p.tarball);
        results.get(p.name).attw = await attwTarball(p.tarball);
      }
    };
    await Promise.all([packOne(), packOne(), packOne(), packOne()]);
    log(`packed ${packages.length} packages, ran publint and attw on each tarball`);
    if (!exportsOnly) {
      // 2. install all tarballs together into an empty folder
      await writeFile(join(consumer, 'package.json'), `${JSON.stringify({ name: 'mmvp-pack-consumer', private: true, type: 'module' }, null, 2)}\n`);
      const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false' };
      await sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error', ...packages.map((p) => p.tarball), '@types/node@^20'], { cwd: consumer, env });
      log('installed the tarballs with npm');

      // 3. import each package in plain Node
      const importer = `
        const names = ${JSON.stringify(packages.map((p) => p.name))};
        const out = {};
        for (const name of names) {
          try { const m = await import(name); out[name] = { ok: true, exports: Object.keys(m).length }; }
          catch (error) { out[name] = { ok: false, error: String(error && error.message || error).split('\\n')[0] }; }
        }
        console.log(JSON.stringify(out));`;
      const { stdout } = await sh(process.execPath, ['--input-type=module', '-e', importer], { cwd: consumer, env });
      const imported = JSON.parse(stdout.trim().split('\n').pop());
      for (const p of packages) {
        const r = imported[p.name];
        results.get(p.name).import = r.ok ? `ok (${r.exports} exports)` : `FAILED: ${r.error}`;
      }
      log('imported every package');

      // 4. type-check a consumer file per (non-placeholder) package against the installed .d.ts
      const typed = packages.filter((p) => !p.placeholder);
      for (const p of typed) {
        const file = `${p.name.replace('@mmvp/', '')}.ts`;
        await writeFile(
          join(consumer, 'checks', file),
          `import * as api from '${p.name}';\n\n// Resolves through the package's "exports" -> "types"; a missing or broken .d.ts fails here.\nexport type Api = typeof api;\nexport const exportNames: readonly string[] = Object.keys(api);\n`,
        );
      }
      await writeFile(
        join(consumer, 'tsconfig.json'),
        `${JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck: false, types: ['node'] }, include: ['checks/*.ts'] }, null, 2)}\n`,
      );
      if (typed.length > 0) {
        const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
        let diagnostics = '';
        try {
          await run(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.json')], { cwd: consumer, maxBuffer: 64 * 1024 * 1024 });
        } catch (error) {
          diagnostics = `${error.stdout ?? ''}${error.stderr ?? ''}`;
        }
        const crashed = diagnostics !== '' && !diagnostics.includes('error TS'); // tsc failed without a diagnostic
        for (const p of typed) {
          const short = p.name.replace('@mmvp/', '');
          // errors in the check file itself or in this package's installed .d.ts files
          const own = diagnostics.split('\n').filter((line) => line.startsWith(`checks/${short}.ts`) || line.includes(`node_modules/@mmvp/${short}/`));
          results.get(p.name).types = own.length === 0 && !crashed ? 'ok' : `FAILED: ${own.slice(0, 3).join(' | ') || diagnostics.split('\n')[0]}`;
        }
        const other = diagnostics
          .split('\n')
          .filter((line) => /error TS/.test(line) && !packages.some((p) => line.startsWith(`checks/${p.name.replace('@mmvp/', '')}.ts`) || line.includes(`node_modules/@mmvp/${p.name.replace('@mmvp/', '')}/`)));
        if (other.length > 0) {
          for (const p of typed) if (results.get(p.name).types === 'ok') results.get(p.name).types = 'FAILED: type errors outside @mmvp (see below)';
          process.stderr.write(`check-pack: tsc errors outside the @mmvp packages:\n${other.slice(0, 20).join('\n')}\n`);
        }
      }
      log('type-checked');
    }
  } finally {
    const width = Math.max(...packages.map((p) => p.name.length));
    console.log(`${'package'.padEnd(width)}  pack  publint / attw / import / types`);
    for (const p of packages) {
      const r = results.get(p.name);
      console.log(`${p.name.padEnd(width)}  ${r.pack.padEnd(4)}  ${r.publint} / ${r.attw} / ${r.import} / ${r.types}`);
    }
    if (keep) log(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
  const passed = (value) => value === 'ok' || value.startsWith('ok (') || value.startsWith('skipped');
  const failed = [...results.values()].filter((r) => r.pack !== 'ok' || !passed(r.publint) || !passed(r.attw) || !passed(r.import) || !passed(r.types));
  if (failed.length > 0) {
    process.exitCode = 1;
    log(`${failed.length} of ${packages.length} packages FAILED`);
  } else {
    log(exportsOnly ? `all ${packages.length} packages pack and pass publint and attw` : `all ${packages.length} packages pack, pass publint and attw, install, import and type-check`);
  }
}

main().catch((error) => {
  process.stderr.write(`check-pack: ${error.message}\n`);
  process.exitCode = 1;
});
