import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { until, waitFor } from './providers.js';

describe('wait helpers', () => {
  it('fail with what they waited for once their deadline passes', async () => {
    const doc = new Y.Doc();
    await expect(until(doc, () => doc.getText('body').length > 0, 'some text', 20)).rejects.toThrow(
      'gave up after 20 ms waiting for some text',
    );
    // The listener is gone: a late update does not throw or resolve anything.
    doc.getText('body').insert(0, 'late');
  });

  it('resolve when the event comes first, and unsubscribe', async () => {
    const doc = new Y.Doc();
    const waiting = until(doc, () => doc.getText('body').toJSON() === 'hi', 'hi', 5_000);
    doc.getText('body').insert(0, 'hi');
    await expect(waiting).resolves.toBeUndefined();
    let unsubscribed = 0;
    await waitFor<number>('a value', (done) => {
      done(1);
      return () => unsubscribed++;
    });
    expect(unsubscribed).toBe(1);
  });
});
