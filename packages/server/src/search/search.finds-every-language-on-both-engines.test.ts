import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ErrorBody, SearchPage } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';
import { uploadFile } from '../testing/files.js';
import sharp from 'sharp';

/*
 * One corpus, one list of queries with the messages each must find (and only those): the same
 * file runs on SQLite in the main pass and on PostgreSQL in `npm run test:pg`, so both engines
 * give the same hits.
 */

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

let alice!: TestUser;
let bob!: TestUser;
const ids = new Map<string, string>();
const labelOf = (id: string) => [...ids].find(([, v]) => v === id)?.[0] ?? `?${id}`;

async function search(u: TestUser, q: string, extra = ''): Promise<{ status: number; body: SearchPage & { error?: ErrorBody } }> {
  return api<SearchPage & { error?: ErrorBody }>(server, 'GET', `/search?q=${encodeURIComponent(q)}${extra}`, undefined, u.token);
}

async function found(u: TestUser, q: string): Promise<string[]> {
  const res = await search(u, q, '&limit=100');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.hits.map((h) => labelOf(h.message.id)).sort();
}

beforeAll(async () => {
  alice = await registerUser(server);
  bob = await registerUser(server);
  const main = await createConversation(server, alice.token, { kind: 'channel', name: `main-${randomUUID().slice(0, 6)}`, visibility: 'public' });
  const other = await createConversation(server, alice.token, { kind: 'channel', name: `other-${randomUUID().slice(0, 6)}`, visibility: 'public' });
  for (const c of [main, other]) expect((await api(server, 'POST', `/conversations/${c.id}/join`, undefined, bob.token)).status).toBe(200);
  ids.set('#other', other.name!);
  const a = await connect(alice);
  const b = await connect(bob);
  const corpus: [string, 'a' | 'b', string, string?, string?][] = [
    ['zh1', 'a', '今天的部署失败了，数据库迁移失败'],
    ['zh2', 'b', '上海办公室明天放假'],
    ['zh3', 'a', '部门会议改到周三'],
    ['zh4', 'a', '请检查数据库连接池配置'],
    ['ja1', 'a', 'デプロイに失敗しました。ロールバックします'],
    ['ja2', 'b', '東京のサーバーが落ちた'],
    ['en1', 'a', 'The deploy failed with ECONNREFUSED on db-primary'],
    ['en2', 'a', 'ok, rolling back now'],
    ['en3', 'a', 'Café menu: naïve résumé'],
    ['en4', 'a', 'Deployment succeeded after the rollback'],
    ['code1', 'a', '`get_user_id` returns null when the user.profile.name is missing'],
    ['code2', 'a', 'call getUserId() before fetchUserProfile'],
    ['code3', 'a', 'released v1.2.3 to production, see https://example.com/changelog'],
    ['code4', 'a', 'HTTPServer listening on 127.0.0.1:5432'],
    ['wide', 'a', 'ＥＣＯＮＮＲＥＦＵＳＥＤ again on ｄｂ'],
    ['thr', 'b', 'a reply about the deploy', 'en1'],
    ['ping', 'a', `@${bob.user.username} can you look at the migration`],
    ['elsewhere', 'a', '部署 in the other channel', undefined, 'other'],
  ];
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#39c' } })
    .png()
    .toBuffer();
  const withImage = await a.request('message.send', {
    conv_id: main.id,
    client_msg_id: randomUUID(),
    body: 'screenshot of the dashboard',
    attachments: [await uploadFile(server, alice, png, 'shot.png')],
  });
  ids.set('image', withImage.id);
  const withLog = await a.request('message.send', {
    conv_id: main.id,
    client_msg_id: randomUUID(),
    body: 'the full log',
    attachments: [await uploadFile(server, alice, Buffer.from('line 1\nline 2\n'), 'app.log')],
  });
  ids.set('log', withLog.id);
  for (const [label, who, body, replyTo, where] of corpus) {
    const ack = await (who === 'a' ? a : b).request('message.send', {
      conv_id: where ? other.id : main.id,
      client_msg_id: randomUUID(),
      body,
      ...(replyTo ? { reply_to: ids.get(replyTo)! } : {}),
    });
    ids.set(label, ack.id);
  }
});

