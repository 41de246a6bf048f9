/**
 * Without SMTP (no email queue), a kind a user set to `email` only would be stored read and never
 * sent: it goes to the inbox instead, as an unread to-do.
 */
import { expect } from 'vitest';
import { test } from '../support/e2e.js';
import { api, createThread, signupMember } from '../support/server.js';

/** The fixture (its server has no SMTP) with an approver of the owner's workspace. */
const it = test.extend('approver', { scope: 'file' }, async ({ ts, owner }) => {
  const approver = await signupMember(ts.url, owner, 'approver', 'approver');
  return approver;
});

it('shows an email-only kind in the inbox, unread, when there is no SMTP', async ({
  ts,
  owner,
  approver,
  editor,
}) => {
  const set = await api<{ results: Array<{ status: string }> }>(ts.url, 'POST', '/api/intents', {
    token: approver.accessToken,
    body: {
      intents: [
        {
          id: crypto.randomUUID(),
          type: 'prefs.set',
          args: { mutedKinds: [], delivery: { checkpoint: 'email' } },
        },
      ],
    },
  });
  expect(set.body.results[0]?.status).toBe('accepted');
  const threadId = await createThread(ts.url, editor, owner.workspaceId, 'No mail');
  const res = await api<{ results: Array<{ status: string }> }>(ts.url, 'POST', '/api/intents', {
    token: editor.accessToken,
    body: { intents: [{ id: crypto.randomUUID(), type: 'thread.archive', args: { threadId } }] },
  });
  expect(res.body.results[0]?.status).toBe('awaiting-approval');
  const inbox = await api<{ notifications: Array<{ title: string; readAt: number | null }> }>(
    ts.url,
    'GET',
    '/api/inbox',
    { token: approver.accessToken },
  );
  const asks = inbox.body.notifications.filter((n) => n.title.startsWith('Approval needed'));
  expect(asks).toHaveLength(1);
  expect(asks[0]?.readAt ?? null).toBeNull();
});
