import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ErrorCode, User } from '@parley/protocol';
import { api, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let owner: TestUser;
let alice: TestUser;
beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server, 'owner');
  alice = await registerUser(server, 'alice');
});
afterAll(async () => {
  await server.stop();
});

function expectError(res: ApiResult, status: number, code: ErrorCode): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

async function getMe(headers: Record<string, string>): Promise<ApiResult> {
  const res = await fetch(`${server.url}/api/v1/me`, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

test('logging in with the wrong password is refused with 401 invalid_credentials', async () => {
  const res = await api(server, 'POST', '/auth/login', { username: 'alice', password: 'not my password' });
  expectError(res, 401, 'invalid_credentials');
});

test('logging in as a user who does not exist gives the same 401 invalid_credentials answer as a wrong password', async () => {
  const wrongPassword = await api<{ error: { message: string } }>(server, 'POST', '/auth/login', { username: 'alice', password: 'not my password' });
  const noSuchUser = await api<{ error: { message: string } }>(server, 'POST', '/auth/login', { username: 'nobody-here', password: 'not my password' });
  expectError(noSuchUser, 401, 'invalid_credentials');
  // Nothing tells an attacker which usernames exist.
  expect(noSuchUser.body).toEqual(wrongPassword.body);
});

test('logging in with the right password starts a new session with working tokens', async () => {
  const res = await api<{ user: User; access_token: string; refresh_token: string; session_id: string }>(server, 'POST', '/auth/login', {
    username: 'ALICE',
    password: 'correct horse battery',
  });
  expect(res.status).toBe(200);
  expect(res.body.user.id).toBe(alice.user.id);
  expect(res.body.session_id).not.toBe(alice.sessionId);
  const me = await api<User>(server, 'GET', '/me', undefined, res.body.access_token);
  expect(me.body.id).toBe(alice.user.id);
});

test('GET /me with a valid access token returns the caller and never their password hash', async () => {
  const me = await api<Record<string, unknown>>(server, 'GET', '/me', undefined, alice.token);
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({ id: alice.user.id, username: 'alice', role: 'member' });
  expect(JSON.stringify(me.body)).not.toMatch(/argon2|password/i);
});

test('GET /me without a token is refused with 401 unauthenticated', async () => {
  expectError(await getMe({}), 401, 'unauthenticated');
  // A non-bearer scheme is the same as no token.
  expectError(await getMe({ authorization: `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}` }), 401, 'unauthenticated');
});

test('GET /me with a garbage token is refused with 401 invalid_token', async () => {
  expectError(await getMe({ authorization: 'Bearer not.a.jwt' }), 401, 'invalid_token');
  expectError(await getMe({ authorization: 'Bearer garbage' }), 401, 'invalid_token');
});

test('a token whose payload was altered to claim another user is refused with 401 invalid_token', async () => {
  const [header, payload, signature] = alice.token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string };
  claims.sub = owner.user.id;
  const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  expectError(await getMe({ authorization: `Bearer ${forged}` }), 401, 'invalid_token');
  // An unsigned ("alg": "none") token is refused too.
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  expectError(await getMe({ authorization: `Bearer ${none}` }), 401, 'invalid_token');
});

test('an expired token, one signed with another key and one with another algorithm are refused; the same claims signed right are accepted', async () => {
  const secret = new TextEncoder().encode(fs.readFileSync(path.join(server.dataDir, 'jwt.secret'), 'utf8').trim());
  const claims = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; sid: string };
  const token = (alg: string, key: Uint8Array, exp: number) =>
    new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer('parley')
      .setIssuedAt(exp - 900)
      .setExpirationTime(exp)
      .sign(key);
  const now = Math.floor(Date.now() / 1000);
  // The control: forged by someone holding the server's key, it would pass.
  expect((await getMe({ authorization: `Bearer ${await token('HS256', secret, now + 600)}` })).status).toBe(200);
  const expired = await getMe({ authorization: `Bearer ${await token('HS256', secret, now - 1)}` });
  expectError(expired, 401, 'invalid_token');
  expect((expired.body as { error: { message: string } }).error.message).toMatch(/expired/);
  expectError(await getMe({ authorization: `Bearer ${await token('HS256', crypto.randomBytes(48), now + 600)}` }), 401, 'invalid_token');
  expectError(await getMe({ authorization: `Bearer ${await token('HS512', secret, now + 600)}` }), 401, 'invalid_token');
});
