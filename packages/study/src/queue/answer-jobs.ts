import { join, sep } from 'node:path';
import type { MmvpItem } from '@mmvp/datasets';
import type { Pipeline } from '@mmvp/pipeline';
import { mmvpAnswerRecord, type PromptStyle } from '../mmvp/mmvp-answer-record';
import { popeAnswerRecord, popeQuestionText } from '../mmvp/evaluate-pope';
import { runIdentityHash } from '../mmvp/run-identity';
import type { MllmJobData, PopeJobData } from './job-plan';

/**
 * Answers one job's questions on a warm pipeline and returns the answer lines (JSON, in the job's
 * order), built by the same record functions as the one-process run. `dataRoot` is where this worker
 * finds the job's images; the records name them relative to the coordinator's data folder, as the
 * one-process run does. The signal is checked before each question.
 */
export async function answerJob(data: MllmJobData | PopeJobData, pipeline: Pipeline, dataRoot: string, signal: AbortSignal | undefined): Promise<string[]> {
  const runIdentity = runIdentityHash(data.identity);
  const modelId = data.identity.modelId;
  const lines: string[] = [];
  if (data.kind === 'eval-mllm') {
    const promptStyle = data.promptStyle as PromptStyle;
    for (const question of data.questions) {
      signal?.throwIfAborted();
      const answer = await pipeline.ask({ image: join(dataRoot, question.image), question: question.question, options: question.options, prompt: promptStyle }, signal ? { signal } : {});
      // The record's image path is relative to the coordinator's data folder, whatever this worker's is.
      const record = mmvpAnswerRecord({
        question: { id: question.id, answer: question.answer as MmvpItem['answer'], imagePath: join(data.dataRoot, question.image) },
        answer,
        modelId,
        promptStyle,
        dataDir: data.dataRoot,
        runIdentity,
      });
      lines.push(JSON.stringify(record));
    }
    return lines;
  }
  for (const question of data.questions) {
    signal?.throwIfAborted();
    const answer = await pipeline.ask({ image: join(dataRoot, question.image), question: popeQuestionText(question.text), prompt: 'original' }, signal ? { signal } : {});
    lines.push(JSON.stringify(popeAnswerRecord({ item: { split: question.split, questionId: question.questionId, label: question.label, image: question.imageName }, answer, modelId, runIdentity })));
  }
  return lines;
}

/** The pipeline description with this worker's models root written as the coordinator's (so every worker describes it alike). */
export function describeAsCoordinator(lines: readonly string[], workerRoot: string, coordinatorRoot: string): string[] {
  if (workerRoot === coordinatorRoot) return [...lines];
  return lines.map((line) => line.split(workerRoot + sep).join(coordinatorRoot + sep));
}
