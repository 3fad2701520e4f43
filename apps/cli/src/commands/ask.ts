import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerAsk(program: Command): void {
  program.command('ask').description('one answer from a pipeline (not implemented yet)').allowUnknownOption().action(notImplemented('ask', 'issue 5'));
}
