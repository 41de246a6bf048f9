import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tables, type UserId } from '@caucus/schema';
import { ApiError } from '../errors.js';
import { JobRunner } from '../jobs/job-runner.js';
import { Changes } from './changes.js';
import {
  DELIVERY_SLICE,
  NOTICE_QUEUE,
  currentNotices,
  deliverNotice,
  noticeHandler,
  noticeJobKey,
  postNotice,
  withdrawNotice,
  type Notice,
  type NoticeInput,
} from './notices.js';
import { makeKit, type Kit } from './test-kit.js';

const HOUR = 3_600_000;

let kit: Kit;
let runner: JobRunner;
beforeEach(() => {
  kit = makeKit();
  runner = new JobRunner({ store: kit.jobs, handlers: { [NOTICE_QUEUE]: noticeHandler(kit.governance) } });
});
afterEach(() => kit.close());

/** Moves the clock to `at` and runs what is due then; how many jobs ran. */
async function at(time: number): Promise<number> {
  kit.clock.now = time;
  return runner.runDue();
}

const post = (by: UserId, input: Partial<NoticeInput> = {}): Promise<Notice> =>
  kit.governance.apply((ctx) =>
    postNotice(ctx, by, { kind: 'warning', title: 'Maintenance', body: 'Down 10 min.', ...input }),
  );

const noticesIn = (u: UserId) =>
  kit.governance
    .inbox(u)
    .filter((n) => n.title === 'Maintenance')
    .map((n) => `${n.kind}: ${n.title} — ${n.body}`);

const stored = (id: string) =>
  kit.db.select().from(tables.notices).where(eq(tables.notices.id, id)).get() as Notice;

const jobState = (id: string) =>
  kit.db
    .select({ state: tables.jobs.state, queue: tables.jobs.queue, runAt: tables.jobs.runAt })
    .from(tables.jobs)
    .where(eq(tables.jobs.key, noticeJobKey(id)))
    .get();

