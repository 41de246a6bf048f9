/**
 * Makes the PWA's icons (public/icon-192.png, icon-512.png, icon.svg): a white "C" ring on the
 * brand blue, drawn pixel by pixel into a PNG with node:zlib — no image tool needed. The output is
 * committed; run again after changing the drawing: `node --import tsx apps/web/scripts/icons.ts`.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x1f, 0x4e, 0x79] as const;
const WHITE = [0xff, 0xff, 0xff] as const;

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Inside the ring of the "C": between two radii, with the opening on the right. */
function ink(x: number, y: number, size: number): boolean {
  const dx = x + 0.5 - size / 2;
  const dy = y + 0.5 - size / 2;
  const r = Math.hypot(dx, dy) / size;
  const opening = dx > 0 && Math.abs(dy) < dx * 0.75;
  return r > 0.2 && r < 0.32 && !opening;
}

function png(size: number): Buffer {
  const rows = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    for (let x = 0; x < size; x++) rows.set(ink(x, y, size) ? WHITE : BLUE, row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="#1f4e79"/><path d="M74 33A26 26 0 1 0 74 67" fill="none" stroke="#fff" stroke-width="12"/></svg>\n`;

const out = new URL('../public/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), png(192));
writeFileSync(new URL('icon-512.png', out), png(512));
writeFileSync(new URL('icon.svg', out), svg);
