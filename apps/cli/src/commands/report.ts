import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readResults, renderResults, reportFileName, resultFileNames, workflowFileNames } from '@mmvp/report';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `mmvp report DIR [--out FILE]`: one self-contained HTML file from a results folder. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('self-contained HTML report (inline SVG plots, inline images) of the results folder of any workflow: demo, sweep, eval-mllm, grade, eval-vlm, pope, mine')
    .argument('<dir>', `results folder (${[...Object.values(resultFileNames), ...Object.values(workflowFileNames)].join(', ')})`)
    .option('--out <file>', `where to write the HTML (default: DIR/${reportFileName})`)
    .action(async (directory: string, options: { out?: string }) => {
      const folder = resolve(directory);
      const bundle = await readResults(folder);
      const found: string[] = Object.entries(resultFileNames)
        .filter(([key]) => bundle[key as keyof typeof resultFileNames] !== undefined)
        .map(([, name]) => name);
      if (bundle.pope !== undefined) found.push(workflowFileNames.pope);
      process.stderr.write(`report: reading ${folder}: ${found.join(', ')}\n`);
      const html = await renderResults(bundle);
      const output = resolve(options.out ?? join(folder, reportFileName));
      await writeFile(output, html);
      process.stderr.write(`report: wrote ${output} (${Math.round(html.length / 1024)} KB)\n`);
      process.stdout.write(`${output}\n`);
    });
}
