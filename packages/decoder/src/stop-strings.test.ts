import { describe, expect, it } from 'vitest';
import { StopStringTracker } from './stop-strings';

describe('StopStringTracker', () => {
  it('holds back a possible stop-string prefix and cuts at the stop string', () => {
    const tracker = new StopStringTracker(['###']);
    expect(tracker.update('The cat')).toEqual({ text: 'The cat', delta: 'The cat', stopped: false });
    expect(tracker.update('The cat #')).toEqual({ text: 'The cat #', delta: ' ', stopped: false });
    expect(tracker.update('The cat ##')).toEqual({ text: 'The cat ##', delta: '', stopped: false });
    expect(tracker.update('The cat ###x')).toEqual({ text: 'The cat ', delta: '', stopped: true });
  });

  it('waits for the rest of a multi-byte character, then flushes', () => {
    const tracker = new StopStringTracker([]);
    expect(tracker.update('caf\uFFFD').delta).toBe('caf');
    expect(tracker.update('café').delta).toBe('é');
    expect(tracker.flush()).toBe('');
  });
});
