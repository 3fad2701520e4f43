// The events several study workflows share, declared once, generic over the workflow's name. Each workflow's
// folder builds its own slice of StudyEvent (src/study-events.ts) from these and its own payloads; the runners
// emit them without a name (RunnerEvent) and a workflow stamps its name on them (workflowEmitter).

/** `done` of `total` units of `stage` finished; `startedAt`: how many were done before this run (a resumed run). */
export interface ProgressEvent<Workflow extends string, Stage extends string = string> {
  readonly workflow: Workflow;
  readonly type: 'progress';
  readonly stage: Stage;
  readonly done: number;
  readonly total: number;
  readonly startedAt: number;
  /** Stage `jobs` of a queue run: jobs waiting in the queue. */
  readonly waiting?: number;
  /** Stage `jobs` of a queue run: jobs a worker holds. */
  readonly active?: number;
}

/** A problem that does not stop the run (skipped pairs, label mismatches, a refusing worker, Redis away for a while). */
export interface WarningEvent<Workflow extends string> {
  readonly workflow: Workflow;
  readonly type: 'warning';
  readonly message: string;
}

/** What the run resolved before it starts (inputs, models, settings): one line each. */
export interface ResolvedEvent<Workflow extends string> {
  readonly workflow: Workflow;
  readonly type: 'resolved';
  readonly lines: readonly string[];
}

/** The files the run wrote, once they are all written. */
export interface WrittenEvent<Workflow extends string> {
  readonly workflow: Workflow;
  readonly type: 'written';
  readonly files: readonly string[];
}

/** With `queue`: what the coordinator did, in one line (`queue run ID: N job(s): ...`). */
export interface QueueSummaryEvent<Workflow extends string> {
  readonly workflow: Workflow;
  readonly type: 'queue-summary';
  readonly line: string;
}

/** An event before a workflow stamps its name on it (each member of a union without its `workflow`). */
export type Unstamped<Event> = Event extends { readonly workflow: string } ? Omit<Event, 'workflow'> : never;

/** What the queue runner (the coordinator) reports: jobs committed of all planned (stage `jobs`, with the queue's counts) and warnings. */
export type QueueRunnerEvent = Unstamped<ProgressEvent<string, 'jobs'> | WarningEvent<string>>;

/**
 * What a runner reports while it executes a plan: units finished (stage `units`, the in-process runner, per
 * unit) or the queue runner's events. A workflow forwards them through its emitter, which stamps its name on them.
 */
export type RunnerEvent = Unstamped<ProgressEvent<string, 'units'>> | QueueRunnerEvent;

/**
 * The emitter of one workflow: stamps `workflow` on each event and hands it to the caller's `onEvent` (nothing
 * when there is none), so an emission site names only the event: `emit({ type: 'warning', message })`.
 */
export function workflowEmitter<Event extends { readonly workflow: string }>(workflow: Event['workflow'], onEvent: ((event: Event) => void) | undefined): (event: Unstamped<Event>) => void {
  return onEvent === undefined ? () => undefined : (event) => onEvent({ workflow, ...event } as unknown as Event);
}
