import type { Command } from 'commander';
import { exportMmvp, exportMmvpOptionsSchema, labelsApplied, type ExportMmvpOptions } from '@mmvp/study';
import { declareFlags } from '../flags/declare-flags';
import { notAFlag, type FlagTable } from '../flags/flag-table';
import { optionsFromFlags } from '../flags/options-from-flags';
import { jsonFlag } from '../flags/shared-flags';

/** exportMmvp's options as flags. */
const exportFlags: FlagTable<ExportMmvpOptions> = {
  to: {
    flag: '--to <target>',
    description:
      'vlmevalkit = one TSV (index, base64 image, question, A, B, answer, category) + a --config JSON (CustomMCQDataset named MMVP, so VLMEvalKit scores pairs) + a private $LMUData holding it as MMVP.tsv; hf = a Hugging Face imagefolder (images/ + metadata.jsonl with an integer Index) + an lmms-eval task YAML for the stock mmvp task',
  },
  data: { flag: '--data <dir>', description: "MMVP folder (Questions.csv + 'MMVP Images/'; patterns.csv gives the category column), or a folder holding MMVP/" },
  out: { flag: '--out <path>', description: 'vlmevalkit: the .tsv file (its base name is the dataset name); hf: the dataset folder' },
  labels: { flag: '--labels <set>', description: 'gold labels written' },
  name: { flag: '--name <name>', description: "dataset / task name (default: the TSV base name or the folder name); not MMVP / mmvp, the official set's names in VLMEvalKit and lmms-eval" },
  force: { flag: '--force', description: 'replace an existing export' },
  abortSignal: notAFlag('the export runs to the end (Ctrl-C stops the process)'),
  onEvent: notAFlag('the command prints the warnings and files of the result'),
};
const cliFlags: FlagTable<{ json?: boolean }> = { json: jsonFlag('print the result as one JSON document on stdout') };

/** `mmvp export`: an MMVP-format folder (the release or MMVP-Synth) as VLMEvalKit or lmms-eval read it. */
export function registerExport(program: Command): void {
  const command = program.command('export').description("write an MMVP-format folder (the real release or an MMVP-Synth set) in a form VLMEvalKit or lmms-eval reads unchanged, and print the harness's commands");
  declareFlags(declareFlags(command, exportFlags, exportMmvpOptionsSchema), cliFlags).action(async (values: Record<string, unknown>) => {
    const result = await exportMmvp(optionsFromFlags(exportFlags, values) as ExportMmvpOptions);
    for (const warning of result.warnings) process.stderr.write(`mmvp export: warning: ${warning}\n`);
    if (values['json']) return void process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `wrote ${result.rows} rows (labels ${labelsApplied(result)}) as ${result.target} dataset '${result.name}': ${result.files.join(', ')}\nthen run:\n${result.usage.map((line) => `  ${line}`).join('\n')}\n`,
    );
  });
}
