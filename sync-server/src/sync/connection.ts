/**
 * One client's sync connection to one document: decodes its frames, enforces its limits and
 * permissions, and hands accepted updates to the hub. Transport-free (see socket.ts).
 */
import * as Y from 'yjs';
import { CLOSE_CODES, type Access, type Refusal } from '@caucus/schema';
import type { Limits } from '../config.js';
import {
  MalformedMessage,
  decodeAwarenessUpdate,
  decodeClientMessage,
  encodeAwarenessMessage,
  encodeAwarenessUpdate,
  encodeDurableAck,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
} from './codec.js';
import type { ConnectionInfo } from './connection-info.js';
import { takeToken, type TokenBucket } from './rate-limiter.js';
import { isEmptyUpdate, isRedundant } from './redundant.js';
import type { Room, RoomMember } from './room.js';
import type { SyncSocket } from './socket.js';

/** What a connection needs from the hub. */
export interface ConnectionHost {
  readonly limits: Limits;
  now(): number;
  /** Runs `fn` after `ms` (the hub's scheduler); the result cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Queues an accepted update of `room` for commit, then broadcast and ack. */
  enqueue(
    room: Room,
    origin: Connection,
    update: Uint8Array,
    seq: number,
    newClients: Array<[number, string]>,
  ): void;
  /** Runs `fn` once everything applied so far is committed. */
  afterCommit(fn: () => void): void;
  onRefused(conn: Connection, refusal: Refusal): void;
  /** An unexpected failure while serving `conn`; the connection is closed with 1011 after. */
  onError(conn: Connection, err: unknown): void;
  onClosed(conn: Connection, code: number | null, reason: string): void;
}

/** How many times a connection is asked to resend missing dependencies before its update is refused. */
const MAX_RESYNC_REQUESTS = 3;

export class Connection implements RoomMember, TokenBucket {
  room: Room | null = null;
  closed = false;
  /** The message rate limit's bucket (see rate-limiter.ts). */
  tokens: number;
  refilledAt: number;
  private access: Access;
  /** Frames that arrived before the document was loaded. */
  private preload: Uint8Array[] | null = null;
  private preloadBytes = 0;
  private resyncRequests = 0;
  private ackScheduled = false;
  /** A sync step 2 answer is being built or is still queued (see `answerStep1`). */
  private answering = false;
  /** The latest sync step 1 that arrived meanwhile. */
  private nextStep1: Uint8Array | null = null;
  private cancelExpiry: (() => void) | null = null;

  constructor(
    private readonly host: ConnectionHost,
    readonly socket: SyncSocket,
    readonly info: ConnectionInfo,
  ) {
    this.access = info.access;
    this.tokens = host.limits.messagesPerSecond * 2;
    this.refilledAt = host.now();
    if (info.expiresAt !== null) {
      const ms = info.expiresAt - host.now();
      if (ms <= 0) queueMicrotask(() => this.close(CLOSE_CODES.unauthorized, 'token-expired'));
      // Timers past 2^31 ms overflow; such tokens are checked again on the next connection.
      else if (ms < 2 ** 31) {
        this.cancelExpiry = host.after(ms, () => this.close(CLOSE_CODES.unauthorized, 'token-expired'));
      }
    }
  }

  get currentAccess(): Access {
    return this.access;
  }

  /** Called by the hub once the document is loaded: greets the client and replays early frames. */
  attach(room: Room): void {
    if (this.closed) return;
    this.room = room;
    this.socket.send(encodeSyncStep1(room.stateVector()));
    const states = room.awareness.all();
    if (states.length > 0) this.socket.send(encodeAwarenessMessage(encodeAwarenessUpdate(states)));
    const early = this.preload;
    this.preload = null;
    for (const frame of early ?? []) if (!this.closed) this.handle(frame);
  }

  /** A binary frame from the client. */
  receive(frame: Uint8Array): void {
    if (this.closed) return;
    if (frame.length > this.host.limits.maxFrameBytes)
      return this.close(CLOSE_CODES.frameTooLarge, 'frame-too-large');
    const rate = this.host.limits.messagesPerSecond;
    if (!takeToken(this, rate, rate * 2, this.host.now()))
      return this.close(CLOSE_CODES.rateLimited, 'rate-limited');
    if (this.room === null) {
      this.preloadBytes += frame.length;
      if (this.preloadBytes > this.host.limits.maxPreAuthBytes)
        return this.close(CLOSE_CODES.tooLarge, 'too-much-before-ready');
      (this.preload ??= []).push(frame);
      return;
    }
    this.handle(frame);
  }

  /** A text frame: not part of the protocol. */
  receiveText(): void {
    this.close(CLOSE_CODES.malformed, 'text-frame');
  }

  /**
   * Changes what this connection may do, at once (role change, revocation), and tells the client
   * through its socket; losing access closes it with 4403.
   */
  setAccess(access: Access): void {
    if (this.closed || access === this.access) return;
    this.access = access;
    if (access === 'none') return this.close(CLOSE_CODES.forbidden, 'access-revoked');
    this.socket.accessChanged(access);
  }

