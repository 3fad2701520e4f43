import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, InvalidConfigError } from '@mmvp/core';
import { createPixelProcessors, decodeForModels, type DecodeResult } from './decode-core';
import type { PixelProcessor, PixelProcessorSpec } from './pixel-processor';

interface Slot {
  readonly worker: Worker;
  inFlight: number;
}

/**
 * Decodes and preprocesses images in worker threads. `decodeInOrder` keeps at most `lookahead` images
 * in flight and hands them back in input order, so memory stays flat however large the collection is
 * and the embed step overlaps with decoding. With zero workers everything runs on the main thread.
 */
export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, { resolve: (r: DecodeResult) => void; reject: (e: Error) => void; slot: Slot }>();
  private nextId = 0;
  private failure: Error | undefined;
  private local: Promise<PixelProcessor[]> | undefined;

  constructor(processors: readonly PixelProcessorSpec[], workers = defaultDecodeWorkers()) {
    if (!Number.isInteger(workers) || workers < 0) throw new InvalidArgumentError(`decode workers must be a whole number >= 0, got ${workers}`);
    if (workers === 0) {
      this.local = createPixelProcessors(processors);
      return;
    }
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = new URL(fromSource ? './decode-worker.ts' : './decode-worker.js', import.meta.url);
    for (let i = 0; i < workers; i++) {
      const worker = fromSource ? sourceWorker(entry, processors) : new Worker(entry, { workerData: { processors } });
      const slot: Slot = { worker, inFlight: 0 };
      worker.on('message', (message: { kind: 'result'; id: number; result: DecodeResult } | { kind: 'fatal'; message: string }) => {
        if (message.kind === 'fatal') return this.fail(new InvalidConfigError(`decode worker could not set up the image processors: ${message.message}`));
        const entry = this.waiting.get(message.id);
        if (entry === undefined) return;
        this.waiting.delete(message.id);
        entry.slot.inFlight--;
        entry.resolve(message.result);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && this.slots.length > 0) this.fail(new Error(`decode worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** Decodes one image (never rejects for a bad image; only for a broken worker). */
  decode(path: string): Promise<DecodeResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.local !== undefined) return this.local.then((list) => decodeForModels(path, list));
    let slot = this.slots[0]!;
    for (const candidate of this.slots) if (candidate.inFlight < slot.inFlight) slot = candidate;
    const id = this.nextId++;
    slot.inFlight++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, path });
    });
  }

  /** Decodes `paths` with at most `lookahead` in flight, yielding results in input order. */
  async *decodeInOrder(paths: readonly string[], lookahead = 4 * Math.max(1, this.slots.length)): AsyncGenerator<DecodeResult> {
    const pending: Promise<DecodeResult>[] = [];
    let next = 0;
    while (next < paths.length && pending.length < lookahead) pending.push(this.decode(paths[next++]!));
    try {
      while (pending.length > 0) {
        const result = await pending.shift()!;
        if (next < paths.length) pending.push(this.decode(paths[next++]!));
        yield result;
      }
    } finally {
      for (const p of pending) p.catch(() => undefined);
    }
  }

  /** Terminates the decode workers. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const [id, entry] of this.waiting) {
      this.waiting.delete(id);
      entry.reject(this.failure);
    }
  }
}

/**
 * Decode workers when none are asked for: one per spare core up to 4, and none on machines with two
 * cores or fewer, where the benchmark measured the main thread faster (workers compete with the
 * encoder for the same cores).
 */
export function defaultDecodeWorkers(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 0 : Math.min(4, cores - 1);
}

/**
 * Running from TypeScript sources (the package's own tests), a worker cannot load .ts by itself:
 * register tsx's loader inside the worker first. Built packages load decode-worker.js directly.
 */
function sourceWorker(entry: URL, processors: readonly PixelProcessorSpec[]): Worker {
  // tsx's ESM API (the .mjs build; `--import tsx` in a worker's execArgv is ignored by Node 20).
  const tsxApi = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}));`;
  return new Worker(code, { eval: true, workerData: { processors } });
}