describe('system notices', () => {
  it('a scheduled notice goes out at its time, not before, to every user', async () => {
    const t = await kit.team();
    const loner = kit.user('loner');
    const start = kit.clock.now;
    const notice = await post(t.owner, { startsAt: start + 2 * HOUR, endsAt: start + 3 * HOUR });
    expect(jobState(notice.id)).toEqual({ state: 'waiting', queue: NOTICE_QUEUE, runAt: start + 2 * HOUR });

    expect(await at(start + 2 * HOUR - 1)).toBe(0);
    expect(noticesIn(loner)).toEqual([]);
    expect(currentNotices(kit.db, loner, kit.clock.now)).toEqual([]);
    expect(stored(notice.id).deliveredAt).toBeNull();

    expect(await at(start + 2 * HOUR)).toBe(1);
    for (const u of [t.owner, t.approver, t.viewer, loner]) {
      expect(noticesIn(u)).toEqual(['warning: Maintenance — Down 10 min.']);
    }
    expect(stored(notice.id).deliveredAt).toBe(start + 2 * HOUR);
    expect(currentNotices(kit.db, loner, kit.clock.now).map((n) => n.id)).toEqual([notice.id]);
    // Current until endsAt, not at it.
    expect(currentNotices(kit.db, loner, start + 3 * HOUR - 1)).toHaveLength(1);
    expect(currentNotices(kit.db, loner, start + 3 * HOUR)).toEqual([]);
  });

  it("a workspace's notice reaches its members only, and only they see it as current", async () => {
    const t = await kit.team();
    const other = await kit.team();
    const notice = await post(t.owner, { kind: 'error', workspaceId: t.ws });
    expect(await at(kit.clock.now)).toBe(1);
    for (const u of [t.owner, t.approver, t.approver2, t.editor, t.viewer]) {
      expect(noticesIn(u)).toEqual(['error: Maintenance — Down 10 min.']);
      expect(currentNotices(kit.db, u, kit.clock.now).map((n) => n.id)).toEqual([notice.id]);
    }
    for (const u of [other.owner, other.viewer]) {
      expect(noticesIn(u)).toEqual([]);
      expect(currentNotices(kit.db, u, kit.clock.now)).toEqual([]);
    }
  });

  it('notifies once even when its job runs twice', async () => {
    const t = await kit.team();
    const notice = await post(t.owner, { kind: 'info' });
    expect(await at(kit.clock.now)).toBe(1);
    kit.clock.now += 1000;
    // The job run again (a crash after the commit, before it was marked done).
    const again = await kit.governance.apply((ctx) => deliverNotice(ctx, notice.id, new Changes()));
    expect(again).toEqual([]);
    expect(noticesIn(t.editor)).toEqual(['info: Maintenance — Down 10 min.']);
    expect(stored(notice.id).deliveredAt).toBe(kit.clock.now - 1000);
  });

  it('reaches every user of a large instance, in slices', async () => {
    const many = Array.from({ length: 2 * DELIVERY_SLICE + 7 }, (_, i) => kit.user(`u${i}`));
    await post(many[0] as UserId, { kind: 'info' });
    expect(await at(kit.clock.now)).toBe(1);
    const got = kit.db
      .select({ userId: tables.notifications.userId })
      .from(tables.notifications)
      .where(eq(tables.notifications.title, 'Maintenance'))
      .all()
      .map((n) => n.userId)
      .sort();
    expect(got).toEqual([...many].sort());
  });

  it('leaves out users who muted its kind', async () => {
    const t = await kit.team();
    const [muted] = await kit.submit(t.viewer, { type: 'prefs.set', args: { mutedKinds: ['warning'] } });
    expect(muted?.status).toBe('accepted');
    await post(t.owner);
    expect(await at(kit.clock.now)).toBe(1);
    expect(noticesIn(t.viewer)).toEqual([]);
    expect(noticesIn(t.editor)).toHaveLength(1);
  });

  it('a withdrawn notice never goes out and is no longer current', async () => {
    const t = await kit.team();
    const start = kit.clock.now;
    const later = await post(t.owner, { startsAt: start + HOUR });
    const now = await post(t.owner);
    expect(await at(start)).toBe(1);
    expect(currentNotices(kit.db, t.editor, start).map((n) => n.id)).toEqual([now.id]);

    kit.clock.now = start + 10;
    const withdrawn = await kit.governance.apply((ctx) => withdrawNotice(ctx, later.id));
    expect(withdrawn?.withdrawnAt).toBe(start + 10);
    expect(jobState(later.id)?.state).toBe('cancelled');
    await kit.governance.apply((ctx) => withdrawNotice(ctx, now.id));
    expect(currentNotices(kit.db, t.editor, start + 10)).toEqual([]);

    expect(await at(start + 2 * HOUR)).toBe(0);
    // Even a job that slipped through does nothing for a withdrawn notice.
    expect(await kit.governance.apply((ctx) => deliverNotice(ctx, later.id, new Changes()))).toEqual([]);
    expect(noticesIn(t.editor)).toHaveLength(1);
    expect(stored(later.id)).toMatchObject({ deliveredAt: null, withdrawnAt: start + 10 });
    expect(await kit.governance.apply((ctx) => withdrawNotice(ctx, 'nope'))).toBeNull();
  });

  it('does not go out once it ended (the server was down when it was due)', async () => {
    const t = await kit.team();
    const start = kit.clock.now;
    const notice = await post(t.owner, { startsAt: start + HOUR, endsAt: start + 2 * HOUR });
    expect(await at(start + 5 * HOUR)).toBe(1);
    expect(noticesIn(t.owner)).toEqual([]);
    expect(stored(notice.id).deliveredAt).toBeNull();
  });

  it('refuses a missing workspace and an end not after its start, storing nothing', async () => {
    const admin = kit.user('admin');
    const start = kit.clock.now;
    const refusal = (input: Partial<NoticeInput>) =>
      post(admin, input).then(
        () => 'posted',
        (err: unknown) => (err instanceof ApiError ? `${err.code}: ${err.message}` : String(err)),
      );
    expect(await refusal({ workspaceId: 'no-such-ws' as never })).toBe('not-found: workspace not found');
    expect(await refusal({ startsAt: start + HOUR, endsAt: start + HOUR })).toBe(
      'invalid-body: endsAt: must be after startsAt',
    );
    expect(await refusal({ startsAt: start - 2 * HOUR, endsAt: start - HOUR })).toBe(
      'invalid-body: endsAt: already passed',
    );
    expect(kit.db.select().from(tables.notices).all()).toEqual([]);
    expect(kit.db.select().from(tables.jobs).all()).toEqual([]);
  });
});
