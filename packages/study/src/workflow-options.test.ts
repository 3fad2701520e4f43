import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, MmvpError } from '@mmvp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { askThroughEndpoint, embedFeatures, evaluateMllm, evaluatePope, evaluateVlm, exportMmvp, gradeMllmAnswers, mineBlindPairs, runDemo, runSweep } from './index';
import { startWorker } from './queue-entry';

// The workflow contract's one validation path (issue 26): every study workflow checks its options first,
// through parseWorkflowOptions, and refuses a bad one with one InvalidArgumentError that names the
// workflow, the key and the valid choices, before anything is read or created on disk.

type Options = Record<string, unknown>;

interface WorkflowCase {
  readonly name: string;
  /** Calls the workflow; `folder` is an empty scratch folder, `out` a path in it that does not exist. */
  readonly call: (options: Options) => Promise<unknown>;
  /** Options that pass the schema (their paths need not exist: the schema is checked before any is read). */
  readonly valid: (folder: string, out: string) => Options;
  /** A value outside the key's choices: the options to merge, the failing key as the message names it, and the choices it must list. */
  readonly wrong: { readonly options: Options; readonly key: string; readonly choices: readonly string[] };
}

const call =
  <Input>(workflow: (options: Input) => Promise<unknown>) =>
  (options: Options) =>
    workflow(options as Input);

