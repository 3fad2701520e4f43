import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerPreprocess(program: Command): void {
  program.command('preprocess').description('the exact pixel_values a model gets (not implemented yet)').allowUnknownOption().action(notImplemented('preprocess', 'issue 2'));
}
