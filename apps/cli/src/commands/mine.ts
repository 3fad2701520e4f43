import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerMine(program: Command): void {
  program.command('mine').description('CLIP-blind pair mining (not implemented yet)').allowUnknownOption().action(notImplemented('mine', 'issue 9'));
}
