import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { ErrorBody, SearchPage } from '@parley/protocol';
import { api, createConversation, registerUser, type SocketClient, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

/*
 * The attacker's side of search: every rule of history holds in the query, on both engines (the
 * file reruns on PostgreSQL). Each test writes a word nobody else uses, so a hit can only be the
 * message the rule is about.
 */

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const word = () => `w${randomUUID().replace(/-/g, '').slice(0, 12)}`;

async function hits(u: TestUser, q: string): Promise<string[]> {
  const res = await api<SearchPage>(server, 'GET', `/search?q=${encodeURIComponent(q)}&limit=100`, undefined, u.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.hits.map((h) => h.message.id);
}

async function send(s: SocketClient, convId: string, body: string): Promise<string> {
  return (await s.request('message.send', { conv_id: convId, client_msg_id: randomUUID(), body })).id;
}

describe('search shows nothing the searcher may not read', () => {
  test('a stranger finds nothing in a private channel, a public channel they never joined, or a DM of others; in: a private name is unknown', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const mallory = await registerUser(server);
    const secret = await createConversation(server, alice.token, { kind: 'channel', name: `secret-${word()}`, visibility: 'private' });
    const open = await createConversation(server, alice.token, { kind: 'channel', name: `open-${word()}`, visibility: 'public' });
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const w = word();
    const sent = [await send(a, secret.id, `${w} private plan`), await send(a, open.id, `${w} public note`), await send(a, dm.id, `${w} between us`)];
    expect((await hits(alice, w)).sort()).toEqual([...sent].sort());
    expect(await hits(bob, w)).toEqual([sent[2]]);
    expect(await hits(mallory, w)).toEqual([]);
    expect(await hits(mallory, `"${w} private"`)).toEqual([]);
    expect(await hits(mallory, `from:@${alice.user.username}`)).toEqual([]);
    const probe = await api<{ error: ErrorBody }>(server, 'GET', `/search?q=${encodeURIComponent(`in:#${secret.name} ${w}`)}`, undefined, mallory.token);
    const unknown = await api<{ error: ErrorBody }>(server, 'GET', `/search?q=${encodeURIComponent(`in:#no-such-${w} ${w}`)}`, undefined, mallory.token);
    expect(probe.status).toBe(404);
    expect(probe.body.error.message.replace(secret.name!, 'X')).toBe(unknown.body.error.message.replace(`no-such-${w}`, 'X'));
  });

  test('a since_join member finds only what came after their join', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const ch = await createConversation(server, alice.token, { kind: 'channel', name: `sj-${word()}`, visibility: 'public', history_visibility: 'since_join' });
    const a = await connect(alice);
    const w = word();
    await send(a, ch.id, `${w} before bob`);
    expect((await api(server, 'POST', `/conversations/${ch.id}/join`, undefined, bob.token)).status).toBe(200);
    const after = await send(a, ch.id, `${w} after bob`);
    expect(await hits(bob, w)).toEqual([after]);
    expect(await hits(alice, w)).toHaveLength(2);
  });

  test('a member who left finds messages up to their leave, as they were then: not later ones, not words edited in after', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const ch = await createConversation(server, alice.token, { kind: 'channel', name: `left-${word()}`, visibility: 'private' });
    expect((await api(server, 'POST', `/conversations/${ch.id}/members`, { user_id: bob.user.id }, alice.token)).status).toBeLessThan(300);
    const a = await connect(alice);
    const w = word();
    const kept = await send(a, ch.id, `${w} while bob was here`);
    const edited = await send(a, ch.id, `${w} original words`);
    expect((await api(server, 'POST', `/conversations/${ch.id}/leave`, undefined, bob.token)).status).toBe(204);
    await send(a, ch.id, `${w} after bob left`);
    const fresh = word();
    expect((await api(server, 'PATCH', `/messages/${edited}`, { body: `${w} rewritten ${fresh}` }, alice.token)).status).toBe(200);
    expect(await hits(alice, fresh)).toEqual([edited]);
    expect(await hits(bob, fresh)).toEqual([]);
    expect(await hits(bob, w)).toEqual([kept]);
  });

  test('a recalled message is found by nobody, its sender included, and the recall reaches search at once', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const a = await connect(alice);
    const w = word();
    const id = await send(a, dm.id, `${w} oops wrong chat`);
    expect(await hits(bob, w)).toEqual([id]);
    expect((await api(server, 'DELETE', `/messages/${id}`, undefined, alice.token)).status).toBe(200);
    expect(await hits(alice, w)).toEqual([]);
    expect(await hits(bob, w)).toEqual([]);
    expect(await hits(bob, `from:@${alice.user.username}`)).toEqual([]);
  });

  test('a member removed while their socket is open finds nothing newer on that socket, and nothing of a conversation they are no longer shown', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const ch = await createConversation(server, alice.token, { kind: 'channel', name: `kick-${word()}`, visibility: 'private' });
    expect((await api(server, 'POST', `/conversations/${ch.id}/members`, { user_id: bob.user.id }, alice.token)).status).toBeLessThan(300);
    const a = await connect(alice);
    const b = await connect(bob);
    const w = word();
    const before = await send(a, ch.id, `${w} before the kick`);
    expect((await b.request('search', { q: w })).hits.map((h) => h.message.id)).toEqual([before]);
    expect((await api(server, 'DELETE', `/conversations/${ch.id}/members/${bob.user.id}`, undefined, alice.token)).status).toBeLessThan(300);
    await send(a, ch.id, `${w} after the kick`);
    expect((await b.request('search', { q: w })).hits.map((h) => h.message.id)).toEqual([before]);
  });
});
