/**
 * Without SMTP (no email queue), a kind a user set to `email` only would be stored read and never
 * sent: it goes to the inbox instead, as an unread to-do.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  addMember,
  api,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';

let t: TestServer;
let owner: TestUser;
let approver: TestUser;
let editor: TestUser;

beforeEach(async () => {
  t = await startTestServer({});
  owner = await signup(t.url, 'nosmtp-owner');
  approver = await signup(t.url, 'nosmtp-approver');
  editor = await signup(t.url, 'nosmtp-editor');
  await addMember(t.url, owner, owner.workspaceId, approver, 'approver');
  await addMember(t.url, owner, owner.workspaceId, editor, 'editor');
});

afterEach(async () => {
  await t.stop();
});

it('shows an email-only kind in the inbox, unread, when there is no SMTP', async () => {
  const set = await api<{ results: Array<{ status: string }> }>(t.url, 'POST', '/api/intents', {
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
  const threadId = await createThread(t.url, editor, owner.workspaceId, 'No mail');
  const res = await api<{ results: Array<{ status: string }> }>(t.url, 'POST', '/api/intents', {
    token: editor.accessToken,
    body: { intents: [{ id: crypto.randomUUID(), type: 'thread.archive', args: { threadId } }] },
  });
  expect(res.body.results[0]?.status).toBe('awaiting-approval');
  const inbox = await api<{ notifications: Array<{ title: string; readAt: number | null }> }>(
    t.url,
    'GET',
    '/api/inbox',
    { token: approver.accessToken },
  );
  const asks = inbox.body.notifications.filter((n) => n.title.startsWith('Approval needed'));
  expect(asks).toHaveLength(1);
  expect(asks[0]?.readAt ?? null).toBeNull();
});
