/** Progress on stderr: a bar with rate and ETA on a terminal, a plain line every ~5% otherwise. */
export function createProgressBar(label: string, total: number, start = 0): { update(done: number): void; finish(): void } {
  const tty = process.stderr.isTTY === true;
  const began = Date.now();
  let lastPrinted = -1;
  const step = Math.max(1, Math.ceil(total / 20));
  const render = (done: number) => {
    const seconds = (Date.now() - began) / 1000;
    const rate = seconds > 0 ? (done - start) / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
    const etaText = Number.isFinite(eta) ? formatDuration(eta) : '?';
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return `  ${bar}${done}/${total} ${label}, ${rate.toFixed(2)}/s, ETA ${etaText}`;
  };
  return {
    update(done: number) {
      if (tty) process.stderr.write(`\r${render(done)}`);
      else if (done === total || done - lastPrinted >= step) {
        process.stderr.write(`${render(done)}\n`);
        lastPrinted = done;
      }
    },
    finish() {
      if (tty) process.stderr.write('\n');
    },
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
