import net from 'node:net';
import pino from 'pino';
import { afterEach, expect, test } from 'vitest';
import { registerUser, sleep, startServer, type TestServer } from '../testing/harness.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

/** Every log line the server writes, parsed. */
function capturedLogger(): { logger: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
  return { logger, lines };
}

test('a client that closes its connection in the middle of a request body is not logged as a storage outage nor as a server failure', async () => {
  const { logger, lines } = capturedLogger();
  server = await startServer({}, undefined, { logger });
  const owner = await registerUser(server);
  const { port } = new URL(server.url);
  const sock = net.connect(Number(port), '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  // Headers promise a 1000-byte body; ten bytes come, then the client hangs up.
  sock.write(
    `POST /api/v1/conversations/nope/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${owner.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"body":"a`,
  );
  await sleep(100);
  sock.destroy();
  await sleep(300);
  // Node fails the body with "aborted" (ECONNRESET): noted at debug level, nothing louder.
  expect(lines.filter((l) => l.msg === 'the client closed the request before it was answered')).toHaveLength(1);
  expect(lines.filter((l) => l.msg === 'storage unavailable')).toEqual([]);
  expect(lines.filter((l) => l.level >= 40)).toEqual([]);
});
