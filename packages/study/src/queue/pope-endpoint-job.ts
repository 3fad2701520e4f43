import { join } from 'node:path';
import { createEndpointAnswerer, type EndpointAnswer } from '@mmvp/endpoint';
import { endpointAnswerFields } from '../mmvp/endpoint-answers';
import { readApiKey } from '../mmvp/evaluate-mllm-endpoint';
import { popeAnswerRecord, popeQuestionText } from '../mmvp/evaluate-pope';
import { runIdentityHash } from '../mmvp/run-identity';
import type { PopeEndpointJobData } from './job-plan';

/**
 * Answers one pope-endpoint job: every question asked of the endpoint the job names (up to its
 * maxConcurrency at once; a question repeated in the job is sent once), with the API key read from
 * THIS worker's environment variable the job names. Returns the answer lines in the job's order,
 * built as the one-process endpoint run builds them. A request that fails for good fails the job
 * (BullMQ retries it; the coordinator commits nothing of it).
 */
export async function answerPopeEndpointJob(data: PopeEndpointJobData, dataRoot: string, signal: AbortSignal | undefined): Promise<string[]> {
  const apiKey = readApiKey(data.endpoint.apiKeyEnv);
  const client = await createEndpointAnswerer({ config: data.endpoint, ...(apiKey === undefined ? {} : { apiKey }) });
  const runIdentity = runIdentityHash(data.identity);
  const asked = new Map<string, Promise<EndpointAnswer>>();
  const lines: string[] = new Array(data.questions.length);
  let next = 0;
  const worker = async () => {
    while (next < data.questions.length) {
      signal?.throwIfAborted();
      const index = next++;
      const question = data.questions[index]!;
      const image = join(dataRoot, question.image);
      const text = popeQuestionText(question.text);
      const key = `${image}\n${text}`;
      let answer = asked.get(key);
      if (answer === undefined) asked.set(key, (answer = client.ask({ image, text }, signal === undefined ? {} : { signal })));
      const { reply } = await answer;
      const record = popeAnswerRecord({
        item: { split: question.split, questionId: question.questionId, label: question.label, image: question.imageName },
        answer: { text: reply.text, prompt: text },
        modelId: data.identity.modelId,
        runIdentity,
      });
      lines[index] = JSON.stringify({ ...record, ...endpointAnswerFields(reply) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(data.endpoint.maxConcurrency, Math.max(1, data.questions.length)) }, worker));
  return lines;
}
