import type { WarningEvent, WrittenEvent } from '../runner/workflow-events';

/** What exportMmvp reports when it is done: its warnings (also in the result), then the files written. Its slice of StudyEvent. */
export type ExportEvent = WarningEvent<'export'> | WrittenEvent<'export'>;
