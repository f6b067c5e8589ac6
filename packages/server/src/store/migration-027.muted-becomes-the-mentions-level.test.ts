/**
 * Migration 027 replaces `members.muted` with a level: a muted member's level becomes
 * `mentions`, an unmuted one keeps the kind's default (null); going back down restores `muted`
 * from the level (`mentions` and `nothing` were muted).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, expect, test } from 'vitest';
import { openSqlite, type OpenedDb } from './db.js';
import * as m027 from './migrations/027_notification_levels.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-m027-'));
let opened: OpenedDb | null = null;
afterAll(async () => {
  await opened?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('muted members get `mentions`, the others the default; down restores muted', async () => {
  opened = await openSqlite(dir, 'normal');
  const db = opened.db as unknown as Kysely<unknown>;
  await sql`INSERT INTO users (id, username, password_hash, display_name, role, created_at) VALUES ('U1', 'u1', 'x', 'U1', 'member', 0), ('U2', 'u2', 'x', 'U2', 'member', 0), ('U3', 'u3', 'x', 'U3', 'member', 0)`.execute(
    db,
  );
  await sql`INSERT INTO conversations (id, kind, name, topic, visibility, history_visibility, created_by, created_at, last_seq, member_count) VALUES ('C1', 'channel', 'c', '', 'public', 'full', 'U1', 0, 0, 3)`.execute(
    db,
  );
  const member = (user: string, notify: string | null) =>
    sql`INSERT INTO members (conv_id, user_id, role, joined_at, visible_from_seq, read_seq, delivered_seq, notify) VALUES ('C1', ${user}, 'member', 0, 1, 0, 0, ${notify})`.execute(db);
  await member('U1', 'mentions');
  await member('U2', 'nothing');
  await member('U3', null);

  await m027.down(db);
  const down = await sql<{ user_id: string; muted: number }>`SELECT user_id, muted FROM members ORDER BY user_id`.execute(db);
  expect(down.rows.map((r) => [r.user_id, Number(r.muted)])).toEqual([
    ['U1', 1],
    ['U2', 1],
    ['U3', 0],
  ]);

  await m027.up(db);
  const up = await sql<{ user_id: string; notify: string | null }>`SELECT user_id, notify FROM members ORDER BY user_id`.execute(db);
  expect(up.rows.map((r) => [r.user_id, r.notify])).toEqual([
    ['U1', 'mentions'],
    ['U2', 'mentions'],
    ['U3', null],
  ]);
  const users = await sql<{ dnd_until: number | null; sounds: number }>`SELECT dnd_until, sounds FROM users`.execute(db);
  expect(users.rows.every((u) => u.dnd_until === null && Number(u.sounds) === 1)).toBe(true);
});
