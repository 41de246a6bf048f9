import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { binaryFrame } from './ws-link.js';

// ws's own framing and parsing, which its type definitions do not declare.
const { Receiver, Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
  Receiver: new (options: { isServer: boolean }) => NodeJS.WritableStream & {
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  };
};

describe('binaryFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 300_000])('frames %i bytes exactly as ws does', (length) => {
    const payload = new Uint8Array(length).map((_, i) => i % 251);
    const expected = Buffer.concat(
      Sender.frame(Buffer.from(payload), { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false }),
    );
    const frame = binaryFrame(payload);
    expect(frame.equals(expected)).toBe(true);

    const receiver = new Receiver({ isServer: false });
    const received: Buffer[] = [];
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(true);
      received.push(data);
    });
    receiver.write(frame);
    expect(received).toHaveLength(1);
    expect(Buffer.compare(received[0] as Buffer, Buffer.from(payload))).toBe(0);
  });
});
