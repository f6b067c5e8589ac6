/**
 * Custom slash commands against a real local endpoint: Slack's form fields, signed; an ephemeral
 * answer reaches only the caller's devices and is never stored; delayed answers through
 * response_url post in the conversation (at most five); failures are typed. And the attacker's
 * side: running a command where one may not post, answering for someone who has since left.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { verifyWebhookSignature } from '@parley/sdk';
import type { CommandResult, CreatedSlashCommand, HistoryPage, Message, ServerEvent, SlashCommand } from '@parley/protocol';
import { api, createConversation, registerUser, sleep, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
let admin!: TestUser;
const sockets = serverPerFile((s, owner) => ((server = s), (admin = owner)), { outgoingAllowPrivate: true });

interface Call {
  headers: http.IncomingHttpHeaders;
  body: string;
  fields: Record<string, string>;
}
type Reply = { status: number; json?: unknown; text?: string; delayMs?: number };

/** The command's endpoint: records each call and answers with what the test sets next. */
const calls: Call[] = [];
let next: Reply = { status: 200 };
const endpoint = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8').on('data', (c: string) => (body += c));
  req.on('end', () => {
    calls.push({ headers: req.headers, body, fields: Object.fromEntries(new URLSearchParams(body)) });
    const r = next;
    setTimeout(() => {
      if (r.json !== undefined) res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.json));
      else res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.text ?? '');
    }, r.delayMs ?? 0);
  });
});
const listening = new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));
const endpointUrl = async () => (await listening, `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/slash`);

