import * as z from 'zod/mini';
import type { CheckpointId } from '../ids.js';
import { idOf, MAX_REASON_CHARS, optionalText } from './common.js';

/** An approver's approval; the checkpoint's action runs once enough distinct approvers approved. */
export const checkpointApproveArgs = z.object({ checkpointId: idOf<CheckpointId>() });

/** An approver's rejection (or the requester withdrawing); it closes the checkpoint. */
export const checkpointRejectArgs = z.object({
  checkpointId: idOf<CheckpointId>(),
  reason: z.optional(optionalText(MAX_REASON_CHARS)),
});
