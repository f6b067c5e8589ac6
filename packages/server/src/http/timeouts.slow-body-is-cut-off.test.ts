import net from 'node:net';
import { expect, test } from 'vitest';
import { api, registerUser, sleep, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

const REQUEST_TIMEOUT_MS = 1_500;
const BODY_TIMEOUT_MS = 500;
/** Longer than either timeout plus Node's checking interval; a connection still open then was never cut. */
const GIVE_UP_MS = 6_000;

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s), { limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, bodyTimeoutMs: BODY_TIMEOUT_MS } });

interface Outcome {
  /** The status line's code, or null when the server closed without answering. */
  status: number | null;
  /** ms from the first byte sent until the server closed the connection; null if it never did. */
  closedAfterMs: number | null;
}

/**
 * A raw TCP client, as an attacker would write it: sends `head`, then each of `drip` one
 * `everyMs` apart (stopping once the server answers or closes), and reports what happened.
 */
function rawRequest(head: string, drip: string[], everyMs: number): Promise<Outcome> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    const started = Date.now();
    let received = '';
    let closed = false;
    const finish = (closedAfterMs: number | null) => {
      clearTimeout(giveUp);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      sock.destroy();
      resolve({ status: m ? Number(m[1]) : null, closedAfterMs });
    };
    const giveUp = setTimeout(() => finish(null), GIVE_UP_MS);
    sock.on('data', (d) => (received += d.toString()));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      closed = true;
      finish(Date.now() - started);
    });
    sock.on('connect', async () => {
      sock.write(head);
      for (const piece of drip) {
        await sleep(everyMs);
        if (closed || received) return;
        sock.write(piece);
      }
    });
  });
}

const post = (contentLength: number, extra = '') => `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n${extra}\r\n`;
const timedOut = (o: Outcome) => o.status === 408 || (o.status === null && o.closedAfterMs !== null);

// Fastify's request timeout defaults to 0: a request whose body came slowly or never was held
// open forever, one connection and one parser each, for as many connections as one could open.
test('a body that stops arriving is answered 408 and the connection closed once the body timeout passes', async () => {
  const o = await rawRequest(`${post(100)}{"username":"a`, [], 0);
  expect(o.status, JSON.stringify(o)).toBe(408);
  expect(o.closedAfterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
  expect(o.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS);
});

test('a body dribbled a byte at a time, never pausing long enough for the body timeout, is cut off by the request timeout', async () => {
  const o = await rawRequest(
    post(1_000),
    Array.from({ length: 100 }, () => ' '),
    200,
  );
  expect(timedOut(o), JSON.stringify(o)).toBe(true);
  expect(o.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  expect(o.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
});

test('headers that never finish are cut off by the request timeout too', async () => {
  const o = await rawRequest(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ',
    Array.from({ length: 100 }, () => 'a'),
    200,
  );
  expect(timedOut(o), JSON.stringify(o)).toBe(true);
  expect(o.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
});

test('a body refused before it is read (larger than the limit) and then stalled is answered once, and the server carries on', async () => {
  const o = await rawRequest(`${post(2 * 1024 * 1024)}{"username":"a`, [], 0);
  expect(o.status).toBe(413);
  // Past the body timeout of the abandoned read: nothing fires into the void and takes the process down.
  await sleep(BODY_TIMEOUT_MS * 2);
  expect((await api(server, 'GET', '/limits')).status).toBe(200);
});

test('normal requests still work, and a WebSocket outlives both timeouts', async () => {
  const alice = await registerUser(server);
  const socket = await connect(alice);
  await sleep(REQUEST_TIMEOUT_MS + 1_000);
  await expect(socket.request('ping', {})).resolves.toHaveProperty('ts');
  expect(socket.closeInfo).toBeNull();
  const me = await api(server, 'GET', '/me', undefined, alice.token);
  expect(me.status).toBe(200);
  // A complete body sent in pieces with short pauses is read as usual.
  const body = JSON.stringify({ username: alice.user.username, password: 'correct horse battery' });
  const pieces = body.match(/.{1,8}/g)!;
  const o = await rawRequest(post(Buffer.byteLength(body), 'Connection: close\r\n'), pieces, 50);
  expect(o.status).toBe(200);
});
