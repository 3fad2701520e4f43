import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerDemo(program: Command): void {
  program.command('demo').description('the whole study in miniature on the shipped tiny models (not implemented yet)').allowUnknownOption().action(notImplemented('demo', 'issue 8'));
}
