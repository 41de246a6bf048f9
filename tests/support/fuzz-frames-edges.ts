/**
 * Frames at the edges of what is allowed: forged and broken awareness, text frames, frames and
 * updates over the limits, and valid messages (which must keep the connection open). After the
 * malformed ones in the mix (fuzz-frames.ts): the order is part of the seed.
 */
import { MESSAGE_TYPES, SYNC_STEPS } from '@caucus/schema';
import { awarenessFrame, awarenessPayload, syncFrame } from './fuzz-corpus.js';
import {
  FRAME_TOO_LARGE,
  INVALID_TEXT,
  MALFORMED,
  TOO_LARGE,
  type WeightedGenerator,
} from './fuzz-frame-kinds.js';
import { mutate, realAwareness } from './fuzz-frame-parts.js';

export const edgeGenerators: WeightedGenerator[] = [
  {
    weight: 6,
    make: (rng) => {
      const r = rng.int(4);
      let payload: Uint8Array;
      if (r === 0) payload = rng.bytes(rng.int(64));
      else if (r === 1) payload = mutate(rng, realAwareness(rng));
      else {
        const entries = [];
        const count = rng.range(0, rng.chance(0.5) ? 3 : 20);
        for (let i = 0; i < count; i++) {
          const clientId = rng.pick([rng.int(2 ** 32), rng.int(100), Number.MAX_SAFE_INTEGER]);
          const state = rng.pick([
            'null',
            rng.string(rng.int(30)),
            '{"user":' + rng.string(5),
            JSON.stringify({
              user: { name: rng.string(10), id: 'spoof', color: '#12345678' },
              x: rng.int(9),
            }),
            // Over the 8 KiB state cap, mostly within the frame limit.
            JSON.stringify({ big: 'x'.repeat(rng.range(8_200, 12_000)) }),
            '[1,2,3]',
            '"just a string"',
          ]);
          entries.push({ clientId, clock: rng.pick([0, rng.int(1000), 2 ** 32]), state });
        }
        payload = awarenessPayload(entries);
      }
      return { category: 'awareness', data: awarenessFrame(payload), expect: 'any' };
    },
  },
  {
    weight: 4,
    make: (rng) => ({ category: 'text-frame', data: rng.string(rng.int(200)), expect: [MALFORMED] }),
  },
  {
    weight: 2,
    // Arbitrary bytes in a text frame: invalid UTF-8 is refused by the WebSocket layer (1007).
    make: (rng) => ({
      category: 'binary-text-frame',
      data: rng.bytes(rng.int(64)),
      text: true,
      expect: [MALFORMED, INVALID_TEXT],
    }),
  },
  {
    weight: 1,
    make: (rng, o) => ({
      category: 'oversized-frame',
      data: rng.bytes(o.limits.maxFrameBytes + 1 + rng.int(2048)),
      expect: [FRAME_TOO_LARGE],
    }),
  },
  {
    weight: 1,
    make: (rng, o) => {
      // Within the frame limit, over the update limit: refused by size before anything else.
      const size = rng.range(o.limits.maxUpdateBytes + 1, o.limits.maxFrameBytes - 16);
      return {
        category: 'oversized-update',
        data: syncFrame(rng.pick([SYNC_STEPS.step2, SYNC_STEPS.update]), rng.bytes(size)),
        expect: [TOO_LARGE],
      };
    },
  },
  {
    weight: 6,
    // Well-formed messages an honest client sends; a viewer's real edits are refused, not closed.
    make: (rng, o) => {
      switch (rng.int(6)) {
        case 0:
          return {
            category: 'valid-step1',
            data: syncFrame(SYNC_STEPS.step1, o.corpus.stateVector),
            expect: 'open',
          };
        case 1:
          return {
            category: 'valid-query-awareness',
            data: Uint8Array.of(MESSAGE_TYPES.queryAwareness),
            expect: 'open',
          };
        case 2:
          return { category: 'valid-auth', data: Uint8Array.of(MESSAGE_TYPES.auth, 0, 0), expect: 'open' };
        case 3:
          return { category: 'valid-awareness', data: awarenessFrame(realAwareness(rng)), expect: 'open' };
        case 4:
          // The document state it already has: redundant, nothing to refuse.
          return {
            category: 'valid-redundant-update',
            data: syncFrame(SYNC_STEPS.step2, o.corpus.base),
            expect: 'open',
          };
        default: {
          const first = o.corpus.updates[0] ?? o.corpus.diff;
          return {
            category: 'valid-edit',
            data: syncFrame(
              rng.pick([SYNC_STEPS.step2, SYNC_STEPS.update]),
              rng.chance(0.5) ? first : o.corpus.diff,
            ),
            expect: o.readOnly ? 'denied' : 'open',
          };
        }
      }
    },
  },
];
