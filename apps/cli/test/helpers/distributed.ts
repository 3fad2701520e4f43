import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cliPath } from './run-cli';

/** A CLI process started in the background (a worker, or a coordinator to be killed), with its stderr so far. */
export interface Background {
  readonly child: ChildProcess;
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the exit code and signal once it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stderr matches `pattern` (rejects when the process exits first, or after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `mmvp ARGS...` in the background. */
export function startCli(args: readonly string[]): Background {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stdout!.resume();
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      for (const listener of listeners) listener();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stderr: () => stderr,
    exited,
    waitFor(pattern, ms = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern} in:\n${stderr}`))), ms);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        const check = () => {
          const match = pattern.exec(stderr);
          if (match !== null) finish(() => resolve(match));
          else if (done) finish(() => reject(new Error(`process exited before ${pattern} appeared:\n${stderr}`)));
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGKILL') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/** Worker flags that make a dead worker's job come back within seconds (BullMQ lock and stalled check). */
const FAST_RECOVERY = ['--lock-duration', '1500', '--stalled-interval', '500'];

/** Starts `mmvp worker --queue URL` with fast recovery settings. */
export function startWorkerProcess(url: string, extra: readonly string[] = []): Background {
  return startCli(['worker', '--queue', url, ...FAST_RECOVERY, ...extra]);
}

/** The answer lines of a JSONL file (empty when missing). */
export async function answerLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((line) => line.length > 0);
}

/** scores.json without what legitimately differs between two runs: the time and the run folder's paths. */
export async function comparableScores(folder: string): Promise<unknown> {
  const text = await readFile(`${folder}/scores.json`, 'utf8');
  const json = JSON.parse(text.split(folder).join('<out>')) as { provenance: Record<string, unknown> };
  delete json.provenance['createdAt'];
  return json;
}

/** Polls `check` every 50 ms until it is true (rejects after `ms`). */
export async function until(check: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
