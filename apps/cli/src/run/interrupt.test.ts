import { afterEach, describe, expect, it, vi } from 'vitest';
import { withInterrupt } from './interrupt';

afterEach(() => vi.restoreAllMocks());

/** A workflow stand-in: resolves when its signal aborts, with the abort reason. */
function untilAborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('withInterrupt: the one Ctrl-C handler', () => {
  it('the first SIGINT aborts the workflow with a reason naming what is kept, and says so on stderr', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const listeners = process.listenerCount('SIGINT');
    const reason = withInterrupt('the answers so far are kept; run again with --resume to continue', untilAborted);
    process.emit('SIGINT');
    expect(String(await reason)).toContain('interrupted; the answers so far are kept; run again with --resume to continue');
    expect(stderr.mock.calls.join('')).toBe('mmvp: SIGINT: stopping; the answers so far are kept; run again with --resume to continue (Ctrl-C again quits at once)\n');
    expect(exit).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGINT')).toBe(listeners); // the handler is gone when the work ends
  });

  it('a second SIGINT while the workflow winds down exits at once with status 130', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    let release = () => {};
    const done = withInterrupt('kept', (signal) => untilAborted(signal).then(() => new Promise<void>((resolve) => (release = resolve))));
    process.emit('SIGINT');
    await Promise.resolve();
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    release();
    await done;
  });

  it('SIGTERM aborts the same way (a scheduler stopping the run keeps its results too)', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const reason = withInterrupt('the shards written so far are kept, rerun with --resume', untilAborted);
    process.emit('SIGTERM');
    expect(String(await reason)).toContain('interrupted; the shards written so far are kept');
  });
});
