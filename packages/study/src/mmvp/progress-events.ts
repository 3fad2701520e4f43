/** What a workflow reports while it runs; the CLI prints these, a library user may ignore them. */
export type StudyProgressEvent =
  /** What the run resolved, before it starts (inputs, models, settings): one line each. */
  | { readonly kind: 'resolved'; readonly workflow: string; readonly lines: readonly string[] }
  /** `done` of `total` units of `stage` finished; `startedAt` = how many were done before this run. */
  | { readonly kind: 'progress'; readonly stage: 'answers' | 'judged' | 'jobs'; readonly done: number; readonly total: number; readonly startedAt: number }
  /** A problem that does not stop the run (skipped pairs, label mismatches, ...). */
  | { readonly kind: 'warning'; readonly message: string };

/** Receives a workflow's progress events (the CLI prints them; libraries may ignore them). */
export type ProgressListener = (event: StudyProgressEvent) => void;
