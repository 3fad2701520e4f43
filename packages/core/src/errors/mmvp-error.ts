const marker = 'mmvp.error';
const symbol = Symbol.for(marker);

/**
 * The one base class of every error mmvp throws. `MmvpError.isInstance(e)` works across duplicate
 * copies of the package (a marker symbol, not `instanceof`); `SubclassError.isInstance(e)` also
 * checks the stable error name. Subclasses set `static errorName`.
 */
export class MmvpError extends Error {
  static readonly errorName: string = 'MmvpError';
  readonly [symbol] = true; // used in isInstance

  constructor({ name, message, cause }: { name: string; message: string; cause?: unknown }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
  }

  /** True when `error` is this error class (or any MmvpError, on the base class), also across copies of the package. */
  static isInstance(error: unknown): error is MmvpError {
    const marked = error != null && typeof error === 'object' && (error as Record<symbol, unknown>)[symbol] === true;
    if (!marked) return false;
    // biome-ignore lint/complexity/noThisInStatic: subclasses inherit isInstance, and `this` is the subclass they call it on
    return this.errorName === 'MmvpError' || (error as Error).name === this.errorName;
  }
}

/** Formats a list of valid choices for an error message: `'a', 'b' or 'c'`. */
export function listChoices(choices: readonly (string | number)[]): string {
  const quoted = choices.map((choice) => (typeof choice === 'number' ? String(choice) : `'${choice}'`));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}
