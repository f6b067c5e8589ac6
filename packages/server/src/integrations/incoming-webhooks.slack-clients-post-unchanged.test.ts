/**
 * Incoming webhooks as a script written for Slack uses them: the official `@slack/webhook` client
 * and curl-style form posts, against a real server. Plus what must not happen: posts from a
 * revoked or rotated URL, bad bodies posting anything, people who may not manage the channel
 * seeing or creating hooks.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { IncomingWebhook as SlackWebhook } from '@slack/webhook';
import type { CreatedIncomingWebhook, HistoryPage, IncomingWebhook, Message, User } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
serverPerFile((s) => (server = s));

async function channelWithHook(): Promise<{ owner: TestUser; member: TestUser; convId: string; hook: CreatedIncomingWebhook }> {
  const owner = await registerUser(server);
  const member = await registerUser(server);
  const conv = await createConversation(server, owner.token, { kind: 'channel', name: `ci-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: [member.user.id] });
  const res = await api<CreatedIncomingWebhook>(server, 'POST', `/conversations/${conv.id}/webhooks`, { name: 'CI', icon_url: 'https://example.com/ci.png' }, owner.token);
  expect(res.status).toBe(201);
  return { owner, member, convId: conv.id, hook: res.body };
}

async function messages(u: TestUser, convId: string): Promise<Message[]> {
  return (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=100`, undefined, u.token)).body.messages;
}

/** A raw POST to the hook, as curl would send it. */
function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; type: string; text: string }> {
  return fetch(url, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() }));
}

