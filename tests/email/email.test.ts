/**
 * Notifications by email through a real SMTP server (`smtp-server` on port 0): a checkpoint's
 * approval request arrives with a text and an HTML part and a signed one-click unsubscribe that
 * works without a login; muted kinds send nothing; an SMTP server that refuses for a while gets the
 * message retried until it arrives; the daily digest is emailed at the user's hour.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { tables, type UserId } from '@caucus/schema';
import {
  addMember,
  api,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';

interface Mail {
  to: string[];
  raw: string;
}

/** An SMTP server that keeps what it accepts and refuses the first `refuse` messages with 451. */
class Inbox {
  readonly mails: Mail[] = [];
  refused = 0;
  refuse = 0;
  readonly #waiters: Array<() => void> = [];
  readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        if (this.refused < this.refuse) {
          this.refused++;
          const err = Object.assign(new Error('try again later'), { responseCode: 451 });
          callback(err);
          return;
        }
        this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
        for (const w of this.#waiters.splice(0)) w();
      });
    },
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.server.address() as AddressInfo).port;
  }

  /** Resolves once `count` messages to `address` have arrived. */
  async forAddress(address: string, count = 1): Promise<Mail[]> {
    for (;;) {
      const got = this.mails.filter((m) => m.to.includes(address));
      if (got.length >= count) return got;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The value of a header, unfolded. */
function header(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

let smtp: Inbox;
let t: TestServer;
let owner: TestUser;
let approver: TestUser;
let editor: TestUser;

beforeEach(async () => {
  smtp = new Inbox();
  const port = await smtp.listen();
  t = await startTestServer({
    email: {
      smtpUrl: `smtp://127.0.0.1:${port}`,
      publicUrl: 'https://caucus.example.test/',
      from: 'Caucus <c@example.test>',
    },
    jobs: { pollMs: 20, backoffBaseMs: 50 },
  });
  owner = await signup(t.url, 'mail-owner');
  approver = await signup(t.url, 'mail-approver');
  editor = await signup(t.url, 'mail-editor');
  await addMember(t.url, owner, owner.workspaceId, approver, 'approver');
  await addMember(t.url, owner, owner.workspaceId, editor, 'editor');
});

afterEach(async () => {
  await t.stop();
  await smtp.close();
});

/** The editor asks to archive a new thread: a checkpoint in the owner's and the approver's inboxes. */
async function requestArchive(title: string): Promise<void> {
  const threadId = await createThread(t.url, editor, owner.workspaceId, title);
  const res = await api<{ results: Array<{ status: string }> }>(t.url, 'POST', '/api/intents', {
    token: editor.accessToken,
    body: { intents: [{ id: crypto.randomUUID(), type: 'thread.archive', args: { threadId } }] },
  });
  expect(res.body.results[0]?.status).toBe('awaiting-approval');
}

const emailJobsFor = (user: TestUser) =>
  t.server.db
    .select({ payload: tables.jobs.payload })
    .from(tables.jobs)
    .where(eq(tables.jobs.queue, 'email'))
    .all()
    .filter((j) => (j.payload as { userId: string }).userId === user.id).length;

describe('email', () => {
  it('arrives with text, HTML and a one-click unsubscribe that works without a login', async () => {
    await requestArchive('Old plans');
    const [mail] = await smtp.forAddress(approver.email);
    expect(header(mail!.raw, 'Subject')).toMatch(/Approval[ _]needed/);
    expect(mail!.raw).toMatch(/Content-Type: text\/plain/i);
    expect(mail!.raw).toMatch(/Content-Type: text\/html/i);
    expect(header(mail!.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const list = header(mail!.raw, 'List-Unsubscribe');
    const url = /^<(https:\/\/caucus\.example\.test\/api\/unsubscribe\?token=[^>]+)>$/.exec(list ?? '')?.[1];
    expect(url).toBeDefined();

    // The link under the public URL, posted to this server as a mail client would (RFC 8058).
    const local = url!.replace('https://caucus.example.test', t.url);
    const forged = await fetch(local.replace(/token=[^.]+/, 'token=someone-else'), { method: 'POST' });
    expect(forged.status).toBe(404);
    const page = await fetch(local);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    const res = await fetch(local, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true, kind: 'checkpoint' });

    await requestArchive('Older plans');
    // The owner still gets hers; the approver is not even queued for his.
    await smtp.forAddress(owner.email, 2);
    expect(emailJobsFor(approver)).toBe(1);
    expect(smtp.mails.filter((m) => m.to.includes(approver.email))).toHaveLength(1);
    const inbox = await api<{ notifications: Array<{ title: string }> }>(t.url, 'GET', '/api/inbox', {
      token: approver.accessToken,
    });
    // Still in the inbox: only the email was unsubscribed.
    expect(inbox.body.notifications.filter((n) => n.title.startsWith('Approval needed'))).toHaveLength(2);
  });

  it('sends nothing for a muted kind, or a kind set to in-app', async () => {
    const prefs = await api<{ results: Array<{ status: string }> }>(t.url, 'POST', '/api/intents', {
      token: approver.accessToken,
      body: {
        intents: [{ id: crypto.randomUUID(), type: 'prefs.set', args: { mutedKinds: ['checkpoint'] } }],
      },
    });
    expect(prefs.body.results[0]?.status).toBe('accepted');
    const inApp = await api<{ results: Array<{ status: string }> }>(t.url, 'POST', '/api/intents', {
      token: owner.accessToken,
      body: {
        intents: [
          {
            id: crypto.randomUUID(),
            type: 'prefs.set',
            args: { mutedKinds: [], delivery: { checkpoint: 'in-app' } },
          },
        ],
      },
    });
    expect(inApp.body.results[0]?.status).toBe('accepted');
    await requestArchive('Quiet');
    expect(emailJobsFor(approver)).toBe(0);
    expect(emailJobsFor(owner)).toBe(0);
    expect(smtp.mails).toEqual([]);
  });

  it('sends to exactly one recipient whatever the display name holds', async () => {
    t.server.db
      .update(tables.users)
      .set({ name: 'x <other@evil.test>, y' })
      .where(eq(tables.users.id, approver.id as UserId))
      .run();
    await requestArchive('Names');
    const [mail] = await smtp.forAddress(approver.email);
    await smtp.forAddress(owner.email);
    expect(mail!.to).toEqual([approver.email]);
    expect(smtp.mails.flatMap((m) => m.to)).not.toContain('other@evil.test');
  });

  it('unsubscribing a kind already set to none keeps it none', async () => {
    await requestArchive('Before');
    const [mail] = await smtp.forAddress(approver.email);
    const url = /^<([^>]+)>$/.exec(header(mail!.raw, 'List-Unsubscribe') ?? '')?.[1];
    const set = await api<{ results: Array<{ status: string }> }>(t.url, 'POST', '/api/intents', {
      token: approver.accessToken,
      body: {
        intents: [
          {
            id: crypto.randomUUID(),
            type: 'prefs.set',
            args: { mutedKinds: [], delivery: { checkpoint: 'none' } },
          },
        ],
      },
    });
    expect(set.body.results[0]?.status).toBe('accepted');
    const res = await fetch(url!.replace('https://caucus.example.test', t.url), { method: 'POST' });
    expect(res.status).toBe(200);
    const prefs = t.server.db
      .select()
      .from(tables.prefs)
      .where(eq(tables.prefs.userId, approver.id as UserId))
      .get();
    expect(prefs?.delivery.checkpoint).toBe('none');
  });

  it('sends the daily digest by email at the hour the user chose', async () => {
    await requestArchive('Digest plans');
    await smtp.forAddress(approver.email);
    // This hour is the approver's digest hour; the hourly job is made due now instead of at the
    // next full hour (its turn then serves the hour it was due in).
    const runAt = Date.now();
    const set = await api<{ results: Array<{ status: string }> }>(t.url, 'POST', '/api/intents', {
      token: approver.accessToken,
      body: {
        intents: [
          {
            id: crypto.randomUUID(),
            type: 'prefs.set',
            args: { mutedKinds: [], timeZone: 'UTC', digestHour: new Date(runAt).getUTCHours() },
          },
        ],
      },
    });
    expect(set.body.results[0]?.status).toBe('accepted');
    t.server.db.update(tables.jobs).set({ runAt }).where(eq(tables.jobs.key, 'digest:hourly')).run();
    const mails = await smtp.forAddress(approver.email, 2);
    const digest = mails.find((m) => header(m.raw, 'Subject') === 'Your daily digest');
    expect(digest).toBeDefined();
    // Quoted-printable: soft line breaks joined, so the sentence reads whole.
    const text = digest!.raw.replace(/=\r?\n/g, '');
    expect(text).toMatch(
      /Waiting for your approval: mail-editor wants to archive the thread =E2=80=9CDigest plans=E2=80=9D/,
    );
    expect(text).toMatch(/Content-Type: text\/html/i);
    expect(header(digest!.raw, 'List-Unsubscribe')).toMatch(
      /^<https:\/\/caucus\.example\.test\/api\/unsubscribe\?token=/,
    );
  });

  it('retries a message the SMTP server refuses for a while until it arrives', async () => {
    smtp.refuse = 3;
    await requestArchive('Persistent');
    const [mail] = await smtp.forAddress(approver.email);
    expect(header(mail!.raw, 'Subject')).toMatch(/Approval[ _]needed/);
    expect(smtp.refused).toBe(3);
    await smtp.forAddress(owner.email);
    const attempts = t.server.db
      .select({ attempts: tables.jobs.attempts, state: tables.jobs.state })
      .from(tables.jobs)
      .where(eq(tables.jobs.queue, 'email'))
      .all();
    expect(attempts.reduce((sum, j) => sum + j.attempts, 0)).toBe(2 + 3);
  });
});
