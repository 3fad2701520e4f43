import { describe, expect, it } from 'vitest';
import { FileFormatError, InvalidArgumentError, MmvpError, listChoices } from './index';

describe('errors', () => {
  it('isInstance matches by marker and name, not by class identity', () => {
    const error = new InvalidArgumentError('bad');
    expect(MmvpError.isInstance(error)).toBe(true);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(FileFormatError.isInstance(error)).toBe(false);
    expect(MmvpError.isInstance(new Error('plain'))).toBe(false);
    // A structurally identical error from a second copy of the package still matches.
    const foreign = Object.assign(new Error('x'), { name: 'InvalidArgumentError', [Symbol.for('mmvp.error')]: true });
    expect(InvalidArgumentError.isInstance(foreign)).toBe(true);
  });

  it('lists choices readably', () => {
    expect(listChoices(['cpu', 'webgpu', 'cuda'])).toBe("'cpu', 'webgpu' or 'cuda'");
    expect(listChoices(['cpu'])).toBe("'cpu'");
  });
});
