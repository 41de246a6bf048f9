/** `GET /api/dashboard`: one workspace's figures at a glance (docs/API.md). */
import * as z from 'zod/mini';
import type { WorkspaceId } from '@caucus/schema';

const counts = z.record(z.string(), z.number());

export const dashboardShape = z.looseObject({
  workspaceId: z.string() as unknown as z.ZodMiniType<WorkspaceId, string>,
  threads: z.looseObject({ total: z.number(), active: z.number(), archived: z.number() }),
  decisions: z.looseObject({
    total: z.number(),
    byStatus: counts,
    /** Open decisions by how long they have been open: day, week, month, older. */
    aging: counts,
  }),
  checkpoints: z.looseObject({ pending: z.number() }),
  notifications: z.looseObject({ unread: z.number() }),
  files: z.looseObject({ count: z.number(), bytes: z.number() }),
  at: z.number(),
});
export type Dashboard = z.output<typeof dashboardShape>;