const cases: readonly WorkflowCase[] = [
  {
    name: 'runDemo',
    call: call(runDemo),
    valid: (folder, out) => ({ zoo: join(folder, 'zoo'), out }),
    wrong: { options: { models: ['llava-x'] }, key: 'models.0', choices: ['llava-clip', 'llava-amof-0.625', 'llava-imof-seed3'] },
  },
  {
    name: 'evaluateVlm',
    call: call(evaluateVlm),
    valid: (folder, out) => ({ model: join(folder, 'clip'), data: join(folder, 'MMVP_VLM'), out }),
    wrong: { options: { executionProvider: 'tpu' }, key: 'executionProvider', choices: ['cpu', 'webgpu', 'cuda'] },
  },
  {
    name: 'evaluateMllm',
    call: call(evaluateMllm),
    valid: (folder, out) => ({ pipeline: join(folder, 'pipeline.json'), data: join(folder, 'MMVP'), out }),
    wrong: { options: { grader: 'exact' }, key: 'grader', choices: ['rule', 'llm'] },
  },
  {
    name: 'evaluatePope',
    call: call(evaluatePope),
    valid: (folder, out) => ({ endpoint: { url: 'http://127.0.0.1:9/v1', model: 'm' }, data: join(folder, 'pope'), out }),
    wrong: { options: { endpoint: { url: 'http://127.0.0.1:9/v1', model: 'm', prompt: 'fancy' } }, key: 'endpoint.prompt', choices: ['original', 'lmms', 'cambrian'] },
  },
  {
    name: 'gradeMllmAnswers',
    call: call(gradeMllmAnswers),
    valid: (folder, out) => ({ questionsFile: join(folder, 'Questions.csv'), answersFile: join(folder, 'answers.jsonl'), out }),
    wrong: { options: { labels: 'fixed' }, key: 'labels', choices: ['original', 'corrected'] },
  },
  {
    name: 'runSweep',
    call: call(runSweep),
    valid: (folder, out) => ({ pipeline: join(folder, 'llava-amof-{r}.json'), ratios: '0,1', data: join(folder, 'MMVP'), out }),
    // the sweep has no option with a fixed set of values: a number outside its bounds stands in for one
    wrong: { options: { batchSize: 0 }, key: 'batchSize', choices: ['greater than 0'] },
  },
  {
    name: 'mineBlindPairs',
    call: call(mineBlindPairs),
    valid: (folder, out) => ({ clip: join(folder, 'clip'), dino: join(folder, 'dino'), images: join(folder, 'images'), out }),
    wrong: { options: { index: 'annoy' }, key: 'index', choices: ['exact', 'usearch'] },
  },
  {
    name: 'embedFeatures',
    call: call(embedFeatures),
    // embedFeatures writes no folder of its own: its tapped-graph cache is the path that must not appear
    valid: (folder, out) => ({ model: join(folder, 'clip'), images: [join(folder, 'a.png')], cacheDir: out }),
    wrong: { options: { tokens: 'mean' }, key: 'tokens', choices: ['patch', 'cls', 'all'] },
  },
  {
    name: 'exportMmvp',
    call: call(exportMmvp),
    valid: (folder, out) => ({ data: join(folder, 'MMVP'), to: 'hf', out }),
    wrong: { options: { to: 'csv' }, key: 'to', choices: ['vlmevalkit', 'hf'] },
  },
  {
    name: 'startWorker',
    call: call(startWorker),
    // a worker writes no folder; port 9 (discard) is never reached, since the options are refused first
    valid: (folder) => ({ url: 'redis://127.0.0.1:9', kinds: new Map(), modelsRoot: folder }),
    // the worker has no option with a fixed set of values: the queue name's rule stands in for one
    wrong: { options: { queueName: 'a:b' }, key: 'queueName', choices: ['letters, digits'] },
  },
  {
    name: 'askThroughEndpoint',
    call: call(askThroughEndpoint),
    valid: (folder) => ({ endpoint: { url: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'none' }, image: join(folder, 'a.png'), question: 'Is the door open?' }),
    wrong: { options: { prompt: 'fancy' }, key: 'prompt', choices: ['original', 'lmms', 'cambrian'] },
  },
];

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-workflow-options-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The workflow's refusal, checked to be the one class with the ZodError as its cause and one line naming the workflow. */
async function refusal(workflow: WorkflowCase, options: Options): Promise<string> {
  const error: unknown = await workflow.call(options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(MmvpError.isInstance(error), `${workflow.name} refused with ${String(error)}`).toBe(true);
  expect(InvalidArgumentError.isInstance(error)).toBe(true);
  const { message, cause } = error as InvalidArgumentError;
  expect(cause).toBeInstanceOf(ZodError);
  expect(message).toMatch(new RegExp(`^${workflow.name} options are invalid: `));
  expect(message).not.toContain('\n');
  return message;
}

describe('every study workflow validates its options through one path, with one error class', () => {
  it.each(cases)('$name: an unknown option key is refused, naming the key and the valid keys; nothing is created', async (workflow) => {
    const folder = await mkdtemp(join(scratch, `${workflow.name}-unknown-`));
    const out = join(folder, 'out');
    const message = await refusal(workflow, { ...workflow.valid(folder, out), colour: 'red' });
    expect(message).toContain("unknown key(s) 'colour'");
    // the valid keys are listed: every key of the valid options is among them
    for (const key of Object.keys(workflow.valid(folder, out))) expect(message).toContain(`'${key}'`);
    expect(await readdir(folder)).toEqual([]); // no out folder, no lock, no cache
  });

  it.each(cases)('$name: a value outside the choices is refused, naming the key and the choices; nothing is created', async (workflow) => {
    const folder = await mkdtemp(join(scratch, `${workflow.name}-wrong-`));
    const out = join(folder, 'out');
    const message = await refusal(workflow, { ...workflow.valid(folder, out), ...workflow.wrong.options });
    expect(message).toContain(`${workflow.wrong.key}: `);
    for (const choice of workflow.wrong.choices) expect(message).toContain(choice);
    expect(await readdir(folder)).toEqual([]);
  });

  it('the valid options of each case pass the schema: the refusal above is the bad key, not a missing one', async () => {
    // each workflow then fails later, on the paths that do not exist, with an error that is not a schema refusal
    // (a worker with valid options would start and wait for its Redis: it is left out here)
    for (const workflow of cases.filter((candidate) => candidate.name !== 'startWorker')) {
      const folder = await mkdtemp(join(scratch, `${workflow.name}-valid-`));
      const error: unknown = await workflow.call(workflow.valid(folder, join(folder, 'out'))).then(
        (value) => value,
        (caught: unknown) => caught,
      );
      expect(MmvpError.isInstance(error) || (error as NodeJS.ErrnoException)?.code === 'ENOENT', `${workflow.name}: ${String(error)}`).toBe(true);
      expect(String((error as Error).message), workflow.name).not.toMatch(/options are invalid/);
    }
  });
});
