import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerEmbed(program: Command): void {
  program.command('embed').description('encoder features (.npy) (not implemented yet)').allowUnknownOption().action(notImplemented('embed', 'issue 3'));
}
