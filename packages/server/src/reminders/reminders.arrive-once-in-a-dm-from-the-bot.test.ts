/**
 * `/remind` end to end on a real server: the confirmation only its writer sees, the reminder
 * posted once by the Parley bot in a DM when due (also after a restart in between), cancel,
 * and nobody else's reminders to see or cancel.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { Conversation, HistoryPage, Reminder, ServerEvent, User } from '@parley/protocol';
import { until } from '@parley/protocol/testing';
import { api, createConversation, registerUser, sleep, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const sockets = serverPerFile((s) => (server = s));

async function dmFromBot(s: TestServer, u: TestUser): Promise<{ conv: Conversation; bodies: string[]; bot: User } | null> {
  const convs = (await api<{ conversations: Conversation[] }>(s, 'GET', '/conversations', undefined, u.token)).body.conversations;
  for (const c of convs.filter((x) => x.kind === 'dm' && x.dm_user_id !== u.user.id)) {
    const bot = (await api<User>(s, 'GET', `/users/${c.dm_user_id}`, undefined, u.token)).body;
    if (bot.display_name !== 'Parley' || !bot.is_bot) continue;
    const page = (await api<HistoryPage>(s, 'GET', `/conversations/${c.id}/messages`, undefined, u.token)).body;
    return { conv: c, bodies: page.messages.map((m) => m.body), bot };
  }
  return null;
}
test('a reminder is confirmed to its writer only, then posted once by the Parley bot in a DM', async () => {
  const [alice, bob] = [await registerUser(server), await registerUser(server)];
  const chan = await createConversation(server, alice.token, { kind: 'channel', name: `rm-${randomUUID().slice(0, 8)}`, visibility: 'public', member_ids: [bob.user.id] });
  const [aliceSocket, bobSocket] = [await sockets.connect(alice), await sockets.connect(bob)];

  const res = await api<Reminder>(server, 'POST', '/reminders', { conv_id: chan.id, text: 'me in 1s check the deploy' }, alice.token);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ text: 'check the deploy', conv_id: chan.id });
  const confirmation = await aliceSocket.waitFor((e: ServerEvent) => e.type === 'message.ephemeral');
  expect(confirmation).toMatchObject({ message: { conv_id: chan.id, body: expect.stringMatching(/^⏰ OK, I will remind you in \d s: check the deploy$/) } });
  expect((await api<{ reminders: Reminder[] }>(server, 'GET', '/reminders', undefined, alice.token)).body.reminders.map((r) => r.id)).toEqual([res.body.id]);

  // The DM is opened a moment before the reminder is posted in it: wait for both.
  const dm = await until('the reminder, unread', () => dmFromBot(server, alice).then((d) => d !== null && d.conv.unread_count > 0 && d));
  expect(dm.bodies).toEqual(['⏰ Reminder: check the deploy']);
  expect(dm.conv.unread_count).toBe(1);
  await sleep(1_500);
  expect((await dmFromBot(server, alice))!.bodies).toHaveLength(1);
  expect((await api<{ reminders: Reminder[] }>(server, 'GET', '/reminders', undefined, alice.token)).body.reminders).toEqual([]);
  // Bob saw neither the confirmation nor the reminder.
  expect(bobSocket.events.filter((e) => e.type === 'message.ephemeral')).toEqual([]);
  expect(await dmFromBot(server, bob)).toBeNull();
});

test('a cancelled reminder never comes; nobody cancels or sees another’s; bad ones are refused saying how', async () => {
  const [alice, mallory] = [await registerUser(server), await registerUser(server)];
  const r = (await api<Reminder>(server, 'POST', '/reminders', { text: 'me in 2s stretch' }, alice.token)).body;
  expect((await api(server, 'DELETE', `/reminders/${r.id}`, undefined, mallory.token)).status).toBe(404);
  expect((await api<{ reminders: Reminder[] }>(server, 'GET', '/reminders', undefined, mallory.token)).body.reminders).toEqual([]);
  expect((await api(server, 'DELETE', `/reminders/${r.id}`, undefined, alice.token)).status).toBe(204);
  await sleep(2_500);
  expect(await dmFromBot(server, alice)).toBeNull();

  const bad = await api<{ error: { code: string; message: string; field: string } }>(server, 'POST', '/reminders', { text: 'me sometime' }, alice.token);
  expect([bad.status, bad.body.error.field]).toEqual([400, '/body/text']);
  expect(bad.body.error.message).toMatch(/^When\? Write it as \/remind me in 10m/);
  expect((await api(server, 'POST', '/reminders', { text: 'me in 1m x', tz: 'Mars/Olympus' }, alice.token)).status).toBe(400);
  // A conversation one may not read is not a place to be confirmed in.
  const secret = await createConversation(server, mallory.token, { kind: 'channel', name: `rm-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [] });
  expect((await api(server, 'POST', '/reminders', { conv_id: secret.id, text: 'me in 1m x' }, alice.token)).status).toBe(404);
});

test('a reminder due while the server was down is posted once after it starts again', async () => {
  const s = await startServer();
  const alice = await registerUser(s);
  expect((await api(s, 'POST', '/reminders', { text: 'me in 1s read the logs' }, alice.token)).status).toBe(201);
  await s.stop();
  await sleep(1_500);
  const again = await startServer({}, s.dataDir);
  try {
    const dm = await until('the reminder', () => dmFromBot(again, alice).then((d) => d !== null && d.bodies.length > 0 && d));
    expect(dm.bodies).toEqual(['⏰ Reminder: read the logs']);
  } finally {
    await again.stop();
  }
});
