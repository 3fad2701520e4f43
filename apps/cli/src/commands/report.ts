import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readResults, renderResults, reportFileName, resultFileNames } from '@mmvp/report';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `mmvp report DIR [--out FILE]`: one self-contained HTML file from a results folder. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('self-contained HTML report (inline SVG plots, inline images) of a results folder written by mmvp demo or mmvp sweep')
    .argument('<dir>', `results folder (${Object.values(resultFileNames).join(', ')})`)
    .option('--out <file>', `where to write the HTML (default: DIR/${reportFileName})`)
    .action(async (directory: string, options: { out?: string }) => {
      const folder = resolve(directory);
      const bundle = await readResults(folder);
      const found = Object.entries(resultFileNames)
        .filter(([key]) => bundle[key as keyof typeof resultFileNames] !== undefined)
        .map(([, name]) => name);
      process.stderr.write(`report: reading ${folder}: ${found.join(', ')}\n`);
      const html = await renderResults(bundle);
      const output = resolve(options.out ?? join(folder, reportFileName));
      await writeFile(output, html);
      process.stderr.write(`report: wrote ${output} (${Math.round(html.length / 1024)} KB)\n`);
      process.stdout.write(`${output}\n`);
    });
}
