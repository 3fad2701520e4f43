import type { Command } from 'commander';
import { notImplemented } from '../not-implemented';

export function registerReport(program: Command): void {
  program.command('report').description('self-contained HTML report (not implemented yet)').allowUnknownOption().action(notImplemented('report', 'issue 8'));
}