describe('search finds what was written, in every language and shape', () => {
  test.each([
    // Chinese without spaces: two-character words, inside longer words, a single character.
    ['部署', ['elsewhere', 'zh1']],
    ['数据库', ['zh1', 'zh4']],
    ['迁移失败', ['zh1']],
    ['上海', ['zh2']],
    ['放假', ['zh2']],
    ['部', ['elsewhere', 'zh1', 'zh3']],
    ['会议', ['zh3']],
    // Japanese.
    ['デプロイ', ['ja1']],
    ['失敗', ['ja1']],
    ['東京', ['ja2']],
    ['サーバー', ['ja2']],
    // English: whole words, short terms, no stemming surprises.
    ['deploy', ['en1', 'thr']],
    ['ok', ['en2']],
    ['db', ['en1', 'wide']],
    ['rollback', ['en4']],
    ['Deployment', ['en4']],
    // Folding: case, width, accents.
    ['ECONNREFUSED', ['en1', 'wide']],
    ['econnrefused', ['en1', 'wide']],
    ['cafe', ['en3']],
    ['CAFÉ', ['en3']],
    ['resume', ['en3']],
    ['ｒｅｓｕｍｅ', ['en3']],
    // Identifiers and code.
    ['get_user_id', ['code1', 'code2']],
    ['getUserId', ['code1', 'code2']],
    ['getuserid', ['code1', 'code2']],
    ['user.profile.name', ['code1']],
    ['profile', ['code1', 'code2']],
    ['fetchUserProfile', ['code2']],
    ['v1.2.3', ['code3']],
    ['127.0.0.1', ['code4']],
    ['127.0.0.1:5432', ['code4']],
    ['HTTPServer', ['code4']],
    ['server', ['code4']],
    // Phrases and exclusions.
    ['"deploy failed"', ['en1']],
    ['"failed deploy"', []],
    ['"数据库迁移"', ['zh1']],
    ['deploy -ECONNREFUSED', ['thr']],
    ['部署 -"other channel"', ['zh1']],
    ['deploy -"with ECONNREFUSED"', ['thr']],
    // Filters, alone and with words.
    ['has:link', ['code3']],
    ['has:file', ['image', 'log']],
    ['has:image', ['image']],
    ['has:file log', ['log']],
    ['app.log', ['log']],
    ['shot.png', ['image']],
    ['has:code', ['code1']],
    ['is:thread', ['en1', 'thr']],
    ['is:thread deploy -reply', ['en1']],
    ['放假 from:@BOB', ['zh2']],
    ['部署 in:#OTHER', ['elsewhere']],
    ['nothingmatchesthis', []],
  ])('%s', async (q, want) => {
    const query = q.replace('@BOB', `@${bob.user.username}`).replace('#OTHER', `#${ids.get('#other')}`);
    expect(await found(alice, query)).toEqual([...want].sort());
  });

  test('from: narrows to one sender and mentions:me to messages naming the searcher', async () => {
    expect(await found(alice, `from:@${bob.user.username}`)).toEqual(['ja2', 'thr', 'zh2']);
    expect(await found(bob, 'mentions:me')).toEqual(['ping']);
    expect(await found(alice, 'mentions:me')).toEqual([]);
  });

  test('newest first, paged by cursor without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await search(alice, '部', `&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.hits.map((h) => labelOf(h.message.id)));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['elsewhere', 'zh3', 'zh1']);
  });

  test('relevance ranks the message that says it most first', async () => {
    const res = await search(alice, '失败', '&order=relevance');
    expect(res.status).toBe(200);
    expect(res.body.hits.map((h) => labelOf(h.message.id))).toEqual(['zh1']);
    const many = await search(alice, 'deploy', '&order=relevance&limit=100');
    expect(many.body.hits.map((h) => labelOf(h.message.id)).sort()).toEqual(['en1', 'thr']);
  });

  test('each hit carries highlight ranges on its own text and its conversation', async () => {
    const res = await search(alice, '数据库 "deploy failed" getUserId');
    expect(res.status).toBe(200);
    expect(res.body.hits).toEqual([]);
    const zh = await search(alice, '数据库');
    const hit = zh.body.hits.find((h) => labelOf(h.message.id) === 'zh1')!;
    expect(hit.highlights.map((r) => hit.message.body.slice(r.start, r.end))).toEqual(['数据库']);
    const code = await search(alice, 'get_user_id');
    const c1 = code.body.hits.find((h) => labelOf(h.message.id) === 'code1')!;
    expect(c1.highlights.map((r) => c1.message.body.slice(r.start, r.end))).toEqual(['get_user_id']);
    const c2 = code.body.hits.find((h) => labelOf(h.message.id) === 'code2')!;
    expect(c2.highlights.map((r) => c2.message.body.slice(r.start, r.end))).toEqual(['getUserId']);
    const phrase = await search(alice, '"deploy failed" ECONNREFUSED');
    const e1 = phrase.body.hits[0]!;
    expect(e1.highlights.map((r) => e1.message.body.slice(r.start, r.end))).toEqual(['deploy failed', 'ECONNREFUSED']);
    expect(phrase.body.conversations.map((c) => c.id)).toEqual([e1.message.conv_id]);
  });

  test('the socket answers the same search', async () => {
    const s = await connect(alice);
    const page = await s.request('search', { q: '上海' });
    expect(page.hits.map((h) => labelOf(h.message.id))).toEqual(['zh2']);
  });

  test.each([
    ['"unclosed', 400, 'invalid_query', /quote is not closed/],
    ['has:pdf', 400, 'invalid_query', /has: takes/],
    ['in:#nowhere-at-all', 404, 'not_found', /no conversation named #nowhere-at-all/],
    ['from:@nobody-by-that-name', 404, 'not_found', /no user @nobody-by-that-name/],
    ['😀', 400, 'invalid_query', /no letters or digits/],
  ])('bad query %s gets a typed error naming the problem', async (q, status, code, message) => {
    const res = await search(alice, q);
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
    expect(res.body.error?.message).toMatch(message);
  });
});
