import type { ProgressEvent, ResolvedEvent, WarningEvent } from '../runner/workflow-events';

/**
 * What embedFeatures reports, in order: what it resolved (runtime, model, output; one event per line as each is
 * known), warnings (text cut to the model's length, int8 weights on this CPU), images encoded (stage `images`).
 * Its slice of StudyEvent.
 */
export type EmbedEvent = ResolvedEvent<'embed'> | WarningEvent<'embed'> | ProgressEvent<'embed', 'images'>;
