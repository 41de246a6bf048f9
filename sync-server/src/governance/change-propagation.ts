/**
 * What follows a governance change once it has committed: announcing it to the rest of the server
 * (new threads, membership changes, users whose document access changed, invitations to mail) and
 * publishing the governed documents it touched, with a way to wait until publishing is idle.
 */
import type { UserId } from '@caucus/schema';
import { Listeners } from '../listeners.js';
import type { Logger } from '../logger.js';
import type { ThreadService } from '../workspaces/thread-service.js';
import type { WorkspaceService } from '../workspaces/workspace-service.js';
import type { Changes } from './changes.js';
import type { InvitationSender } from './invitation-sender.js';
import type { Publisher } from './publisher.js';

/** Users whose access to documents changed without a membership change (a thread archived). */
export interface AccessChanged {
  userIds: UserId[];
}

export interface ChangePropagationOptions {
  workspaces: WorkspaceService;
  threads: ThreadService;
  /** Null when nothing is published (no hub: HTTP-only tests). */
  publisher: Publisher | null;
  invitationSender: InvitationSender | null;
  logger: Logger;
}

export class ChangePropagation {
  readonly #workspaces: WorkspaceService;
  readonly #threads: ThreadService;
  readonly #publisher: Publisher | null;
  readonly #invitationSender: InvitationSender | null;
  readonly #logger: Logger;
  readonly #accessChanged: Listeners<AccessChanged>;
  readonly #inflight = new Set<Promise<void>>();

  constructor(options: ChangePropagationOptions) {
    this.#workspaces = options.workspaces;
    this.#threads = options.threads;
    this.#publisher = options.publisher;
    this.#invitationSender = options.invitationSender;
    this.#logger = options.logger;
    this.#accessChanged = new Listeners((err) => this.#logger.error({ err }, 'access listener failed'));
  }

  /** Listens for users whose document access changed (connections re-authorize). */
  onAccessChanged(listener: (e: AccessChanged) => void): () => void {
    return this.#accessChanged.add(listener);
  }

  /** Tells the rest of the server what `changes` did; sending invitations runs in the background. */
  announce(changes: Changes): void {
    for (const e of changes.threadsCreated) this.#threads.announceCreated(e);
    for (const change of changes.memberships) this.#workspaces.announceMembershipChange(change);
    if (changes.accessChanged.size > 0) this.#accessChanged.emit({ userIds: [...changes.accessChanged] });
    for (const invitation of changes.invitations) {
      this.#invitationSender?.send(invitation).catch((err: unknown) => {
        this.#logger.error({ err, invitation: invitation.invitationId }, 'sending an invitation failed');
      });
    }
  }

  /** Publishes the documents `changes` touched; resolves once they are. */
  publish(changes: Changes): Promise<void> {
    if (!this.#publisher || changes.empty) return Promise.resolve();
    const job = this.#publisher.publish(changes).finally(() => this.#inflight.delete(job));
    this.#inflight.add(job);
    return job;
  }

  /** Publishes every governed document from SQLite. */
  async rebuild(): Promise<void> {
    await this.#publisher?.rebuildAll();
  }

  /** Resolves once every publish started so far has finished. */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }
}
