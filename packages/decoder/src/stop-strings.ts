/**
 * Tracks one answer's decoded text against stop strings. It cuts the text before the first stop
 * string and holds back streamed text that could still turn into one, so a streamed answer never
 * shows part of a stop string.
 */
export class StopStringTracker {
  private emitted = 0;
  private stopped = false;
  private last = '';

  constructor(private readonly stops: readonly string[]) {}

  /** `decoded` is the full answer text so far. Returns the text to keep, the new streamed piece, and whether a stop string was hit. */
  update(decoded: string): { text: string; delta: string; stopped: boolean } {
    let text = decoded;
    for (const stop of this.stops) {
      if (stop === '') continue;
      const at = text.indexOf(stop);
      if (at >= 0) {
        text = text.slice(0, at);
        this.stopped = true;
      }
    }
    let safe = text.length;
    if (!this.stopped) {
      // an incomplete multi-byte character decodes as U+FFFD: wait for the rest of its bytes
      while (safe > 0 && text[safe - 1] === '\uFFFD') safe--;
      for (const stop of this.stops) {
        for (let k = Math.min(stop.length - 1, text.length); k > 0; k--) {
          if (text.endsWith(stop.slice(0, k))) {
            safe = Math.min(safe, text.length - k);
            break;
          }
        }
      }
    }
    const delta = safe > this.emitted ? text.slice(this.emitted, safe) : '';
    this.emitted = Math.max(this.emitted, safe);
    this.last = text;
    return { text, delta, stopped: this.stopped };
  }

  /** Whatever was held back, at the end of the answer. */
  flush(): string {
    const rest = this.last.slice(this.emitted);
    this.emitted = this.last.length;
    return rest;
  }
}
