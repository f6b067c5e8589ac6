import { expect, test } from 'vitest';
import { loadConfig } from './config.js';

test('defaults: port 8080, ./data, 10-minute edit and recall windows, full fsync', () => {
  const c = loadConfig({});
  expect(c.port).toBe(8080);
  expect(c.dataDir.endsWith('/data')).toBe(true);
  expect(c.editWindowMs).toBe(600_000);
  expect(c.recallWindowMs).toBe(600_000);
  expect(c.sqliteSynchronous).toBe('full');
  expect(c.databaseUrl).toBeNull();
  expect(c.limits).toMatchObject({ requestTimeoutMs: 30_000, bodyTimeoutMs: 10_000 });
});

test('windows accept units and an explicit unlimited, never zero', () => {
  expect(loadConfig({ PARLEY_EDIT_WINDOW: '90s', PARLEY_RECALL_WINDOW: 'unlimited' })).toMatchObject({ editWindowMs: 90_000, recallWindowMs: null });
  expect(() => loadConfig({ PARLEY_EDIT_WINDOW: '0' })).toThrow(/PARLEY_EDIT_WINDOW.*greater than zero.*unlimited/);
});

test.each([
  [{ PORT: 'eighty' }, /PORT=eighty is invalid/],
  [{ PORT: '70000' }, /PORT=70000 is invalid: expected a whole number from 0 to 65535/],
  [{ PARLEY_REGISTRATION: 'sometimes' }, /PARLEY_REGISTRATION=sometimes is invalid: expected one of open, invite/],
  [{ PARLEY_JWT_SECRET: 'short' }, /PARLEY_JWT_SECRET must be at least 32 characters/],
  [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ URL/],
  [{ PARLEY_SEND_RATE_PER_SEC: '-1' }, /PARLEY_SEND_RATE_PER_SEC=-1 is invalid/],
  [{ PARLEY_RECALL_WINDOW: 'soon' }, /PARLEY_RECALL_WINDOW: "soon" is not a duration/],
  [{ PARLEY_REQUEST_TIMEOUT_MS: '0' }, /PARLEY_REQUEST_TIMEOUT_MS=0 is invalid: expected a whole number from 100 to 3600000/],
  [{ PARLEY_BODY_TIMEOUT_MS: '5s' }, /PARLEY_BODY_TIMEOUT_MS=5s is invalid/],
  [{ PARLEY_OIDC_ISSUER: 'https://id.example.com', PARLEY_OIDC_CLIENT_ID: 'parley' }, /PARLEY_OIDC_ISSUER needs PARLEY_OIDC_CLIENT_ID and PARLEY_PUBLIC_URL/],
  [{ PARLEY_PUBLIC_URL: 'https://chat.example.com/parley/' }, /PARLEY_PUBLIC_URL=.* is invalid: expected a scheme and host only/],
  [{ PARLEY_OIDC_ACCOUNTS: 'anyone' }, /PARLEY_OIDC_ACCOUNTS=anyone is invalid: expected one of create-or-link, create, link/],
  [{ PARLEY_PASSWORD_LOGIN: 'nobody' }, /PARLEY_PASSWORD_LOGIN=nobody is invalid/],
])('a bad value stops start-up with a message naming the variable: %j', (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});