describe('incoming webhooks', () => {
  test('the official Slack client posts text, attachments and blocks; the channel shows them as the hook’s bot', async () => {
    const { member, convId, hook } = await channelWithHook();
    expect(hook.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/hooks/${hook.id}/[A-Za-z0-9_-]{43}$`));
    const slack = new SlackWebhook(hook.url);
    expect(await slack.send({ text: 'Deploy <https://example.com/d/1|#1> *done*' })).toEqual({ text: 'ok' });
    await slack.send({
      text: 'notification text',
      attachments: [{ color: 'good', title: 'Tests', title_link: 'https://example.com/t', text: '512 passed', fields: [{ title: 'Branch', value: 'main', short: true }] }],
    });
    await slack.send({ text: 'only for notifications', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Release' } }, { type: 'divider' }] });

    const got = (await messages(member, convId)).filter((m) => m.sender_id === hook.bot_user_id);
    expect(got.map((m) => m.body)).toEqual([
      'Deploy [#1](https://example.com/d/1) **done**',
      'notification text\n\n> 🟢 **[Tests](https://example.com/t)**\n> 512 passed\n> **Branch**: main',
      '### Release\n\n---',
    ]);
    const bot = (await api<User>(server, 'GET', `/users/${hook.bot_user_id}`, undefined, member.token)).body;
    expect(bot).toMatchObject({ is_bot: true, display_name: 'CI', avatar_url: 'https://example.com/ci.png' });
  });

  test('a form post (curl -d payload=…) works; a retried POST with the same Idempotency-Key posts once', async () => {
    const { member, convId, hook } = await channelWithHook();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = `payload=${encodeURIComponent(JSON.stringify({ text: 'from curl' }))}`;
    expect(await post(hook.url, body, form)).toMatchObject({ status: 200, text: 'ok' });
    const keyed = { 'content-type': 'application/json', 'idempotency-key': 'deploy-77', accept: 'application/json' };
    const first = await post(hook.url, JSON.stringify({ text: 'deploy 77 done' }), keyed);
    const again = await post(hook.url, JSON.stringify({ text: 'deploy 77 done' }), keyed);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    const [a, b] = [JSON.parse(first.text) as { message_id: string; duplicate: boolean }, JSON.parse(again.text) as { message_id: string; duplicate: boolean }];
    expect(b.message_id).toBe(a.message_id);
    expect([a.duplicate, b.duplicate]).toEqual([false, true]);
    expect((await messages(member, convId)).filter((m) => m.sender_id === hook.bot_user_id).map((m) => m.body)).toEqual(['from curl', 'deploy 77 done']);
  });

  test('bad bodies get Slack’s plain answers (or Parley’s JSON when asked for only that) and post nothing', async () => {
    const { member, convId, hook } = await channelWithHook();
    const json = { 'content-type': 'application/json' };
    const cases: [string, Record<string, string>, number, string][] = [
      ['{"text": ', json, 400, 'invalid_payload'],
      ['{}', json, 400, 'no_text'],
      ['{"text": 42}', json, 400, 'invalid_payload'],
      ['[1,2]', json, 400, 'invalid_payload'],
      [JSON.stringify({ attachments: Array.from({ length: 101 }, () => ({ text: 'x' })) }), json, 400, 'too_many_attachments'],
      ['payload=%7Bbroken', { 'content-type': 'application/x-www-form-urlencoded' }, 400, 'invalid_payload'],
      ['text=no+payload+field', { 'content-type': 'application/x-www-form-urlencoded' }, 400, 'invalid_payload'],
      [JSON.stringify({ text: 'x'.repeat(20_000) }), json, 400, 'msg_too_long'],
      [JSON.stringify({ text: 'x'.repeat(2_000_000) }), json, 413, 'request_too_large'],
    ];
    for (const [body, headers, status, slack] of cases) {
      const r = await post(hook.url, body, headers);
      expect([r.status, r.text], body.slice(0, 40)).toEqual([status, slack]);
      expect(r.type).toMatch(/^text\/plain/);
    }
    const asJson = await post(hook.url, '{}', { ...json, accept: 'application/json' });
    expect(asJson.status).toBe(400);
    expect(JSON.parse(asJson.text)).toMatchObject({ error: { code: 'invalid_request', field: '/text' } });
    expect((await messages(member, convId)).filter((m) => m.sender_id === hook.bot_user_id)).toEqual([]);
  });

  test('a rotated URL stops at once and the new one works; a revoked hook answers no_service; unknown ids and wrong secrets look the same', async () => {
    const { owner, member, convId, hook } = await channelWithHook();
    const rotated = await api<CreatedIncomingWebhook>(server, 'POST', `/webhooks/${hook.id}/rotate`, undefined, owner.token);
    expect(rotated.status).toBe(200);
    expect(rotated.body.url).not.toBe(hook.url);
    const json = { 'content-type': 'application/json' };
    expect(await post(hook.url, '{"text":"old url"}', json)).toMatchObject({ status: 404, text: 'no_service' });
    expect(await post(rotated.body.url, '{"text":"new url"}', json)).toMatchObject({ status: 200, text: 'ok' });
    expect(await post(rotated.body.url.replace(/[^/]+$/, 'A'.repeat(43)), '{"text":"guess"}', json)).toMatchObject({ status: 404, text: 'no_service' });
    expect(await post(`${server.url}/hooks/not-an-id/x`, '{"text":"x"}', json)).toMatchObject({ status: 404, text: 'no_service' });

    expect((await api(server, 'DELETE', `/webhooks/${hook.id}`, undefined, owner.token)).status).toBe(204);
    expect(await post(rotated.body.url, '{"text":"after revoke"}', json)).toMatchObject({ status: 404, text: 'no_service' });
    expect((await api<{ webhooks: IncomingWebhook[] }>(server, 'GET', `/conversations/${convId}/webhooks`, undefined, owner.token)).body.webhooks).toEqual([]);
    expect((await messages(member, convId)).filter((m) => m.sender_id === hook.bot_user_id).map((m) => m.body)).toEqual(['new url']);
  });

  test('a hook whose bot was removed from the channel answers action_prohibited and posts nothing', async () => {
    const { owner, member, convId, hook } = await channelWithHook();
    expect((await api(server, 'DELETE', `/conversations/${convId}/members/${hook.bot_user_id}`, undefined, owner.token)).status).toBe(204);
    expect(await post(hook.url, '{"text":"still here?"}', { 'content-type': 'application/json' })).toMatchObject({ status: 403, text: 'action_prohibited' });
    expect((await messages(member, convId)).filter((m) => m.sender_id === hook.bot_user_id)).toEqual([]);
  });

  test('posting into an archived channel answers channel_is_archived and posts nothing', async () => {
    const { owner, member, convId, hook } = await channelWithHook();
    expect((await api(server, 'PATCH', `/conversations/${convId}`, { archived: true }, owner.token)).status).toBe(200);
    expect(await post(hook.url, '{"text":"too late"}', { 'content-type': 'application/json' })).toMatchObject({ status: 403, text: 'channel_is_archived' });
    expect((await messages(member, convId)).filter((m) => m.sender_id === hook.bot_user_id)).toEqual([]);
  });

  test('only who may manage the channel creates, lists, rotates or revokes its hooks; others learn nothing about them', async () => {
    const { member, convId, hook } = await channelWithHook();
    const outsider = await registerUser(server);
    expect((await api(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'sneaky' }, member.token)).status).toBe(403);
    expect((await api(server, 'GET', `/conversations/${convId}/webhooks`, undefined, member.token)).status).toBe(403);
    // A private channel's outsider is told it does not exist, as everywhere else.
    expect((await api(server, 'POST', `/conversations/${convId}/webhooks`, { name: 'sneaky' }, outsider.token)).status).toBe(404);
    expect((await api(server, 'GET', `/conversations/${convId}/webhooks`, undefined, outsider.token)).status).toBe(404);
    for (const u of [member, outsider]) {
      expect((await api(server, 'POST', `/webhooks/${hook.id}/rotate`, undefined, u.token)).status).toBe(404);
      expect((await api(server, 'DELETE', `/webhooks/${hook.id}`, undefined, u.token)).status).toBe(404);
    }
    // No DM hooks: a DM has nobody to manage it.
    const dm = await createConversation(server, member.token, { kind: 'dm', user_id: outsider.user.id });
    expect((await api(server, 'POST', `/conversations/${dm.id}/webhooks`, { name: 'dm hook' }, member.token)).status).toBe(403);
    expect(await post(hook.url, '{"text":"still works"}', { 'content-type': 'application/json' })).toMatchObject({ status: 200, text: 'ok' });
  });
});
