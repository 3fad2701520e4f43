import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerSweep(program: Command): void {
  program.command('sweep').description('A-MoF ratio ablation (not implemented yet)').allowUnknownOption().action(notImplemented('sweep', 'issue 8'));
}
