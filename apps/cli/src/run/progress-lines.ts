/** What a workflow's event printer (print/*) writes through: the progress printer's lines, warnings and bars on stderr. */
export interface ProgressLines {
  /** `<prefix>: text` (the command's own lines: what it resolved, what it wrote); the text alone when the prefix is ''. */
  line(text: string): void;
  /** `mmvp: warning: message`. */
  warning(message: string): void;
  /** A bar per label (rate and ETA on a terminal, a line every ~5% otherwise); it ends itself at done = total. */
  bar(label: string, done: number, total: number, startedAt?: number): void;
  /** Ends any bar still open (call when the run ends, however it ends). */
  finish(): void;
}
