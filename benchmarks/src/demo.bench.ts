/**
 * `mmvp demo` end to end on the shipped zoo (models/zoo), against its 10-minute budget: one full run
 * of the built CLI (generate the eval set, finding 1, the fifteen tiny LLaVA models: nine configurations, three of them with three seeds, report). Also prints the
 * demo's own per-stage timing summary. Skipped with a note when models/zoo is absent.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from './timing';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const budgetSeconds = 600;

export default async function run(): Promise<void> {
  const zoo = join(repo, 'models', 'zoo');
  const cli = join(repo, 'apps', 'cli', 'dist', 'cli.js');
  if (!existsSync(join(zoo, 'tiny-clip')) || !existsSync(cli)) {
    console.log(`skipped: needs ${zoo} (tools/zoo) and ${cli} (pnpm --filter @mmvp/cli... build)`);
    return;
  }
  const out = await mkdtemp(join(tmpdir(), 'mmvp-demo-bench-'));
  try {
    const started = process.hrtime.bigint();
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [cli, 'demo', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) {
      console.log(`mmvp demo failed with exit code ${code}`);
      return;
    }
    const runInfo = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { timings: { stage: string; seconds: number }[] };
    printTable([
      ...runInfo.timings.map((timing) => ({ stage: timing.stage, seconds: timing.seconds, 'share of budget': timing.seconds / budgetSeconds })),
      { stage: 'whole `mmvp demo` (wall, incl. startup)', seconds, 'share of budget': seconds / budgetSeconds },
    ]);
    console.log(`demo wall time ${seconds.toFixed(1)} s = ${(seconds / budgetSeconds).toFixed(2)} x the ${budgetSeconds} s budget`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
