import { afterEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import { registerUser, startServer, SocketClient } from '@parley/server/testing';
import { Parley } from '../node.js';
import type { ParleyError } from './errors.js';
import type { WebSocketCtor } from './parley.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
});

test('a client refused for the account’s socket cap reports too_many_connections, does not hammer the server, and connects once a socket frees up', async () => {
  const server = await startServer({ limits: { maxSocketsPerUser: 1 } });
  cleanup.push(() => server.stop());
  const alice = await registerUser(server);
  const first = await SocketClient.connect(server, alice.token);

  let authAttempts = 0;
  class CountingAuth extends WebSocket {
    override send(data: string): void {
      if (data.includes('"type":"auth"')) authAttempts++;
      super.send(data);
    }
  }
  const errors: string[] = [];
  // A short base backoff: without the hold-off it would retry several times within the wait below.
  const c = new Parley({ url: server.url, token: alice.token, reconnectBaseMs: 20, reconnectMaxMs: 1_500, WebSocket: CountingAuth as unknown as WebSocketCtor });
  cleanup.push(() => c.close());
  c.on('error', (e: ParleyError) => errors.push(e.code));
  const connected = c.connect();

  const deadline = Date.now() + 1_000;
  while (Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(errors).toContain('too_many_connections');
  expect(authAttempts).toBe(1);

  await first.close();
  const hello = await connected;
  expect(hello.user.id).toBe(alice.user.id);
  expect(authAttempts).toBe(2);
});
