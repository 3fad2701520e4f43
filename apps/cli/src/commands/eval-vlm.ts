import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerEvalVlm(program: Command): void {
  program.command('eval-vlm').description('MMVP-VLM table for a CLIP model (not implemented yet)').allowUnknownOption().action(notImplemented('eval-vlm', 'issue 6'));
}
