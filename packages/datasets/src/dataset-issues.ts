import { DatasetError } from '@mmvp/core';

/** One problem found while loading a benchmark: the file, the CSV/JSONL line, and what is wrong. */
export interface DatasetIssue {
  readonly file: string;
  /** 1-based line of the file where the record starts; absent for problems of the whole file. */
  readonly line?: number;
  readonly message: string;
}

/** Options every loader takes. */
export interface LoadOptions {
  /**
   * `true`: any problem fails the load with one DatasetError listing every problem found.
   * `false` (default): each problem is reported through `onIssue` and only the broken records (and
   * the pairs they belong to) are skipped.
   */
  readonly strict?: boolean;
  /** Where problems go in non-strict mode; default: one `mmvp: warning:` line on stderr each. */
  readonly onIssue?: (issue: DatasetIssue) => void;
}

/** Renders an issue as `file:line: message`. */
export function formatIssue(issue: DatasetIssue): string {
  return `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`}: ${issue.message}`;
}

/** Collects issues while a loader runs, then either throws (strict) or reports them. */
export class IssueCollector {
  readonly issues: DatasetIssue[] = [];

  constructor(private readonly options: LoadOptions = {}) {}

  add(file: string, line: number | undefined, message: string): void {
    this.issues.push(line === undefined ? { file, message } : { file, line, message });
  }

  /** Call once at the end of a load: strict mode throws if anything was found. */
  finish(what: string): readonly DatasetIssue[] {
    if (this.issues.length === 0) return this.issues;
    if (this.options.strict) {
      const shown = this.issues.slice(0, 20).map(formatIssue);
      const more = this.issues.length > 20 ? `\n  ... and ${this.issues.length - 20} more` : '';
      throw new DatasetError(`${what}: ${this.issues.length} problem(s) (strict mode):\n  ${shown.join('\n  ')}${more}`);
    }
    const report = this.options.onIssue ?? ((issue: DatasetIssue) => process.stderr.write(`mmvp: warning: ${formatIssue(issue)}\n`));
    for (const issue of this.issues) report(issue);
    return this.issues;
  }
}
