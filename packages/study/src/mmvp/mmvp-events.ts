import type { ProgressEvent, ResolvedEvent, Unstamped, WarningEvent } from '../runner/workflow-events';

/** What evaluateMllm reports (the grading it runs reports as `grade`, {@link GradeEvent}): its slice of StudyEvent. */
export type EvalMllmEvent = ResolvedEvent<'eval-mllm'> | ProgressEvent<'eval-mllm', 'answers' | 'jobs'> | WarningEvent<'eval-mllm'>;

/** What evaluatePope reports: its slice of StudyEvent. */
export type PopeEvent = ResolvedEvent<'pope'> | ProgressEvent<'pope', 'answers' | 'jobs'> | WarningEvent<'pope'>;

/** What gradeMllmAnswers reports (stage `judged`: replies of the LLM judge): its slice of StudyEvent. */
export type GradeEvent = ResolvedEvent<'grade'> | ProgressEvent<'grade', 'judged'> | WarningEvent<'grade'>;

/** What the answering step of eval-mllm and pope reports, before the workflow stamps its name on it. */
export type AnswerStepEvent = Unstamped<ProgressEvent<string, 'answers' | 'jobs'> | WarningEvent<string>>;
