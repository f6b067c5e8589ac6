import { expect, test } from 'vitest';
import { loadConfig, type ConfigOverrides } from './config.js';
import { SETTINGS } from './settings.js';
import type { Setting } from './setting.js';

const all = Object.entries(SETTINGS) as [string, Setting<unknown>][];

test.each<[ConfigOverrides, RegExp]>([
  [{ port: 70_000 }, /^port=70000 is invalid: expected a whole number from 0 to 65535$/],
  [{ limits: { maxFrameBytes: 5 } }, /^limits\.maxFrameBytes=5 is invalid: expected a whole number from 1024 to 16777216$/],
  [{ limits: { sendRatePerSec: Number.NaN } }, /^limits\.sendRatePerSec=NaN is invalid: expected a number from 0\.01 to 1000000$/],
  [{ registration: 'sometimes' as 'open' }, /^registration=sometimes is invalid: expected one of open, invite$/],
  [{ editWindowMs: 0 }, /^editWindowMs=0 is invalid: expected a whole number of milliseconds above 0, or null for unlimited$/],
  [{ jwtSecret: 'short' }, /^jwtSecret must be at least 32 characters$/],
  [{ databaseUrl: 'mysql://x' }, /^databaseUrl must be a postgres:\/\/ URL/],
  [{ host: '' }, /^host= is invalid: expected a non-empty string$/],
  [{ pgSchema: 'Tenant-1' }, /^pgSchema=Tenant-1 is invalid: expected a lower-case SQL identifier/],
  [{ trustProxy: 'yes' as unknown as boolean }, /^trustProxy=yes is invalid: expected true or false$/],
  [{ colour: 'blue' } as ConfigOverrides, /^unknown setting colour$/],
])('an override is checked like the variable it stands for: %j', (overrides, message) => {
  expect(() => loadConfig({}, overrides)).toThrow(message);
});

test('good overrides win over the environment, null included; undefined leaves the variable in charge', () => {
  const c = loadConfig(
    { PORT: '9000', PARLEY_EDIT_WINDOW: '5m', PARLEY_MAX_FRAME_BYTES: '2048', HOST: '127.0.0.1' },
    { port: 0, editWindowMs: null, limits: { maxFrameBytes: 4096 }, host: undefined, dataDir: 'relative/dir' },
  );
  expect(c).toMatchObject({ port: 0, editWindowMs: null, host: '127.0.0.1', limits: { maxFrameBytes: 4096, maxBodyBytes: 1024 * 1024 } });
  expect(c.dataDir.endsWith('/relative/dir') && c.dataDir.startsWith('/')).toBe(true);
});

test('PARLEY_TRUST_PROXY is a setting like the others: 1 or 0, anything else refused', () => {
  expect(loadConfig({}).trustProxy).toBe(false);
  expect(loadConfig({ PARLEY_TRUST_PROXY: '1' }).trustProxy).toBe(true);
  expect(loadConfig({ PARLEY_TRUST_PROXY: '0' }).trustProxy).toBe(false);
  expect(() => loadConfig({ PARLEY_TRUST_PROXY: 'true' })).toThrow(/^PARLEY_TRUST_PROXY=true is invalid: expected 1 or 0$/);
});

test('PARLEY_BLOB_GRACE is a duration that may be zero, never unlimited', () => {
  expect(loadConfig({}).blobGraceMs).toBe(3_600_000);
  expect(loadConfig({ PARLEY_BLOB_GRACE: '0' }).blobGraceMs).toBe(0);
  expect(loadConfig({ PARLEY_BLOB_GRACE: '90s' }).blobGraceMs).toBe(90_000);
  expect(loadConfig({ PARLEY_BURN_MIN: '5s', PARLEY_BURN_MAX: '1h' })).toMatchObject({ burnMinMs: 5_000, burnMaxMs: 3_600_000 });
  expect(() => loadConfig({ PARLEY_BURN_MIN: '2h', PARLEY_BURN_MAX: '1h' })).toThrow(/PARLEY_BURN_MIN must be at least 1s and at most PARLEY_BURN_MAX/);
  expect(() => loadConfig({ PARLEY_BURN_MIN: '0' })).toThrow(/PARLEY_BURN_MIN must be at least 1s/);
  expect(() => loadConfig({ PARLEY_BLOB_GRACE: 'unlimited' })).toThrow(/^PARLEY_BLOB_GRACE: "unlimited" must be a duration, not unlimited$/);
  expect(() => loadConfig({ PARLEY_BLOB_GRACE: 'soon' })).toThrow(/^PARLEY_BLOB_GRACE: "soon" is not a duration/);
  expect(() => loadConfig({}, { blobGraceMs: -1 })).toThrow(/^blobGraceMs=-1 is invalid: expected a whole number of milliseconds, 0 or more$/);
});

test('PARLEY_PG_SCHEMA is checked at start, not when PostgreSQL is first opened', () => {
  expect(loadConfig({ PARLEY_PG_SCHEMA: 'tenant_1' }).pgSchema).toBe('tenant_1');
  expect(() => loadConfig({ PARLEY_PG_SCHEMA: 'x; drop' })).toThrow(/^PARLEY_PG_SCHEMA=x; drop is invalid: expected a lower-case SQL identifier/);
});

test('an empty variable counts as unset; PARLEY_DATA_DIR stands in for DATA_DIR', () => {
  expect(loadConfig({ PORT: '', HOST: '', PARLEY_EDIT_WINDOW: '', PARLEY_JWT_SECRET: '' })).toMatchObject({ port: 8080, host: '0.0.0.0', editWindowMs: 600_000, jwtSecret: null });
  expect(loadConfig({ PARLEY_DATA_DIR: '/srv/parley' }).dataDir).toBe('/srv/parley');
  expect(loadConfig({ PARLEY_DATA_DIR: '/srv/parley', DATA_DIR: '/srv/other' }).dataDir).toBe('/srv/other');
});

test('the table is sound: one variable per setting, and every default passes its own check', () => {
  const names = all.flatMap(([, s]) => [s.env, ...(s.aliases ?? [])]);
  expect(new Set(names).size).toBe(names.length);
  for (const [key, s] of all) expect(s.check(s.fallback(), key), key).toEqual(s.fallback());
});
