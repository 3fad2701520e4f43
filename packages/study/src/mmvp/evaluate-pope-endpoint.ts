import { join } from 'node:path';
import { createEndpointAnswerer, type EndpointConfig } from '@mmvp/endpoint';
import { answerItemsThroughEndpoint } from './endpoint-answers';
import { ENDPOINT_CACHE_FILE, ENDPOINT_USAGE_FILE, describeEndpoint, endpointRunRecord, usageSummary } from './evaluate-mllm-endpoint';
import { writeFileAtomic } from '@mmvp/results';

/** A POPE question as the endpoint path needs it: its split, id, text, label and image. */
interface PopeEndpointItem {
  readonly split: string;
  readonly questionId: string;
  readonly text: string;
  readonly label: string;
  readonly image: string;
  readonly imagePath: string;
}

/**
 * Answers the POPE questions not yet in pope-answers.jsonl through an endpoint, through the run
 * folder's response cache (endpoint-cache.jsonl), in question order; writes endpoint-usage.json.
 * `record` builds the answer line (the one-process run's); the endpoint fields are added to it.
 */
export async function answerPopeThroughEndpoint<Item extends PopeEndpointItem>(options: {
  readonly endpoint: EndpointConfig;
  readonly apiKey: string | undefined;
  readonly items: readonly Item[];
  readonly keyOf: (item: Item) => string;
  readonly questionText: (item: Item) => string;
  readonly record: (item: Item, answer: { text: string; prompt: string }) => Record<string, unknown>;
  readonly done: ReadonlySet<string>;
  readonly knownFingerprints: ReadonlySet<string>;
  readonly out: string;
  readonly answersFile: string;
  readonly onDescribed: (lines: readonly string[]) => void;
  readonly onProgress?: (done: number, total: number, startedAt: number) => void;
  readonly signal?: AbortSignal;
}): Promise<{ asked: number; usage: ReturnType<typeof usageSummary> }> {
  const { endpoint } = options;
  const answerer = await createEndpointAnswerer({ config: endpoint, cachePath: join(options.out, ENDPOINT_CACHE_FILE), ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }) });
  options.onDescribed(describeEndpoint(endpoint, answerer));
  const answering = await answerItemsThroughEndpoint({
    items: options.items,
    keyOf: options.keyOf,
    costId: options.keyOf,
    request: (item) => ({ image: item.imagePath, text: options.questionText(item) }),
    record: (item, reply, text) => options.record(item, { text: reply.text, prompt: text }),
    answerer,
    concurrency: endpoint.maxConcurrency,
    answersFile: options.answersFile,
    out: options.out,
    done: options.done,
    knownFingerprints: options.knownFingerprints,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const usage = usageSummary(answering.costs, answerer.client.attempts, answering.cacheHits);
  await writeFileAtomic(
    join(options.out, ENDPOINT_USAGE_FILE),
    `${JSON.stringify({ endpoint: endpointRunRecord(endpoint), systemFingerprints: [...new Set([...options.knownFingerprints, ...answering.systemFingerprints])], totals: usage, answers: answering.costs }, null, 2)}\n`,
  );
  return { asked: answering.asked, usage };
}
