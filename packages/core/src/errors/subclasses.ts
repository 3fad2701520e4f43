import { MmvpError } from './mmvp-error';

// One subclass per failure kind; `XError.isInstance(e)` matches by the stable error name.

/** A value, option or argument is not one of the valid choices or is out of range. */
export class InvalidArgumentError extends MmvpError {
  static override readonly errorName = 'InvalidArgumentError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'InvalidArgumentError', message, cause: options.cause });
  }
}

/** Two tensors (or a tensor and a model) disagree on shape. */
export class ShapeMismatchError extends MmvpError {
  static override readonly errorName = 'ShapeMismatchError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'ShapeMismatchError', message, cause: options.cause });
  }
}

/** A file is missing, unreadable, truncated or not of the expected format. */
export class FileFormatError extends MmvpError {
  static override readonly errorName = 'FileFormatError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'FileFormatError', message, cause: options.cause });
  }
}

/** A config file (JSON, CSV, JSONL) fails validation; the message names the file and the key. */
export class InvalidConfigError extends MmvpError {
  static override readonly errorName = 'InvalidConfigError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'InvalidConfigError', message, cause: options.cause });
  }
}

/** A model folder or ONNX file lacks what is needed (files, inputs, outputs, taps). */
export class ModelLoadError extends MmvpError {
  static override readonly errorName = 'ModelLoadError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'ModelLoadError', message, cause: options.cause });
  }
}

/** A component package named in a config cannot be loaded or does not implement the interface. */
export class NoSuchComponentError extends MmvpError {
  static override readonly errorName = 'NoSuchComponentError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'NoSuchComponentError', message, cause: options.cause });
  }
}

/** Numeric trouble: NaN or infinite values where finite numbers are required. */
export class NumericError extends MmvpError {
  static override readonly errorName = 'NumericError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'NumericError', message, cause: options.cause });
  }
}

/** A dataset file has a problem at a given row. */
export class DatasetError extends MmvpError {
  static override readonly errorName = 'DatasetError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ name: 'DatasetError', message, cause: options.cause });
  }
}
