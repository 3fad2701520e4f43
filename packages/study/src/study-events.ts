import type { DemoEvent } from './demo/demo-options';
import type { EmbedEvent } from './embed/embed-events';
import type { ExportEvent } from './export/export-events';
import type { MineEvent } from './mining/mine-events';
import type { EvalMllmEvent, GradeEvent, PopeEvent } from './mmvp/mmvp-events';
import type { WorkerEvent } from './queue/start-worker';
import type { SweepEvent } from './sweep/sweep-options';
import type { EvalVlmEvent } from './vlm/evaluate-vlm-options';

// The study's one event union, assembled here at the top of the package (beside study-job-kinds.ts): each
// workflow's folder declares its slice from the shared variants of runner/workflow-events.ts and its own
// payloads, so no workflow folder imports another and the union sees them all.

/**
 * Every event a study workflow reports, discriminated by `workflow` (the workflow's name) and `type`: each
 * workflow's `onEvent` receives its slice (`Extract<StudyEvent, { workflow: 'sweep' }>` is {@link SweepEvent}).
 * Shared types (`progress`, `warning`, `resolved`, `written`, `queue-summary`) have one shape in every
 * workflow; the CLI prints them all through one printer.
 */
export type StudyEvent = DemoEvent | EvalVlmEvent | EvalMllmEvent | PopeEvent | GradeEvent | SweepEvent | MineEvent | EmbedEvent | ExportEvent | WorkerEvent;