let deploy: CreatedSlashCommand | null = null;
async function command(): Promise<CreatedSlashCommand> {
  if (deploy) return deploy;
  const res = await api<CreatedSlashCommand>(
    server,
    'POST',
    '/commands',
    { command: 'deploy', url: await endpointUrl(), description: 'Deploy a service', usage_hint: '[service] [env]', name: 'Deployer' },
    admin.token,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  deploy = res.body;
  return deploy;
}
async function channelWith(members: TestUser[]): Promise<string> {
  return (await createConversation(server, admin.token, { kind: 'channel', name: `cmd-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: members.map((m) => m.user.id) })).id;
}
const run = (u: TestUser, convId: string, text: string, extra: Record<string, unknown> = {}) =>
  api<CommandResult & { error?: { code: string; message: string } }>(server, 'POST', '/commands/run', { conv_id: convId, command: 'deploy', text, ...extra }, u.token);
const history = async (u: TestUser, convId: string) => (await api<HistoryPage>(server, 'GET', `/conversations/${convId}/messages?limit=100`, undefined, u.token)).body.messages;
const isEphemeral = (e: ServerEvent) => e.type === 'message.ephemeral';

describe('custom slash commands', () => {
  test('the endpoint gets Slack’s fields, signed; an ephemeral answer reaches the caller’s devices only and is never stored', async () => {
    const cmd = await command();
    const [alice, bob] = [await registerUser(server), await registerUser(server)];
    const convId = await channelWith([alice, bob]);
    const [aliceOther, bobSocket] = [await sockets.connect(alice), await sockets.connect(bob)];

    next = { status: 200, json: { text: 'Deploying *api* to staging…' } };
    const res = await run(alice, convId, 'api staging');
    expect(res.status).toBe(200);
    expect(res.body.posted).toBeNull();
    expect(res.body.ephemeral).toMatchObject({ conv_id: convId, sender_id: cmd.bot_user_id, body: 'Deploying **api** to staging…', thread_root_id: null });

    const call = calls.at(-1)!;
    expect(verifyWebhookSignature(cmd.secret, call)).toBe(true);
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call.fields).toMatchObject({ token: cmd.token, command: '/deploy', text: 'api staging', channel_id: convId, user_id: alice.user.id, user_name: alice.user.username });
    expect(call.fields['response_url']).toMatch(new RegExp(`^${server.url}/hooks/commands/[0-9A-Z]{26}/[A-Za-z0-9_-]{32}$`));
    expect(call.fields['trigger_id']).toMatch(/^[0-9A-Z]{26}$/);

    // Alice's other device is told; Bob, in the same channel, is not; nothing is in the log.
    const told = await aliceOther.waitFor(isEphemeral);
    expect(told).toEqual({ type: 'message.ephemeral', message: res.body.ephemeral });
    await sleep(200);
    expect(bobSocket.events.filter(isEphemeral)).toEqual([]);
    expect(await history(bob, convId)).toEqual([]);
    expect(await history(alice, convId)).toEqual([]);

    // The command's bot is who the answer is from.
    const bot = (await api<{ display_name: string; is_bot: boolean }>(server, 'GET', `/users/${cmd.bot_user_id}`, undefined, alice.token)).body;
    expect(bot).toMatchObject({ display_name: 'Deployer', is_bot: true });
  });

  test('delayed answers through response_url post in the conversation as the caller, at most five', async () => {
    await command();
    const alice = await registerUser(server);
    const convId = await channelWith([alice]);
    next = { status: 200 };
    const res = await run(alice, convId, 'web');
    expect(res.body).toEqual({ ephemeral: null, posted: null });
    const responseUrl = calls.at(-1)!.fields['response_url']!;
    const answer = (body: unknown) => fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => [r.status, await r.text()]);

    expect(await answer({ response_type: 'in_channel', text: 'Deployed web ✅' })).toEqual([200, 'ok']);
    const posted = await history(alice, convId);
    expect(posted.map((m) => [m.sender_id, m.body])).toEqual([[alice.user.id, 'Deployed web ✅']]);
    for (let i = 2; i <= 5; i++) expect(await answer({ text: `progress ${i}` })).toEqual([200, 'ok']);
    expect(await answer({ text: 'a sixth' })).toEqual([429, 'used_url']);
    // Ephemeral ones were not stored either.
    expect((await history(alice, convId)).length).toBe(1);
    const forged = await fetch(responseUrl.replace(/[^/]+$/, 'wrong-secret-wrong-secret-wrong-s'), { method: 'POST', body: '{"text":"x"}', headers: { 'content-type': 'application/json' } });
    expect([forged.status, await forged.text()]).toEqual([404, 'expired_url']);
  });

  test('answers in a thread go to the thread; plain text is ephemeral; failures and slowness are typed errors', async () => {
    await command();
    const alice = await registerUser(server);
    const convId = await channelWith([alice]);
    const root = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body: 'release thread' }, alice.token);
    next = { status: 200, json: { response_type: 'in_channel', text: 'in the thread' } };
    const inThread = await run(alice, convId, 'x', { thread_root_id: root.body.id });
    expect(inThread.body.posted).not.toBeNull();
    const reply = (await api<Message>(server, 'GET', `/messages/${inThread.body.posted!.id}`, undefined, alice.token)).body;
    expect(reply.thread_root_id).toBe(root.body.id);

    next = { status: 200, text: 'plain words' };
    expect((await run(alice, convId, 'x')).body.ephemeral?.body).toBe('plain words');
    next = { status: 500, text: 'oops' };
    const failed = await run(alice, convId, 'x');
    expect([failed.status, failed.body.error?.code, failed.body.error?.message]).toEqual([502, 'command_failed', '/deploy answered 500.']);
    next = { status: 200, json: { text: 'too late' }, delayMs: 4_000 };
    const started = Date.now();
    const slow = await run(alice, convId, 'x');
    expect([slow.status, slow.body.error?.code]).toEqual([502, 'command_failed']);
    expect(Date.now() - started).toBeLessThan(3_900);
    next = { status: 200, json: { blocks: 'not a list' } };
    expect((await run(alice, convId, 'x')).status).toBe(502);
  }, 15_000);

  test('no command where one may not post; a caller who left gets no more answers; only admins manage commands', async () => {
    const cmd = await command();
    const [alice, outsider] = [await registerUser(server), await registerUser(server)];
    const convId = await channelWith([alice]);
    const before = calls.length;
    const refused = await run(outsider, convId, 'x');
    expect(refused.status).toBe(404);
    expect(calls.length).toBe(before);
    expect((await run(alice, convId, 'x', { thread_root_id: cmd.id })).status).toBe(404);
    expect(calls.length).toBe(before);

    next = { status: 200 };
    await run(alice, convId, 'x');
    const responseUrl = calls.at(-1)!.fields['response_url']!;
    expect((await api(server, 'POST', `/conversations/${convId}/leave`, undefined, alice.token)).status).toBe(204);
    const socket = await sockets.connect(alice);
    const late = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'secret results' }) });
    expect(late.status).toBe(403);
    await sleep(200);
    expect(socket.events.filter(isEphemeral)).toEqual([]);

    // Members see the commands (for the composer) but not their endpoints; they cannot add or remove them.
    const listed = await api<{ commands: SlashCommand[] }>(server, 'GET', '/commands', undefined, alice.token);
    expect(listed.body.commands.find((c) => c.command === 'deploy')).toMatchObject({ description: 'Deploy a service', usage_hint: '[service] [env]', url: null });
    expect((await api<{ commands: SlashCommand[] }>(server, 'GET', '/commands', undefined, admin.token)).body.commands.find((c) => c.command === 'deploy')?.url).toBe(await endpointUrl());
    expect((await api(server, 'POST', '/commands', { command: 'mine', url: 'https://example.com/x' }, alice.token)).status).toBe(403);
    expect((await api(server, 'DELETE', `/commands/${cmd.id}`, undefined, alice.token)).status).toBe(403);
    expect((await api(server, 'POST', '/commands', { command: 'invite', url: 'https://example.com/x' }, admin.token)).status).toBe(409);
    expect((await api(server, 'POST', '/commands', { command: 'deploy', url: 'https://example.com/x' }, admin.token)).status).toBe(409);
    expect((await api(server, 'POST', '/commands', { command: 'Bad Name', url: 'https://example.com/x' }, admin.token)).status).toBe(400);
  });

  test('a removed command is gone, its pending response URLs too', async () => {
    const res = await api<CreatedSlashCommand>(server, 'POST', '/commands', { command: 'temp', url: await endpointUrl() }, admin.token);
    const alice = await registerUser(server);
    const convId = await channelWith([alice]);
    next = { status: 200 };
    expect((await api(server, 'POST', '/commands/run', { conv_id: convId, command: 'temp', text: '' }, alice.token)).status).toBe(200);
    const responseUrl = calls.at(-1)!.fields['response_url']!;
    expect((await api(server, 'DELETE', `/commands/${res.body.id}`, undefined, admin.token)).status).toBe(204);
    expect((await api(server, 'POST', '/commands/run', { conv_id: convId, command: 'temp', text: '' }, alice.token)).status).toBe(404);
    const late = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
    expect([late.status, await late.text()]).toEqual([404, 'expired_url']);
    // The name can be taken again.
    expect((await api(server, 'POST', '/commands', { command: 'temp', url: await endpointUrl() }, admin.token)).status).toBe(201);
  });
});
