import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerSynth(program: Command): void {
  program.command('synth').description('a synthetic benchmark in MMVP and MMVP-VLM layout (not implemented yet)').allowUnknownOption().action(notImplemented('synth', 'issue 7'));
}
