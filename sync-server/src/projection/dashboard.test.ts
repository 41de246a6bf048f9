import { afterEach, describe, expect, it } from 'vitest';
import {
  newId,
  tables,
  type CheckpointId,
  type DecisionId,
  type DecisionStatus,
  type NotificationId,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { ApiError } from '../errors.js';
import { dashboard } from './dashboard.js';
import { ids, projectionKit, type ProjectionKit } from './test-kit.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2031, 6, 1);

let kit: ProjectionKit;

afterEach(async () => {
  await kit.close();
});

function decision(workspaceId: WorkspaceId, threadId: ThreadId, status: DecisionStatus, openedAt: number) {
  kit.db
    .insert(tables.decisions)
    .values({
      id: newId<DecisionId>(),
      workspaceId,
      threadId,
      title: 'D',
      status,
      options: [],
      requiredApprovals: 0,
      proposedBy: 'u' as UserId,
      version: 1,
      createdAt: openedAt,
      openedAt,
      updatedAt: openedAt,
      history: [],
    })
    .run();
}

describe('the dashboard', () => {
  it('counts a workspace, and nothing of the others', async () => {
    kit = await projectionKit();
    const { workspaceId: ws, userId } = ids();
    const other = ids().workspaceId;
    kit.addMember(ws, userId, 'viewer');
    const a = kit.addThread(ws, 'A');
    const b = kit.addThread(ws, 'B');
    const elsewhere = kit.addThread(other, 'C');
    kit.setStatus(b, 'archived');
    for (const [threadId, size] of [
      [a, 100],
      [a, 50],
      [elsewhere, 7],
    ] as const) {
      await kit.edit(threadId, (doc) => {
        const id = newId();
        doc.getMap('attachments').set(id, { id, name: 'f', size, type: 'text/plain', sha256: '00' });
      });
    }
    decision(ws, a, 'open', NOW - 1000);
    decision(ws, a, 'open', NOW - 3 * DAY);
    decision(ws, a, 'open', NOW - 10 * DAY);
    decision(ws, a, 'open', NOW - 40 * DAY);
    decision(ws, a, 'open', NOW - 50 * DAY);
    decision(ws, a, 'resolved', NOW - 50 * DAY);
    decision(other, elsewhere, 'open', NOW);
    kit.db
      .insert(tables.checkpoints)
      .values({
        id: newId<CheckpointId>(),
        workspaceId: ws,
        targetKind: 'thread',
        targetId: b,
        action: { id: newId(), type: 'thread.restore', args: { threadId: b } } as never,
        requestedBy: userId,
        requiredApprovals: 1,
        status: 'pending',
        version: 1,
        createdAt: NOW,
      })
      .run();
    for (const readAt of [null, null, NOW]) {
      kit.db
        .insert(tables.notifications)
        .values({
          id: newId<NotificationId>(),
          userId,
          kind: 'info',
          title: 't',
          body: 'b',
          link: '/',
          at: NOW,
          readAt,
        })
        .run();
    }
    await kit.readModel.flush();

    expect(dashboard(kit.db, userId, ws, NOW)).toEqual({
      workspaceId: ws,
      threads: { total: 2, active: 1, archived: 1 },
      decisions: {
        total: 6,
        byStatus: { open: 5, resolved: 1, deferred: 0 },
        aging: { day: 1, week: 1, month: 1, older: 2 },
      },
      checkpoints: { pending: 1 },
      notifications: { unread: 2 },
      files: { count: 2, bytes: 150 },
      at: NOW,
    });
    expect(() => dashboard(kit.db, newId<UserId>(), ws, NOW)).toThrow(ApiError);
  });
});
