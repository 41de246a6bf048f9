/**
 * Mention notifications: watching committed thread updates for messages that mention users, and
 * notifying the mentioned who can see the thread (once per message, by email by default).
 */
import type { ThreadId } from '@caucus/schema';
import type { Logger } from '../logger.js';
import type { Db } from '../storage/db.js';
import type { CommittedEvent } from '../sync/hooks.js';
import { threadAudience } from '../workspaces/thread-members.js';
import { Changes } from './changes.js';
import { quote, threadTitleOf, userName } from './describe.js';
import { mentionKey, touchedMessages } from './mentions.js';
import type { Notifier } from './notifier.js';

export interface MentionDeps {
  db: Db;
  notifier: Notifier;
  logger: Logger;
  /** Publishes the inbox documents the notifications changed. */
  publish: (changes: Changes) => Promise<void>;
}

/** Notifies the users the messages touched by `event` mention; failures are logged, not thrown. */
export function notifyMentions(deps: MentionDeps, threadId: ThreadId, event: CommittedEvent): void {
  const { db } = deps;
  try {
    const messages = touchedMessages(event.ydoc, event.entries);
    if (messages.length === 0) return;
    // A mention of someone who cannot see the thread notifies no one and adds no one.
    const members = new Set(threadAudience(db, threadId));
    if (members.size === 0) return;
    const changes = new Changes();
    db.transaction(() => {
      const title = threadTitleOf(db, threadId);
      for (const m of messages) {
        deps.notifier.deliver(
          m.mentioned.filter((id) => members.has(id)),
          {
            kind: 'info',
            title: `${userName(db, m.author)} mentioned you in ${quote(title)}`,
            body: m.text,
            link: `/threads/${threadId}`,
            dedupeKey: mentionKey(threadId, m.messageId),
            about: threadId,
            emailByDefault: true,
          },
          changes,
        );
      }
    });
    void deps.publish(changes);
  } catch (err) {
    deps.logger.error({ err, thread: threadId }, 'mention notifications failed');
  }
}
