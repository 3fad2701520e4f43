import { join, sep } from 'node:path';
import type { MmvpItem } from '@mmvp/datasets';
import { formatQuestion } from '@mmvp/decoder';
import { createEndpointAnswerer, endpointAnswerFields, readEndpointApiKey, type ChatReply, type EndpointAnswer } from '@mmvp/endpoint';
import type { Pipeline } from '@mmvp/pipeline';
import { mmvpAnswerRecord, type PromptStyle } from '../mmvp/mmvp-answer-record';
import { popeAnswerRecord, popeQuestionText } from '../mmvp/evaluate-pope';
import { runIdentityHash } from '../mmvp/run-identity';
import type { MllmEndpointJobData, MllmJobData, PopeEndpointJobData, PopeJobData } from './job-plan';

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

/**
 * Answers one endpoint job (pope-endpoint, eval-mllm-endpoint): every question asked of the endpoint
 * the job names (up to its maxConcurrency at once; a question repeated in the job is sent once), with
 * the API key read from THIS worker's environment variable the job names. Returns the answer lines in
 * the job's order, built as the one-process endpoint run builds them. A request that fails for good
 * fails the job (BullMQ retries it; the coordinator commits nothing of it).
 */
export async function answerEndpointJob(data: PopeEndpointJobData | MllmEndpointJobData, dataRoot: string, signal: AbortSignal | undefined): Promise<string[]> {
  const apiKey = readEndpointApiKey(data.endpoint.apiKeyEnv);
  const client = await createEndpointAnswerer({ config: data.endpoint, ...(apiKey === undefined ? {} : { apiKey }) });
  const runIdentity = runIdentityHash(data.identity);
  const modelId = data.identity.modelId;
  // one request per question: its image (this worker's path), its text, and the answer record of its reply
  const requests =
    data.kind === 'pope-endpoint'
      ? data.questions.map((question) => {
          const text = popeQuestionText(question.text);
          return {
            image: join(dataRoot, question.image),
            text,
            record: (reply: ChatReply) =>
              popeAnswerRecord({ item: { split: question.split, questionId: question.questionId, label: question.label, image: question.imageName }, answer: { text: reply.text, prompt: text }, modelId, runIdentity }),
          };
        })
      : data.questions.map((question) => {
          const promptStyle = data.promptStyle as PromptStyle;
          const text = formatQuestion(question.question, question.options, promptStyle);
          return {
            image: join(dataRoot, question.image),
            text,
            record: (reply: ChatReply) =>
              mmvpAnswerRecord({
                // the record's image path is relative to the coordinator's data folder, whatever this worker's is
                question: { id: question.id, answer: question.answer as MmvpItem['answer'], imagePath: join(data.dataRoot, question.image) },
                answer: { text: reply.text, prompt: text, ...(reply.finishReason === undefined ? {} : { finishReason: reply.finishReason }) },
                modelId,
                promptStyle,
                dataDir: data.dataRoot,
                runIdentity,
              }),
          };
        });
  const asked = new Map<string, Promise<EndpointAnswer>>();
  const lines: string[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      signal?.throwIfAborted();
      const index = next++;
      const request = requests[index]!;
      const key = `${request.image}\n${request.text}`;
      let answer = asked.get(key);
      if (answer === undefined) asked.set(key, (answer = client.ask({ image: request.image, text: request.text }, signal === undefined ? {} : { signal })));
      const { reply } = await answer;
      lines[index] = JSON.stringify({ ...request.record(reply), ...endpointAnswerFields(reply) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(data.endpoint.maxConcurrency, Math.max(1, requests.length)) }, worker));
  return lines;
}

/** The pipeline description with this worker's models root written as the coordinator's (so every worker describes it alike). */
export function describeAsCoordinator(lines: readonly string[], workerRoot: string, coordinatorRoot: string): string[] {
  if (workerRoot === coordinatorRoot) return [...lines];
  return lines.map((line) => line.split(workerRoot + sep).join(coordinatorRoot + sep));
}
