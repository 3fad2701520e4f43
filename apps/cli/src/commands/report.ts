import { lstat, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '@mmvp/core';
import { renderResults, reportFileName } from '@mmvp/report';
import { readResults, resultFileNames, workflowFileNames } from '@mmvp/results';
import { declareFlags } from '../flags/declare-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { checkOutputFile, prepareOutputFile } from '../output-file';

interface ReportOptions {
  out?: string;
  force?: boolean;
}

const reportFlags: FlagTable<ReportOptions> = {
  out: { flag: '--out <file>', description: `where to write the HTML (default: DIR/${reportFileName}); an existing file that is not an .html report is kept unless --force` },
  force: { flag: '--force', description: 'replace an existing --out file that is not an .html report' },
};

/** `mmvp report DIR [--out FILE]`: one self-contained HTML file from a results folder. */
export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .description('self-contained HTML report (inline SVG plots, inline images) of the results folder of any workflow: demo, sweep, eval-mllm, grade, eval-vlm, pope, mine')
    .argument('<dir>', `results folder (${[...Object.values(resultFileNames), ...Object.values(workflowFileNames)].join(', ')})`);
  declareFlags(command, reportFlags).action(async (directory: string, values: Record<string, unknown>) => {
    const options = optionsFromFlags(reportFlags, values);
    const folder = resolve(directory);
    const output = await checkOutputFile(options.out ?? join(folder, reportFileName), '--out', reportFileName); // a folder, or a path under a file: one line, before reading
    const existing = await lstat(output).catch(() => undefined);
    if (existing?.isSymbolicLink()) throw new InvalidArgumentError(`--out ${output} is a symbolic link; mmvp writes no report through a link (it may point anywhere): remove it or choose another path`);
    const results = new Set<string>([...Object.values(resultFileNames), ...Object.values(workflowFileNames)]);
    if (existing !== undefined && options.force !== true && (!output.endsWith('.html') || results.has(basename(output)))) {
      throw new InvalidArgumentError(`--out ${output} exists and is not an .html report; it is kept: choose another path, or pass --force to replace it`);
    }
    const bundle = await readResults(folder);
    process.stderr.write(`report: reading ${folder}: ${(bundle.read ?? []).join(', ')}\n`);
    for (const note of bundle.notes ?? []) process.stderr.write(`report: note: ${note}\n`);
    const html = await renderResults(bundle);
    await prepareOutputFile(output, '--out', reportFileName);
    const temporary = `${output}.${process.pid}.tmp`;
    await writeFile(temporary, html);
    await rename(temporary, output); // replaces the name, never writes through a link planted meanwhile
    process.stderr.write(`report: wrote ${output} (${Math.round(html.length / 1024)} KB)\n`);
    process.stdout.write(`${output}\n`);
  });
}
