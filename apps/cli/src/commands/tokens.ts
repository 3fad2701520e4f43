import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerTokens(program: Command): void {
  program.command('tokens').description('visual tokens after adapters and mixing (not implemented yet)').allowUnknownOption().action(notImplemented('tokens', 'issue 4'));
}
