import { describe, expect, it } from 'vitest';
import { NumericError, tensor } from '@mmvp/core';
import { checkFiniteOutput } from './numeric-check';

describe('checkFiniteOutput', () => {
  it('passes finite data through and names the first NaN or infinity by flat index and coordinates', () => {
    const fine = tensor(new Float32Array([1, -2, 0, 3e38]), [2, 2]);
    expect(checkFiniteOutput(fine, 'm.onnx', 'y')).toBe(fine);
    const data = new Float32Array(2 * 3 * 4);
    data[17] = Number.NEGATIVE_INFINITY; // [1, 1, 1]
    data[20] = Number.NaN;
    const error = (() => {
      try {
        checkFiniteOutput(tensor(data, [2, 3, 4]), '/models/x/onnx/model.onnx', 'last_hidden_state');
      } catch (caught) {
        return caught;
      }
    })();
    expect(NumericError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "/models/x/onnx/model.onnx: output 'last_hidden_state' has -Infinity at index 17 [1, 1, 1] of shape [2, 3, 4] (2 of 24 values are not finite); the model's weights or the input are broken, nothing was written",
    );
  });
});
