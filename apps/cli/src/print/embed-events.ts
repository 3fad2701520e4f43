import type { EmbedEvent } from '@mmvp/study';

/** `mmvp embed`'s stderr line for an embedFeatures event (plain lines, no prefix). */
export function embedLine(event: EmbedEvent): string {
  if (event.type === 'resolved') return event.lines.join('\n');
  if (event.type === 'warning') return `warning: ${event.message}`;
  return `encoded ${event.done}/${event.total} images`;
}
