/**
 * "May I?" for a button: the shared policy rules on the intent the button would queue, over the
 * server state this client holds plus its pending intents (the outbox's optimistic view) — the
 * same code the server runs. A button is enabled unless the ruling is a rejection, whose reason
 * the button then shows.
 */
import { preview, type Outbox } from '@caucus/client';
import { newId, parseIntent, type IntentType, type UserId } from '@caucus/schema';

export type Permission = { allowed: true; checkpoint: boolean } | { allowed: false; reason: string };

export function mayI(
  outbox: Outbox,
  me: UserId,
  type: IntentType,
  args: Record<string, unknown>,
): Permission {
  const parsed = parseIntent({ id: newId(), type, args });
  if (!parsed.ok) return { allowed: false, reason: parsed.message };
  const ruling = preview(me, outbox.current.optimistic, [parsed.intent], Date.now()).predictions.get(
    parsed.intent.id,
  );
  if (ruling?.status === 'rejected') return { allowed: false, reason: ruling.reason };
  return { allowed: true, checkpoint: ruling?.status === 'awaiting-approval' };
}
