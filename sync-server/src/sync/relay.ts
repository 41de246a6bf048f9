/**
 * Sends a room's committed updates of one batch to its members: each message is encoded once and
 * the same bytes go to every member. Several updates of one batch go out merged into one message;
 * a member that wrote some of them gets the others' merged (never its own back). A member too far
 * behind is closed by its socket's send budget (ws-link.ts), like on every other send path.
 */
import * as Y from 'yjs';
import { encodeSyncUpdate } from './codec.js';
import type { Room, RoomMember } from './room.js';

export interface RelayedWrite {
  /** The connection that sent the update; null for a server-side change. */
  origin: RoomMember | null;
  entry: { update: Uint8Array };
}

export function relay(room: Room, writes: readonly RelayedWrite[]): void {
  if (room.members.size === 0) return;
  if (writes.length === 1) {
    const { origin, entry } = writes[0] as RelayedWrite;
    const frame = encodeSyncUpdate(entry.update);
    for (const member of room.members) if (member !== origin) member.socket.send(frame);
    return;
  }
  const origins = new Set<RoomMember>();
  for (const { origin } of writes) if (origin) origins.add(origin);
  const merged = (list: readonly RelayedWrite[]) =>
    encodeSyncUpdate(
      list.length === 1
        ? (list[0] as RelayedWrite).entry.update
        : Y.mergeUpdates(list.map((w) => w.entry.update)),
    );
  const all = merged(writes);
  for (const member of room.members) if (!origins.has(member)) member.socket.send(all);
  for (const origin of origins) {
    if (!room.members.has(origin)) continue;
    const others = writes.filter((w) => w.origin !== origin);
    if (others.length > 0) origin.socket.send(merged(others));
  }
}
