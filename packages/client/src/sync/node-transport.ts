/**
 * The Node transport: `ws` with the token as `Authorization: Bearer`. An upgrade the server
 * refused (401, 403, 429) is reported as the matching close code, so the connection can renew
 * the token instead of guessing.
 */
import WebSocket from 'ws';
import { MUX_SUBPROTOCOL } from '@caucus/schema';
import { CLIENT_CLOSE_MALFORMED, type TransportFactory } from './transport.js';

const STATUS_TO_CLOSE: Record<number, number> = { 401: 4401, 403: 4403, 429: 4429 };

export function nodeTransport(): TransportFactory {
  return (url, token, events) => {
    let done = false;
    const finish = (code: number, reason: string) => {
      if (done) return;
      done = true;
      events.close(code, reason);
    };
    const socket = new WebSocket(url, [MUX_SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    socket.binaryType = 'nodebuffer';
    socket.on('open', () => !done && events.open());
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (done) return;
      if (!isBinary) {
        socket.close(CLIENT_CLOSE_MALFORMED, 'text-frame');
        return finish(CLIENT_CLOSE_MALFORMED, 'text frame from the server');
      }
      events.message(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    socket.on('unexpected-response', (req, res) => {
      const status = res.statusCode ?? 0;
      req.destroy();
      socket.terminate();
      finish(STATUS_TO_CLOSE[status] ?? 1006, `upgrade refused: HTTP ${status}`);
    });
    socket.on('close', (code: number, reason: Buffer) => finish(code, reason.toString()));
    socket.on('error', (err) => finish(1006, err.message));
    return {
      send: (frame) => {
        if (!done && socket.readyState === WebSocket.OPEN) socket.send(frame);
      },
      close: () => {
        done = true;
        socket.terminate();
      },
    };
  };
}
