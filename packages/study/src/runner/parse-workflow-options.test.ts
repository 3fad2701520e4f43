import { InvalidArgumentError } from '@mmvp/core';
import { describe, expect, it } from 'vitest';
import { z, ZodError } from 'zod';
import { parseWorkflowOptions } from './parse-workflow-options';

const schema = z
  .object({
    data: z.string().min(1),
    to: z.enum(['vlmevalkit', 'hf']),
    batchSize: z.number().int().positive().default(8),
    endpoint: z
      .object({ url: z.string().url(), model: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((options) => options.data !== options.endpoint?.model, { path: ['endpoint', 'model'], message: 'must differ from data' });

function refusal(options: unknown): InvalidArgumentError {
  try {
    parseWorkflowOptions('exportThing', schema, options);
  } catch (error) {
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    return error as InvalidArgumentError;
  }
  throw new Error('the options were accepted');
}

describe('parseWorkflowOptions', () => {
  it('returns the options with defaults applied', () => {
    expect(parseWorkflowOptions('exportThing', schema, { data: 'MMVP', to: 'hf' })).toEqual({ data: 'MMVP', to: 'hf', batchSize: 8 });
  });

  it('names the workflow and every failing key on one line, with the choices and the value given; the cause is the ZodError', () => {
    const error = refusal({ data: 'MMVP', to: 'csv', batchSize: 0 });
    expect(error.message).toBe("exportThing options are invalid: to: 'csv' is not valid; choose 'vlmevalkit', 'hf'; batchSize: Number must be greater than 0 (given 0)");
    expect(error.cause).toBeInstanceOf(ZodError);
    expect((error.cause as ZodError).issues.map((issue) => issue.path.join('.'))).toEqual(['to', 'batchSize']);
  });

  it('lists the valid keys where an unknown key is found, nested objects included', () => {
    expect(refusal({ data: 'MMVP', to: 'hf', colour: 'red' }).message).toBe("exportThing options are invalid: (top level): unknown key(s) 'colour' (valid keys: 'data', 'to', 'batchSize' or 'endpoint')");
    expect(refusal({ data: 'MMVP', to: 'hf', endpoint: { url: 'http://127.0.0.1:1/v1', model: 'm', key: 'secret' } }).message).toBe(
      "exportThing options are invalid: endpoint: unknown key(s) 'key' (valid keys: 'url' or 'model')",
    );
  });

  it('reports a refinement at its key', () => {
    expect(refusal({ data: 'm', to: 'hf', endpoint: { url: 'http://127.0.0.1:1/v1', model: 'm' } }).message).toBe('exportThing options are invalid: endpoint.model: must differ from data (given "m")');
  });
});
