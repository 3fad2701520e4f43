import { InvalidArgumentError, NoSuchComponentError, listChoices } from '@mmvp/core';
import type { KernelBackend, KernelBackendFactory } from './kernel-backend';

interface Entry {
  readonly name: string;
  readonly factory: KernelBackendFactory;
  readonly priority: number;
  readonly summary: string;
  /** Started once; a failure is remembered so it is not retried on every call. */
  started?: Promise<KernelBackend>;
}

/**
 * A small registry of kernel backends with priority and fallback, modelled on onnxruntime-common's
 * backend registry: `register(name, factory, priority)` (a higher number is tried first; a duplicate
 * name throws) and `resolve(names?)`, which starts backends in order and returns the first that
 * starts; when none does, the error lists each backend's start-up failure.
 */
export class KernelBackendRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Adds a backend; `summary` says in a few words what it is and where it runs (shown by `describe()`). */
  register(name: string, factory: KernelBackendFactory, priority: number, summary = ''): void {
    if (this.entries.has(name)) throw new InvalidArgumentError(`a kernel backend is already registered under the name '${name}'`);
    if (!Number.isFinite(priority)) throw new InvalidArgumentError(`kernel backend '${name}': priority must be a finite number, got ${priority}`);
    this.entries.set(name, { name, factory, priority, summary });
  }

  /** Registered names, highest priority first. */
  names(): string[] {
    return this.ordered().map((entry) => entry.name);
  }

  /** The fallback order, highest priority first, each with what it is: `wasm (110): WebAssembly SIMD ...`. */
  describe(): string[] {
    return this.ordered().map((entry) => `${entry.name} (${entry.priority})${entry.summary ? `: ${entry.summary}` : ''}`);
  }

  private ordered(): Entry[] {
    return [...this.entries.values()].sort((x, y) => y.priority - x.priority);
  }

  /**
   * The first backend of `names` (in that order) or, without names, of all registered backends by
   * priority, that starts.
   */
  async resolve(names?: readonly string[]): Promise<KernelBackend> {
    const order = names === undefined || names.length === 0 ? this.names() : names;
    const failures: string[] = [];
    const causes: unknown[] = [];
    for (const name of order) {
      const entry = this.entries.get(name);
      if (entry === undefined) {
        throw new InvalidArgumentError(`unknown kernel backend '${name}'; valid choices: ${listChoices(this.names())}`);
      }
      entry.started ??= Promise.resolve().then(() => entry.factory());
      try {
        return await entry.started;
      } catch (cause) {
        failures.push(`${name}: ${(cause as Error).message}`);
        causes.push(cause);
        // this backend is unavailable here; try the next one
      }
    }
    throw new NoSuchComponentError(`no kernel backend could start (tried ${listChoices(order)}): ${failures.join('; ')}`, {
      cause: new AggregateError(causes, 'kernel backend start-up failures'),
    });
  }

  /** Disposes every backend that started. */
  async dispose(): Promise<void> {
    for (const entry of this.entries.values()) {
      const started = entry.started;
      entry.started = undefined;
      if (started) await started.then((backend) => backend.dispose()).catch(() => {});
    }
  }
}
