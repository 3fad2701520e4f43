import { InvalidArgumentError, listChoices } from '@mmvp/core';
import { LABEL_SETS, type LabelSet } from '@mmvp/datasets';
import { EXPORT_TARGETS, exportMmvp, labelsApplied, type ExportTarget } from '@mmvp/study';
import type { Command } from 'commander';

interface ExportFlags {
  to: string;
  data: string;
  out: string;
  labels: string;
  name?: string;
  force?: boolean;
  json?: boolean;
}

/** `mmvp export`: an MMVP-format folder (the release or MMVP-Synth) as VLMEvalKit or lmms-eval read it. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description("write an MMVP-format folder (the real release or an MMVP-Synth set) in a form VLMEvalKit or lmms-eval reads unchanged, and print the harness's commands")
    .requiredOption(
      '--to <target>',
      `${listChoices(EXPORT_TARGETS)}: vlmevalkit = one TSV (index, base64 image, question, A, B, answer, category) + a --config JSON (CustomMCQDataset named MMVP, so VLMEvalKit scores pairs) + a private $LMUData holding it as MMVP.tsv; hf = a Hugging Face imagefolder (images/ + metadata.jsonl with an integer Index) + an lmms-eval task YAML for the stock mmvp task`,
    )
    .requiredOption('--data <dir>', "MMVP folder (Questions.csv + 'MMVP Images/'; patterns.csv gives the category column), or a folder holding MMVP/")
    .requiredOption('--out <path>', 'vlmevalkit: the .tsv file (its base name is the dataset name); hf: the dataset folder')
    .option('--labels <set>', `gold labels written: ${listChoices(LABEL_SETS)}`, 'original')
    .option('--name <name>', "dataset / task name (default: the TSV base name or the folder name); not MMVP / mmvp, the official set's names in VLMEvalKit and lmms-eval")
    .option('--force', 'replace an existing export')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: ExportFlags) => {
      if (!(EXPORT_TARGETS as readonly string[]).includes(flags.to)) throw new InvalidArgumentError(`--to '${flags.to}' is not valid; valid choices: ${listChoices(EXPORT_TARGETS)}`);
      if (!(LABEL_SETS as readonly string[]).includes(flags.labels)) throw new InvalidArgumentError(`--labels '${flags.labels}' is not valid; valid choices: ${listChoices(LABEL_SETS)}`);
      const result = await exportMmvp({
        data: flags.data,
        to: flags.to as ExportTarget,
        out: flags.out,
        labels: flags.labels as LabelSet,
        force: flags.force === true,
        ...(flags.name === undefined ? {} : { name: flags.name }),
      });
      for (const warning of result.warnings) process.stderr.write(`mmvp export: warning: ${warning}\n`);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      process.stdout.write(
        `wrote ${result.rows} rows (labels ${labelsApplied(result)}) as ${result.target} dataset '${result.name}': ${result.files.join(', ')}\nthen run:\n${result.usage.map((line) => `  ${line}`).join('\n')}\n`,
      );
    });
}
