/**
 * Answers of the file metadata routes (`/api/files`; the fields clients rely on; more may come).
 */
import { z } from 'zod';
import { id, time } from '../http/responses.js';

export const fileSchema = z
  .looseObject({
    id,
    threadId: id,
    name: z.string(),
    size: z.number().int(),
    type: z.string(),
    sha256: z.string(),
    uploadedBy: id,
    createdAt: time,
    completedAt: time,
  })
  .meta({ id: 'File' });
export const fileListSchema = z.looseObject({
  files: z.array(fileSchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});
export const fileStatsSchema = z.looseObject({
  count: z.number().int(),
  bytes: z.number().int(),
  byType: z.record(z.string(), z.looseObject({ count: z.number().int(), bytes: z.number().int() })),
  quotaUsedBytes: z.number().int(),
  quotaBytes: z.number().int(),
});
