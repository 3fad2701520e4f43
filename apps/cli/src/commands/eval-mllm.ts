import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerEvalMllm(program: Command): void {
  program.command('eval-mllm').description('MMVP answers.jsonl then grading (not implemented yet)').allowUnknownOption().action(notImplemented('eval-mllm', 'issue 6'));
}
