/**
 * Message tags as a member uses them and an outsider probes them: `#tags` in a body and tags
 * added afterwards (`/tag`) show on every path (the ack, history, a single message, live events,
 * resync pages), survive edits as they should, filter history and search, are counted per
 * conversation, and never reach or answer anyone who may not read the conversation.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { HistoryPage, Message, MessageTaggedEvent, SearchPage, ServerEvent, TagCount } from '@parley/protocol';
import { api, createConversation, errorCode, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

const taggedOn =
  (id: string) =>
  (e: ServerEvent): e is MessageTaggedEvent =>
    e.type === 'message.tagged' && e.message.id === id;

async function team() {
  const [alice, bob, carol, eve] = await Promise.all([registerUser(server), registerUser(server), registerUser(server), registerUser(server)]);
  const conv = await createConversation(server, alice.token, { kind: 'channel', name: `tags-${randomUUID().slice(0, 6)}`, visibility: 'private', member_ids: [bob.user.id, carol.user.id] });
  return { alice, bob, carol, eve, conv };
}
const send = (token: string, convId: string, body: string) => api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body }, token).then((r) => r.body);

describe('message tags', () => {
  test('tags in a body and added with /tag show on every path; an edit re-reads the body and keeps the added ones', async () => {
    const { alice, bob, conv } = await team();
    const b = await connect(bob);
    const a = await connect(alice);
    const ack = await a.request('message.send', { conv_id: conv.id, client_msg_id: randomUUID(), body: 'Deploy failed #Deploy #bug, not `#code` nor #42' });
    expect(ack.message.tags).toEqual(['bug', 'deploy']);
    const live = await b.waitFor((e) => e.type === 'message.created' && e.message.id === ack.id);
    expect(live.type === 'message.created' && live.message.tags).toEqual(['bug', 'deploy']);

    // Bob tags it over the socket; Alice sees the tag arrive live.
    const tagged = await b.request('tag.add', { message_id: ack.id, tag: '#Urgent' });
    expect(tagged.tags).toEqual(['bug', 'deploy', 'urgent']);
    const ev = await a.waitFor<MessageTaggedEvent>(taggedOn(ack.id));
    expect(ev).toMatchObject({ tag: 'urgent', op: 'add', actor_id: bob.user.id });
    expect(ev.message.tags).toEqual(['bug', 'deploy', 'urgent']);
    // Tagging twice is one tag and one event.
    expect((await b.request('tag.add', { message_id: ack.id, tag: 'urgent' })).tags).toEqual(['bug', 'deploy', 'urgent']);

    const edited = await api<Message>(server, 'PATCH', `/messages/${ack.id}`, { body: 'Deploy fixed #deploy #rollback' }, alice.token);
    expect(edited.body.tags).toEqual(['deploy', 'rollback', 'urgent']);
    const one = await api<Message>(server, 'GET', `/messages/${ack.id}`, undefined, bob.token);
    expect(one.body.tags).toEqual(['deploy', 'rollback', 'urgent']);
    // A client that was away replays the log: the created and tagged events carry the tags as they are now.
    const page = await b.request('sync.events', { conv_id: conv.id, after_seq: 0, limit: 100 });
    const replayed = page.events.filter((e) => 'message' in e && e.message.id === ack.id);
    expect(replayed.map((e) => e.type)).toEqual(['message.created', 'message.tagged', 'message.edited']);
    for (const e of replayed) expect('message' in e && e.message.tags).toEqual(['deploy', 'rollback', 'urgent']);
    expect(b.events.filter(taggedOn(ack.id))).toHaveLength(1);
  });

  test('a tag from the text goes only with an edit; an added one goes by its adder, the sender or a moderator', async () => {
    const { alice, bob, carol, conv } = await team();
    const msg = await send(bob.token, conv.id, 'release notes #release');
    const add = (token: string, tag: string) => api<Message>(server, 'POST', `/messages/${msg.id}/tags`, { tag }, token);
    const remove = (token: string, tag: string) => api<Message>(server, 'DELETE', `/messages/${msg.id}/tags/${encodeURIComponent(tag)}`, undefined, token);
    expect((await add(carol.token, 'docs')).status).toBe(200);
    expect((await add(carol.token, 'qa')).status).toBe(200);
    expect((await remove(carol.token, 'release')).status).toBe(409);
    // Bob sent the message and may take carol's tag off; carol's other tag is hers, and alice moderates.
    expect((await remove(bob.token, 'docs')).body.tags).toEqual(['qa', 'release']);
    const b2 = await send(alice.token, conv.id, 'plain');
    expect((await api(server, 'POST', `/messages/${b2.id}/tags`, { tag: 'later' }, carol.token)).status).toBe(200);
    expect((await api(server, 'DELETE', `/messages/${b2.id}/tags/later`, undefined, bob.token)).status).toBe(403);
    expect((await api<Message>(server, 'DELETE', `/messages/${b2.id}/tags/later`, undefined, alice.token)).body.tags).toEqual([]);
    // Bad tags are typed 400s naming the field.
    const bad = await add(carol.token, 'two words');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request', field: '/tag' } });
    // A recalled message loses its tags with its text.
    await api(server, 'DELETE', `/messages/${msg.id}`, undefined, bob.token);
    expect((await add(carol.token, 'again')).status).toBe(409);
  });

  test('a conversation lists its tags with counts; history and search filter by tag', async () => {
    const { alice, bob, conv } = await team();
    await send(alice.token, conv.id, 'first deploy #deploy');
    const second = await send(bob.token, conv.id, 'second deploy #deploy #prod');
    await send(alice.token, conv.id, 'chatter without tags');
    await api(server, 'POST', `/messages/${second.id}/tags`, { tag: 'incident' }, alice.token);
    const recalled = await send(alice.token, conv.id, 'oops #deploy');
    await api(server, 'DELETE', `/messages/${recalled.id}`, undefined, alice.token);

    const tags = await api<{ tags: TagCount[] }>(server, 'GET', `/conversations/${conv.id}/tags`, undefined, bob.token);
    expect(tags.body.tags.map((t) => [t.tag, t.count])).toEqual([
      ['deploy', 2],
      ['incident', 1],
      ['prod', 1],
    ]);
    const hist = await api<HistoryPage>(server, 'GET', `/conversations/${conv.id}/messages?tag=%23Deploy`, undefined, bob.token);
    expect(hist.body.messages.map((m) => m.body)).toEqual(['first deploy #deploy', 'second deploy #deploy #prod']);
    const older = await api<HistoryPage>(server, 'GET', `/conversations/${conv.id}/messages?tag=deploy&before_seq=${second.seq}`, undefined, bob.token);
    expect(older.body.messages.map((m) => m.body)).toEqual(['first deploy #deploy']);
    expect((await api(server, 'GET', `/conversations/${conv.id}/messages?tag=%21%21`, undefined, bob.token)).status).toBe(400);

    const search = (q: string) => api<SearchPage>(server, 'GET', `/search?q=${encodeURIComponent(q)}`, undefined, bob.token);
    expect((await search('tag:incident')).body.hits.map((h) => h.message.id)).toEqual([second.id]);
    expect((await search('deploy tag:prod')).body.hits.map((h) => h.message.id)).toEqual([second.id]);
    expect((await search('tag:deploy tag:prod tag:nope')).body.hits).toEqual([]);
    const badQuery = await search('tag:42');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body).toMatchObject({ error: { code: 'invalid_query' } });
  });

  test('an outsider can neither tag, list nor filter, on REST or the socket; a member who joins later counts only what they may read', async () => {
    const { alice, eve, conv } = await team();
    const msg = await send(alice.token, conv.id, 'secret plan #launch');
    expect((await api(server, 'POST', `/messages/${msg.id}/tags`, { tag: 'leak' }, eve.token)).status).toBe(404);
    expect((await api(server, 'DELETE', `/messages/${msg.id}/tags/launch`, undefined, eve.token)).status).toBe(404);
    expect((await api(server, 'GET', `/conversations/${conv.id}/tags`, undefined, eve.token)).status).toBe(404);
    expect((await api(server, 'GET', `/conversations/${conv.id}/messages?tag=launch`, undefined, eve.token)).status).toBe(404);
    const e = await connect(eve);
    expect(await errorCode(e.request('tag.add', { message_id: msg.id, tag: 'leak' }))).toBe('not_found');
    expect((await api<SearchPage>(server, 'GET', `/search?q=${encodeURIComponent('tag:launch')}`, undefined, eve.token)).body.hits).toEqual([]);

    // A public channel whose new members see history from their joining only.
    const pub = await createConversation(server, alice.token, { kind: 'channel', name: `pub-${randomUUID().slice(0, 6)}`, visibility: 'public', history_visibility: 'since_join' });
    const before = await send(alice.token, pub.id, 'before you came #launch');
    expect((await api(server, 'POST', `/conversations/${pub.id}/join`, undefined, eve.token)).status).toBeLessThan(300);
    await send(alice.token, pub.id, 'after you came #launch');
    const counted = await api<{ tags: TagCount[] }>(server, 'GET', `/conversations/${pub.id}/tags`, undefined, eve.token);
    expect(counted.body.tags.map((t) => [t.tag, t.count])).toEqual([['launch', 1]]);
    expect((await api(server, 'POST', `/messages/${before.id}/tags`, { tag: 'seen' }, eve.token)).status).toBe(404);
    // Nothing of the outsider's attempts reached the members: no tag events at all in the private conversation.
    const a = await connect(alice);
    const page = await a.request('sync.events', { conv_id: conv.id, after_seq: 0, limit: 100 });
    expect(page.events.filter((x) => x.type === 'message.tagged')).toEqual([]);
  });
});
