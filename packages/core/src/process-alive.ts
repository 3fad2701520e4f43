/**
 * True when a process with this pid exists on this machine (EPERM: it exists but belongs to another
 * user). How a lock or staging folder left by a killed run is told from one a live run holds.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
