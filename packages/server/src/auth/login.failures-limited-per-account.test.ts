import { expect, test } from 'vitest';
import type { ErrorBody } from '@parley/protocol';
import { api, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
// The per-address limits are far above the per-account one, so every refusal below is the
// account's: one address stands in for a guesser spread over many addresses.
serverPerFile((s) => (server = s), { limits: { authRatePerMin: 10_000, loginFailuresPerIp: 10_000, loginFailuresPerAccount: 3, lockoutBaseMs: 20_000 } });

type Err = { error: ErrorBody };
const guess = (username: string, password: string) => api<Err>(server, 'POST', '/auth/login', { username, password });

test('wrong passwords for one account lock it out: 429 rate_limited with retry_after_ms after the configured failures, whatever the password', async () => {
  const alice = await registerUser(server);
  const name = alice.user.username;
  for (let i = 0; i < 3; i++) expect((await guess(name, `wrong ${i}`)).status).toBe(401);
  const refused = await guess(name, 'wrong 3');
  expect(refused.status).toBe(429);
  expect(refused.body.error.code).toBe('rate_limited');
  expect(refused.body.error.retry_after_ms).toBeGreaterThan(0);
  expect(refused.body.error.retry_after_ms).toBeLessThanOrEqual(20_000);
  // Locked out means the password is not even checked: the right one is refused too (the
  // documented trade-off), so a guesser learns nothing from an answer while locked out.
  expect((await guess(name.toUpperCase(), 'correct horse battery')).status).toBe(429);

  // Another account is not affected.
  const bob = await registerUser(server);
  expect((await guess(bob.user.username, 'correct horse battery')).status).toBe(200);
});

test('a parallel burst of guesses gets no more password checks than the limit', async () => {
  const carol = await registerUser(server);
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => guess(carol.user.username, `parallel ${i}`)));
  expect(answers.filter((a) => a.status === 401)).toHaveLength(3);
  expect(answers.filter((a) => a.status === 429)).toHaveLength(9);
});

test('successful logins never count as failures, and unknown usernames are locked out too', async () => {
  const dave = await registerUser(server);
  for (let i = 0; i < 10; i++) expect((await guess(dave.user.username, 'correct horse battery')).status).toBe(200);
  expect((await guess(dave.user.username, 'typo')).status).toBe(401);
  expect((await guess(dave.user.username, 'correct horse battery')).status).toBe(200);

  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await guess('nobody-by-this-name', 'x')).status);
  expect(statuses).toEqual([401, 401, 401, 429]);
});
