import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { formatModelFolderReport, inspectModelFolder, type GraphTap } from '@mmvp/onnx';
import type { Command } from 'commander';

interface InspectOptions {
  json?: boolean;
  layer?: string;
  tap?: string;
}

const tapChoices = ['prenorm', 'last'] as const;

function parseTap(options: InspectOptions): GraphTap | undefined {
  if (options.layer !== undefined && options.tap !== undefined) throw new InvalidArgumentError('give either --layer K or --tap prenorm|last, not both');
  if (options.layer !== undefined) {
    const layer = Number(options.layer);
    if (options.layer.trim() === '' || !Number.isInteger(layer)) throw new InvalidArgumentError(`--layer must be an integer (Hugging Face hidden_states index, -2 = second to last), got '${options.layer}'`);
    return { kind: 'layer', layer };
  }
  if (options.tap !== undefined) {
    if (!(tapChoices as readonly string[]).includes(options.tap)) throw new InvalidArgumentError(`unknown --tap '${options.tap}'; valid choices: ${listChoices(tapChoices)} (or --layer K)`);
    return { kind: options.tap as 'prenorm' | 'last' };
  }
  return undefined;
}

/**
 * `mmvp inspect MODEL_DIR`: what a model folder is and which taps it offers. Reads only. Exit status 1
 * when a file cannot be read or tapped (each problem one line on stderr); the report still prints.
 */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('what a model folder is (family, layers, widths, patch grid, dtype variants, ONNX I/O), which graph taps each ONNX file offers, the tapped copies in the cache, and why a file cannot be tapped')
    .argument('<model-dir>', 'a Hugging Face model folder: config.json, preprocessor_config.json, onnx/*.onnx')
    .option('--layer <k>', 'check one tap only: hidden_states index (0 = embeddings, negative from the end)')
    .option('--tap <name>', "check one tap only: 'prenorm' or 'last'")
    .option('--json', 'print the report as one JSON document')
    .action(async (dir: string, options: InspectOptions) => {
      const tap = parseTap(options);
      const report = await inspectModelFolder(dir, tap ? { tap } : {});
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatModelFolderReport(report));
      for (const problem of report.problems) process.stderr.write(`mmvp: inspect: ${problem}\n`);
      for (const warning of report.warnings) process.stderr.write(`mmvp: inspect: warning: ${warning}\n`);
      if (report.problems.length > 0) process.exitCode = 1;
    });
}
