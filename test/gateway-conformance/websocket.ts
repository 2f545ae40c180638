/**
 * The echo's `/ws` endpoint: the handshake checks of Go's `x/net/websocket` (GET, Upgrade,
 * Connection, key, version 13 or 8, an Origin that parses) and an echo of every message, sent
 * back as a text frame whatever its type, as the image does. Also the client side the
 * WebSocket check uses, so both halves of the framing are tested together.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import type net from 'node:net';

/** `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2). */
export function webSocketAccept(key: string): string {
  return crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** One frame: opcode, payload, and how many bytes of the buffer it took; undefined while incomplete. */
export function readFrame(buf: Buffer): { opcode: number; payload: Buffer; used: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0] & 0x0f;
  const masked = (buf[1] & 0x80) !== 0;
  let len = buf[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  const maskAt = at;
  if (masked) at += 4;
  if (buf.length < at + len) return undefined;
  const payload = Buffer.from(buf.subarray(at, at + len));
  if (masked) for (let i = 0; i < len; i++) payload[i] ^= buf[maskAt + (i % 4)];
  return { opcode, payload, used: at + len };
}

/** A final frame; clients mask (RFC 6455 §5.3), servers do not. */
export function writeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
  if (!mask) return Buffer.concat([head, payload]);
  head[1] |= 0x80;
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < len; i++) body[i] ^= key[i % 4];
  return Buffer.concat([head, key, body]);
}

function originParses(origin: string | undefined): boolean {
  if (!origin) return false;
  try {
    new URL(origin);
    return true;
  } catch {
    return false;
  }
}

/** Answers an `upgrade` event: refuses anything but a valid `/ws` handshake with 403/400. */
export function upgradeWebSocket(req: http.IncomingMessage, socket: net.Socket): void {
  const refuse = (status: string): void => void socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  const h = req.headers;
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/ws') return refuse('400 Bad Request');
  const key = h['sec-websocket-key'];
  const version = h['sec-websocket-version'];
  const connection = String(h.connection ?? '').toLowerCase();
  if (req.method !== 'GET' || String(h.upgrade ?? '').toLowerCase() !== 'websocket' || !connection.includes('upgrade') || !key) return refuse('400 Bad Request');
  if (version !== '13' && version !== '8') return refuse('400 Bad Request');
  if (!originParses(h.origin)) return refuse('403 Forbidden');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${webSocketAccept(key)}\r\n\r\n`);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (let frame = readFrame(pending); frame; frame = readFrame(pending)) {
      pending = pending.subarray(frame.used);
      if (frame.opcode === 0x8) return void socket.end(writeFrame(0x8, frame.payload, false));
      if (frame.opcode === 0x9) socket.write(writeFrame(0xa, frame.payload, false));
      else if (frame.opcode === 0x1 || frame.opcode === 0x2) socket.write(writeFrame(0x1, frame.payload, false));
    }
  });
  socket.on('error', () => socket.destroy());
}
