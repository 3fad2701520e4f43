import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerGrade(program: Command): void {
  program.command('grade').description('score an answers.jsonl (not implemented yet)').allowUnknownOption().action(notImplemented('grade', 'issue 6'));
}
