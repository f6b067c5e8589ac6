import { afterAll, expect, test } from 'vitest';
import type { ErrorBody, ErrorFrame } from '@parley/protocol';
import type { ConfigOverrides } from '../config/config.js';
import { RequestError, SocketClient, api, createConversation, registerUser, startServer, type TestServer } from '../testing/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function server(limits: ConfigOverrides['limits']): Promise<TestServer> {
  const s = await startServer({ limits });
  cleanups.push(() => s.stop());
  return s;
}

async function connect(s: TestServer, token: string): Promise<SocketClient> {
  const c = await SocketClient.connect(s, token);
  cleanups.push(() => c.close());
  return c;
}

/** Fires every request at once; returns the refusals (error bodies) and how many succeeded. */
async function flood(n: number, make: () => Promise<unknown>): Promise<{ ok: number; refused: ErrorBody[] }> {
  const settled = await Promise.allSettled(Array.from({ length: n }, make));
  const refused = settled.flatMap((r) => (r.status === 'rejected' && r.reason instanceof RequestError ? [r.reason.error] : []));
  return { ok: settled.filter((r) => r.status === 'fulfilled').length, refused };
}

test('a socket flooding history gets rate_limited frames with retry_after_ms, stays open, and REST history shares the same per-user read budget', async () => {
  const s = await server({ readRatePerSec: 0.05, readBurst: 5 });
  const alice = await registerUser(s);
  const bob = await registerUser(s);
  const dm = await createConversation(s, alice.token, { kind: 'dm', user_id: bob.user.id });
  const a = await connect(s, alice.token);

  const { ok, refused } = await flood(20, () => a.request('history', { conv_id: dm.id }));
  expect(ok).toBe(5);
  expect(refused).toHaveLength(15);
  for (const e of refused) {
    expect(e.code).toBe('rate_limited');
    expect(e.retry_after_ms).toBeGreaterThan(0);
  }
  // The socket was not closed: requests outside the read budget still work.
  expect(a.closeInfo).toBeNull();
  expect((await a.request('ping', {})).ts).toBeTruthy();
  // Other reads over the socket draw on the same budget.
  expect(((await flood(3, () => a.request('conversation.list', {}))).refused[0] ?? { code: '' }).code).toBe('rate_limited');

  // Moving to REST buys nothing: the budget is the user's, not the socket's.
  const rest = await api<{ error: ErrorBody }>(s, 'GET', `/conversations/${dm.id}/messages`, undefined, alice.token);
  expect(rest.status).toBe(429);
  expect(rest.body.error.code).toBe('rate_limited');
  expect(rest.body.error.retry_after_ms).toBeGreaterThan(0);
  expect((await api(s, 'POST', '/sync', { cursors: {} }, alice.token)).status).toBe(429);

  // Another user has a budget of their own.
  expect((await api(s, 'GET', `/conversations/${dm.id}/messages`, undefined, bob.token)).status).toBe(200);
  const b = await connect(s, bob.token);
  expect((await b.request('history', { conv_id: dm.id })).messages).toEqual([]);
});

test('socket requests charge the per-IP budget REST requests charge: a socket flood from one address is refused per request and REST from it gets 429', async () => {
  const s = await server({ ipRatePerSec: 0.05, ipBurst: 12 });
  const alice = await registerUser(s); // one REST request
  const a = await connect(s, alice.token); // the auth frame is one more

  const { ok, refused } = await flood(30, () => a.request('ping', {}));
  expect(ok).toBe(10);
  expect(refused.every((e) => e.code === 'rate_limited' && (e.retry_after_ms ?? 0) > 0)).toBe(true);
  expect(refused).toHaveLength(20);
  expect(a.closeInfo).toBeNull();
  expect(a.frames.filter((f): f is ErrorFrame => f.type === 'error').every((f) => f.id !== null)).toBe(true);

  const rest = await api<{ error: ErrorBody }>(s, 'GET', '/me', undefined, alice.token);
  expect(rest.status).toBe(429);
  expect(rest.body.error.code).toBe('rate_limited');
});