  private handle(frame: Uint8Array): void {
    const room = this.room as Room;
    try {
      const message = decodeClientMessage(frame);
      switch (message.type) {
        case 'sync-step1':
          return this.answerStep1(room, message.stateVector);
        case 'sync-update':
          return this.receiveUpdate(room, message.update);
        case 'awareness':
          return this.receiveAwareness(room, message.update);
        case 'query-awareness': {
          const states = room.awareness.all();
          if (states.length > 0) this.socket.send(encodeAwarenessMessage(encodeAwarenessUpdate(states)));
          return;
        }
        case 'auth':
          return;
      }
    } catch (err) {
      if (err instanceof MalformedMessage) return this.close(CLOSE_CODES.malformed, 'malformed-message');
      // Whatever else a frame provokes ends this connection, never the process.
      this.host.onError(this, err);
      this.close(CLOSE_CODES.internalError, 'internal-error');
    }
  }

  /**
   * Answers a sync step 1 with the missing state. At most one answer is built and queued at a
   * time: a step 1 arriving while the previous answer has not left the socket's buffer only
   * replaces the pending request, so a client that asks again and again without reading costs
   * one answer, not one per request (the latest request is answered once the previous is out).
   */
  private answerStep1(room: Room, stateVector: Uint8Array): void {
    try {
      Y.decodeStateVector(stateVector);
    } catch {
      throw new MalformedMessage('bad state vector');
    }
    if (this.answering) {
      this.nextStep1 = stateVector;
      return;
    }
    this.answering = true;
    // Only committed state is passed on: wait until what is applied in memory is in storage.
    this.host.afterCommit(() => {
      if (this.closed) return;
      try {
        this.socket.send(encodeSyncStep2(room.missingFor(stateVector)), () => this.answered(room));
      } catch (err) {
        this.host.onError(this, err);
        this.close(CLOSE_CODES.internalError, 'internal-error');
      }
    });
  }

  private answered(room: Room): void {
    this.answering = false;
    const next = this.nextStep1;
    this.nextStep1 = null;
    if (next && !this.closed) this.answerStep1(room, next);
  }

  private receiveUpdate(room: Room, update: Uint8Array): void {
    const { limits } = this.host;
    if (update.length > limits.maxUpdateBytes) {
      // Refused in words first, so the client can quarantine the change it cannot send.
      this.refuse({
        code: 'update-too-large',
        message: `an update is limited to ${limits.maxUpdateBytes} bytes`,
      });
      return this.close(CLOSE_CODES.tooLarge, 'update-too-large');
    }
    if (this.access !== 'write') {
      let redundant: boolean;
      try {
        redundant = isEmptyUpdate(update) || isRedundant(room.doc, update);
      } catch {
        throw new MalformedMessage('undecodable update');
      }
      if (!redundant)
        this.refuse({ code: 'read-only', message: 'this connection may only read the document' });
      return;
    }
    const result = room.applyClientUpdate(update, this.info.userId, limits);
    switch (result.kind) {
      case 'accepted':
        this.resyncRequests = 0;
        this.host.enqueue(room, this, update, result.seq, result.newClients);
        return;
      case 'noop':
        if (this.info.acks) this.scheduleAck();
        return;
      case 'missing-dependencies':
        if (++this.resyncRequests <= MAX_RESYNC_REQUESTS) {
          this.socket.send(encodeSyncStep1(room.stateVector()));
        } else {
          this.refuse({
            code: 'missing-dependencies',
            message: 'the update depends on changes the server does not have',
          });
        }
        return;
      case 'refused':
        this.refuse(result.refusal);
        if (result.refusal.code === 'malformed-update') this.close(CLOSE_CODES.malformed, 'malformed-update');
        else if (result.refusal.code === 'doc-too-large') this.close(CLOSE_CODES.tooLarge, 'doc-too-large');
        return;
    }
  }

  private refuse(refusal: Refusal): void {
    this.host.onRefused(this, refusal);
    this.socket.send(encodePermissionDenied(refusal));
  }

  private receiveAwareness(room: Room, update: Uint8Array): void {
    const entries = decodeAwarenessUpdate(update);
    const { relay, reply } = room.awareness.apply(
      entries,
      this,
      { userId: this.info.userId, name: this.info.name },
      this.host.limits.maxAwarenessBytes,
      (clientId) => (room.owners.get(clientId) ?? this.info.userId) === this.info.userId,
    );
    if (relay.length > 0) room.broadcast(encodeAwarenessMessage(encodeAwarenessUpdate(relay)));
    // A returning client announced a clock its peers already saw removed: tell it (awareness.ts).
    if (reply.length > 0) this.socket.send(encodeAwarenessMessage(encodeAwarenessUpdate(reply)));
  }

  /** Sends a durable ack once what this connection sent so far is committed (one per batch). */
  scheduleAck(): void {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    this.host.afterCommit(() => {
      this.ackScheduled = false;
      if (!this.closed && this.room) this.socket.send(encodeDurableAck(this.room.stateVector()));
    });
  }

  /** Closes the connection from the server side. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
    this.onSocketClosed(code, reason);
  }

  /** The transport reports the socket closed (or the server closed it). */
  onSocketClosed(code: number | null = null, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelExpiry?.();
    this.preload = null;
    this.host.onClosed(this, code, reason);
  }
}
