import type { Command } from 'commander';
import { formatModelFolderReport, inspectModelFolder } from '@mmvp/onnx';
import { declareFlags } from '../flags/declare-flags';
import type { FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { jsonFlag } from '../flags/shared-flags';
import { tapFlags, tapOf, type TapFlags } from '../flags/tap-flags';

const inspectFlags: FlagTable<TapFlags & { json?: boolean }> = { ...tapFlags('check one tap only: '), json: jsonFlag('print the report as one JSON document') };

/**
 * `mmvp inspect MODEL_DIR`: what a model folder is and which taps it offers. Reads only. Exit status 1
 * when a file cannot be read or tapped (each problem one line on stderr); the report still prints.
 */
export function registerInspect(program: Command): void {
  const command = program
    .command('inspect')
    .description('what a model folder is (family, layers, widths, patch grid, dtype variants, ONNX I/O), which graph taps each ONNX file offers, the tapped copies in the cache, and why a file cannot be tapped')
    .argument('<model-dir>', 'a Hugging Face model folder: config.json, preprocessor_config.json, onnx/*.onnx');
  declareFlags(command, inspectFlags).action(async (dir: string, values: Record<string, unknown>) => {
    const flags = optionsFromFlags(inspectFlags, values);
    const tap = tapOf(flags);
    const report = await inspectModelFolder(dir, tap ? { tap } : {});
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatModelFolderReport(report));
    for (const problem of report.problems) process.stderr.write(`mmvp: inspect: ${problem}\n`);
    for (const warning of report.warnings) process.stderr.write(`mmvp: inspect: warning: ${warning}\n`);
    if (report.problems.length > 0) process.exitCode = 1;
  });
}
