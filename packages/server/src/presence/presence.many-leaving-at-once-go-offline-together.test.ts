import { expect, test } from 'vitest';
import type { PresenceEvent, ServerEvent } from '@parley/protocol';
import { login, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const presence = (userId: string, status: string) => (e: ServerEvent) => e.type === 'presence' && e.user_id === userId && e.status === status;

// Arrivals and departures in the same turn of the event loop are written together; each user
// must still end up with the right status, and a user with another device stays online.
test('twenty users dropping at once all go offline with a last-seen time; one with a second device stays online; reconnecting brings them back', async () => {
  const watcherUser = await registerUser(server);
  const users = await Promise.all(Array.from({ length: 20 }, () => registerUser(server)));
  const watcher = await connect(watcherUser);
  const sockets = await Promise.all(users.map((u) => connect(u)));
  const second = await connect(await login(server, users[0]!.user.username));
  const ids = users.map((u) => u.user.id);
  const sub = await watcher.request('presence.subscribe', { user_ids: ids });
  expect(sub.presences.every((p) => p.status === 'online')).toBe(true);

  await Promise.all(sockets.map((s) => s.close()));
  const offline = await Promise.all(ids.slice(1).map((id) => watcher.waitFor<PresenceEvent>(presence(id, 'offline'))));
  for (const p of offline) expect(Date.parse(p.last_seen_at!)).toBeGreaterThan(Date.now() - 60_000);
  const now = await watcher.request('presence.subscribe', { user_ids: ids });
  expect(now.presences.find((p) => p.user_id === ids[0])?.status).toBe('online');
  expect(now.presences.filter((p) => p.status === 'offline')).toHaveLength(19);
  expect(second.closeInfo).toBeNull();

  const back = await Promise.all(users.slice(1).map((u) => connect(u)));
  await Promise.all(ids.slice(1).map((id) => watcher.waitFor(presence(id, 'online'))));
  const again = await watcher.request('presence.subscribe', { user_ids: ids });
  expect(again.presences.every((p) => p.status === 'online')).toBe(true);
  await Promise.all(back.map((s) => s.close()));
});
