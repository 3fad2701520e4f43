import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server this process started on 127.0.0.1 (tests and benchmarks only). */
export interface LocalRedisServer {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Its working folder (AOF files live here). */
  readonly dir: string;
  /** SIGKILLs the server (no shutdown save), like a crashed host; `start()` brings it back on the same port and folder. */
  kill(): Promise<void>;
  /** Starts it again (after kill) on the same port and folder; with AOF on, it reloads what was written. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asks the kernel for one, then releases it). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts Debian's redis-server on 127.0.0.1 with a free random port, in a fresh temp folder, no RDB
 * snapshots, and (with `appendOnly`) an AOF fsynced on every write so a kill loses nothing. Only the
 * loopback address is ever bound. Resolves once the server accepts connections.
 */
export async function startLocalRedisServer(options: { readonly appendOnly?: boolean; readonly binary?: string } = {}): Promise<LocalRedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mmvp-redis-'));
  const port = await freeLoopbackPort();
  const binary = options.binary ?? process.env['MMVP_REDIS_SERVER'] ?? '/usr/bin/redis-server';
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--protected-mode', 'yes', '--loglevel', 'warning'];
  if (options.appendOnly === true) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      started.once('error', (error) => reject(new Error(`cannot start ${binary} (${error.message}); install Debian's redis-server or set MMVP_REDIS_SERVER`)));
      started.once('exit', (code) => reject(new Error(`${binary} exited with ${code} before accepting connections: ${stderr.trim()}`)));
      void waitForPort(port).then(resolve, reject);
    });
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until something accepts TCP connections on 127.0.0.1:port (10 s at most). */
async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not accept connections on 127.0.0.1:${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
