import { afterAll, beforeAll, expect, test } from 'vitest';
import { registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let trusting: TestServer;
let direct: TestServer;
beforeAll(async () => {
  [trusting, direct] = await Promise.all([startServer({ trustProxy: true }), startServer({ trustProxy: false })]);
});
afterAll(async () => {
  await Promise.all([trusting.stop(), direct.stop()]);
});

async function locationOf(server: TestServer, user: TestUser, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'tus-resumable': '1.0.0', 'upload-length': '10', ...headers },
  });
  expect(res.status).toBe(201);
  return res.headers.get('location')!;
}

const behindNginx = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example.com' };
const ID = '[0-9A-Za-z]{26}';

test("with PARLEY_TRUST_PROXY, a new upload's Location has the proxy's public scheme and host", async () => {
  const alice = await registerUser(trusting);
  expect(await locationOf(trusting, alice, behindNginx)).toMatch(new RegExp(`^https://chat\\.example\\.com/api/v1/uploads/${ID}$`));
  // Through a chain of proxies, the nearest one's entry is the one it set.
  expect(await locationOf(trusting, alice, { 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'evil.example, chat.example.com' })).toMatch(
    new RegExp(`^https://chat\\.example\\.com/api/v1/uploads/${ID}$`),
  );
  // Without the headers, the address the client used.
  expect(await locationOf(trusting, alice, {})).toMatch(new RegExp(`^${trusting.url}/api/v1/uploads/${ID}$`));
  // A forwarded "host" that is not one is not echoed.
  expect(await locationOf(trusting, alice, { 'x-forwarded-host': 'evil.example/phish?' })).toMatch(new RegExp(`^${trusting.url}/api/v1/uploads/${ID}$`));
});

test('without PARLEY_TRUST_PROXY, forwarded headers never reach the Location', async () => {
  const alice = await registerUser(direct);
  const location = await locationOf(direct, alice, { ...behindNginx, forwarded: 'proto=https;host=chat.example.com' });
  expect(location).toMatch(new RegExp(`^${direct.url}/api/v1/uploads/${ID}$`));
  expect(await locationOf(direct, alice, { 'x-forwarded-proto': 'https, http' })).toMatch(new RegExp(`^${direct.url}/api/v1/uploads/${ID}$`));
  // And it is an address the client can resume at.
  const head = await fetch(location, { method: 'HEAD', headers: { authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0' } });
  expect(head.status).toBe(200);
  expect(head.headers.get('upload-offset')).toBe('0');
});
