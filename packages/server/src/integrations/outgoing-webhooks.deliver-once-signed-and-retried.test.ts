/**
 * Outgoing webhooks against real local receivers: signed requests a receiver verifies with the
 * SDK, retries on 5xx until it answers, one reply posted however often it is delivered, a dead
 * letter after a refusal, delivery across a restart while the receiver was down, and what must
 * not happen (a hook that outlives its creator's rights, people who may not manage it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { verifyWebhookSignature } from '@parley/sdk';
import type { CreatedOutgoingWebhook, HistoryPage, Message, WebhookDelivery } from '@parley/protocol';
import { until } from '@parley/protocol/testing';
import { api, createConversation, onPostgres, registerUser, sleep, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

const fast = { outgoingAllowPrivate: true, outgoingRetryBaseMs: 20, outgoingTimeoutMs: 2_000 };
let server!: TestServer;
let admin!: TestUser;
serverPerFile((s, owner) => ((server = s), (admin = owner)), fast);

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Answer = { status: number; json?: unknown; body?: string };

/** A receiver on a local port that records every request and answers from a script (then the last answer forever). */
class Receiver {
  readonly got: Received[] = [];
  private server: http.Server | null = null;
  constructor(private answers: Answer[]) {}
  static async start(answers: Answer[], port = 0): Promise<Receiver> {
    const r = new Receiver(answers);
    await r.listen(port);
    return r;
  }
  async listen(port: number): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const a = this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!;
        if (a.json !== undefined) res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.json));
        else res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }
  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
const receivers: Receiver[] = [];
async function receiver(answers: Answer[]): Promise<Receiver> {
  const r = await Receiver.start(answers);
  receivers.push(r);
  return r;
}
afterAll(async () => Promise.all(receivers.map((r) => r.close())));

async function channel(s: TestServer, owner: TestUser, members: TestUser[] = []): Promise<string> {
  return (await createConversation(s, owner.token, { kind: 'channel', name: `out-${randomUUID().slice(0, 8)}`, visibility: 'private', member_ids: members.map((m) => m.user.id) })).id;
}
async function createHook(s: TestServer, u: TestUser, convId: string, body: Record<string, unknown>): Promise<CreatedOutgoingWebhook> {
  const res = await api<CreatedOutgoingWebhook>(s, 'POST', `/conversations/${convId}/outgoing-webhooks`, { name: 'Deploy bot', ...body }, u.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}
async function send(s: TestServer, u: TestUser, convId: string, body: string, extra: Record<string, unknown> = {}): Promise<Message> {
  const res = await api<{ id: string }>(s, 'POST', `/conversations/${convId}/messages`, { client_msg_id: randomUUID(), body, ...extra }, u.token);
  expect(res.status).toBe(201);
  return (await api<Message>(s, 'GET', `/messages/${res.body.id}`, undefined, u.token)).body;
}
async function deliveries(s: TestServer, u: TestUser, hookId: string): Promise<WebhookDelivery[]> {
  const res = await api<{ deliveries: WebhookDelivery[] }>(s, 'GET', `/outgoing-webhooks/${hookId}/deliveries`, undefined, u.token);
  expect(res.status).toBe(200);
  return res.body.deliveries;
}
async function messages(s: TestServer, u: TestUser, convId: string): Promise<Message[]> {
  return (await api<HistoryPage>(s, 'GET', `/conversations/${convId}/messages?limit=100`, undefined, u.token)).body.messages;
}

describe('outgoing webhooks', () => {
  test('a receiver failing twice gets three signed attempts of one delivery; its reply posts once, also when redelivered', async () => {
    const member = await registerUser(server);
    const convId = await channel(server, admin, [member]);
    const r = await receiver([{ status: 500, body: 'boom' }, { status: 503 }, { status: 200, json: { text: 'Deploying *api* to <https://example.com/env|staging>' } }]);
    const hook = await createHook(server, admin, convId, { url: r.url, trigger_words: ['deploy', '!ship'] });
    expect(hook).toMatchObject({ events: ['message'], trigger_words: ['deploy', '!ship'], format: 'json' });
    expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await send(server, member, convId, 'hello there, nothing to deploy');
    const trigger = await send(server, member, convId, 'Deploy api');
    const [d] = await until('the delivery', async () => (await deliveries(server, admin, hook.id)).filter((x) => x.state === 'delivered'));
    expect(d).toMatchObject({ seq: trigger.seq, event_type: 'message.created', state: 'delivered', attempts: 3, status_code: 200, error: null });
    expect(await deliveries(server, admin, hook.id)).toHaveLength(1);

    expect(r.got).toHaveLength(3);
    for (const req of r.got) {
      expect(verifyWebhookSignature(hook.secret, req)).toBe(true);
      expect(req.headers['x-parley-delivery']).toBe(d!.id);
      expect(req.headers['x-parley-event']).toBe('message.created');
      expect(req.headers['content-type']).toBe('application/json');
    }
    // A body changed in transit, or signed with another secret, or too old, does not verify.
    expect(verifyWebhookSignature(hook.secret, { ...r.got[0]!, body: r.got[0]!.body.replace('Deploy', 'deploy') })).toBe(false);
    expect(verifyWebhookSignature('another-secret', r.got[0]!)).toBe(false);
    expect(verifyWebhookSignature(hook.secret, r.got[0]!, { now: Date.now() + 10 * 60_000 })).toBe(false);
    const payload = JSON.parse(r.got[2]!.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'message.created',
      hook_id: hook.id,
      delivery_id: d!.id,
      conversation: { id: convId, kind: 'channel' },
      actor: { id: member.user.id, username: member.user.username, is_bot: false },
      text: 'Deploy api',
      trigger_word: 'deploy',
      event: { seq: trigger.seq, message: { id: trigger.id, body: 'Deploy api' } },
    });

    const fromBot = async () => (await messages(server, member, convId)).filter((m) => m.sender_id === hook.bot_user_id);
    await until('the reply', async () => (await fromBot()).length === 1);
    expect((await fromBot())[0]!.body).toBe('Deploying **api** to [staging](https://example.com/env)');
    // The bot's own reply is not sent to the hook (no loop).
    await sleep(300);
    expect(await deliveries(server, admin, hook.id)).toHaveLength(1);

    const again = await api<WebhookDelivery>(server, 'POST', `/outgoing-webhooks/${hook.id}/deliveries/${d!.id}/redeliver`, undefined, admin.token);
    expect(again.status).toBe(200);
    expect(again.body.state).toBe('pending');
    await until('the redelivery', async () => r.got.length === 4 && (await deliveries(server, admin, hook.id))[0]!.state === 'delivered');
    expect(r.got[3]!.headers['x-parley-delivery']).toBe(d!.id);
    await sleep(200);
    expect(await fromBot()).toHaveLength(1);
  });

  test('the slack format sends Slack’s outgoing-webhook form fields with the verification token', async () => {
    const convId = await channel(server, admin);
    const r = await receiver([{ status: 200, body: 'ok' }]);
    const hook = await createHook(server, admin, convId, { url: r.url, format: 'slack', trigger_words: ['!build'] });
    await send(server, admin, convId, '!build main');
    await until('the post', async () => r.got.length === 1);
    expect(r.got[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(verifyWebhookSignature(hook.secret, r.got[0]!)).toBe(true);
    const fields = Object.fromEntries(new URLSearchParams(r.got[0]!.body));
    expect(fields).toMatchObject({ token: hook.token, channel_id: convId, user_id: admin.user.id, user_name: admin.user.username, text: '!build main', trigger_word: '!build' });
    expect(Number(fields['timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);

    // A rotation changes the secret and the token; the old ones no longer match.
    const rotated = await api<CreatedOutgoingWebhook>(server, 'POST', `/outgoing-webhooks/${hook.id}/rotate`, undefined, admin.token);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(rotated.body.token).not.toBe(hook.token);
    await send(server, admin, convId, '!build again');
    await until('the second post', async () => r.got.length === 2);
    expect(verifyWebhookSignature(rotated.body.secret, r.got[1]!)).toBe(true);
    expect(verifyWebhookSignature(hook.secret, r.got[1]!)).toBe(false);
    expect(new URLSearchParams(r.got[1]!.body).get('token')).toBe(rotated.body.token);
  });

  test('reactions and joins reach a hook that asked for them, in log order', async () => {
    const member = await registerUser(server);
    const convId = await channel(server, admin);
    const r = await receiver([{ status: 204 }]);
    const hook = await createHook(server, admin, convId, { url: r.url, events: ['reaction', 'member_joined'] });
    const m = await send(server, admin, convId, 'no message events for this hook');
    expect((await api(server, 'POST', `/messages/${m.id}/reactions`, { emoji: '👍' }, admin.token)).status).toBeLessThan(300);
    expect((await api(server, 'POST', `/conversations/${convId}/members`, { user_id: member.user.id }, admin.token)).status).toBeLessThan(300);
    await until('two posts', async () => r.got.length === 2);
    const types = r.got.map((g) => (JSON.parse(g.body) as { type: string }).type);
    expect(types).toEqual(['reaction.changed', 'member.joined']);
    expect(JSON.parse(r.got[1]!.body)).toMatchObject({ event: { user: { id: member.user.id } } });
    await sleep(200);
    expect(r.got).toHaveLength(2);
    expect((await deliveries(server, admin, hook.id)).map((d) => d.state)).toEqual(['delivered', 'delivered']);
  });

  test('a refusal (4xx) is a dead letter at once; a receiver that never recovers is dead when the retry time runs out; redeliver revives both', async () => {
    // Long enough for a retry even when the first attempt itself starts late (CI on two loaded
    // cores gave up after one attempt with 300 ms), short enough for the test to see it end.
    const short = await startServer({ ...fast, outgoingRetryForMs: 1_500 });
    try {
      const owner = await registerUser(short);
      const convId = await channel(short, owner);
      const refusing = await receiver([{ status: 404, body: 'no such route' }, { status: 200 }]);
      const failing = await receiver([{ status: 500 }]);
      const h1 = await createHook(short, owner, convId, { url: refusing.url });
      const h2 = await createHook(short, owner, convId, { url: failing.url });
      await send(short, owner, convId, 'ping');
      const [d1] = await until('the refusal', async () => (await deliveries(short, owner, h1.id)).filter((d) => d.state === 'dead'));
      expect(d1).toMatchObject({ attempts: 1, status_code: 404, error: 'the receiver answered 404: no such route' });
      const [d2] = await until('the dead letter', async () => (await deliveries(short, owner, h2.id)).filter((d) => d.state === 'dead'));
      expect(d2!.attempts).toBeGreaterThan(1);
      expect(d2!.error).toMatch(/^gave up after \d+ attempts: the receiver answered 500$/);
      expect(refusing.got).toHaveLength(1);

      // Redelivering a dead letter sends it once more (the receiver now says 200).
      expect((await api(short, 'POST', `/outgoing-webhooks/${h1.id}/deliveries/${d1!.id}/redeliver`, undefined, owner.token)).status).toBe(200);
      await until('the redelivery', async () => (await deliveries(short, owner, h1.id))[0]!.state === 'delivered');
      expect(refusing.got).toHaveLength(2);
      // A pending delivery is not redelivered by hand, and an unknown one is not found.
      expect((await api(short, 'POST', `/outgoing-webhooks/${h1.id}/deliveries/${h2.id}/redeliver`, undefined, owner.token)).status).toBe(404);
    } finally {
      await short.stop();
    }
  });

  test('a receiver down across a restart gets the delivery once after both are back', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/parley-out-`);
    const probe = await Receiver.start([{ status: 200 }]);
    const port = probe.port;
    await probe.close();
    let s = await startServer({ ...fast, outgoingRetryBaseMs: 200 }, dir);
    const owner = await registerUser(s);
    const convId = await channel(s, owner);
    const hook = await createHook(s, owner, convId, { url: `http://127.0.0.1:${port}/hook` });
    const m = await send(s, owner, convId, 'while the receiver is down');
    await until('a failed attempt', async () => (await deliveries(s, owner, hook.id)).find((d) => d.attempts >= 1 && d.state === 'pending' && d.error !== null));
    await s.stop();
    const r = await Receiver.start([{ status: 200 }], port);
    receivers.push(r);
    s = await startServer({ ...fast, outgoingRetryBaseMs: 200 }, dir);
    try {
      const [d] = await until('the delivery', async () => (await deliveries(s, owner, hook.id)).filter((x) => x.state === 'delivered'));
      expect(d!.seq).toBe(m.seq);
      await sleep(300);
      expect(r.got).toHaveLength(1);
      expect(JSON.parse(r.got[0]!.body)).toMatchObject({ text: 'while the receiver is down' });
    } finally {
      await s.stop();
    }
  });

  test('a hook stops when its creator may no longer manage the conversation; members who may not manage it see nothing', async () => {
    const creator = await registerUser(server);
    const member = await registerUser(server);
    const outsider = await registerUser(server);
    const convId = await channel(server, admin, [creator, member]);
    expect((await api(server, 'PATCH', `/conversations/${convId}/members/${creator.user.id}`, { role: 'admin' }, admin.token)).status).toBeLessThan(300);
    const r = await receiver([{ status: 200 }]);
    const hook = await createHook(server, creator, convId, { url: r.url });

    // Not a manager, not a member: no hooks, no deliveries, no redelivery, no creation.
    for (const u of [member, outsider]) {
      expect((await api(server, 'GET', `/outgoing-webhooks/${hook.id}/deliveries`, undefined, u.token)).status).toBe(404);
      expect((await api(server, 'POST', `/outgoing-webhooks/${hook.id}/rotate`, undefined, u.token)).status).toBe(404);
      expect((await api(server, 'DELETE', `/outgoing-webhooks/${hook.id}`, undefined, u.token)).status).toBe(404);
      const made = await api(server, 'POST', `/conversations/${convId}/outgoing-webhooks`, { name: 'x', url: r.url }, u.token);
      expect([403, 404]).toContain(made.status);
      expect((await api(server, 'GET', `/conversations/${convId}/outgoing-webhooks`, undefined, u.token)).status).not.toBe(200);
    }

    await send(server, member, convId, 'before the demotion');
    await until('the first post', async () => r.got.length === 1);
    expect((await api(server, 'PATCH', `/conversations/${convId}/members/${creator.user.id}`, { role: 'member' }, admin.token)).status).toBeLessThan(300);
    await send(server, member, convId, 'after the demotion: private from the hook');
    await sleep(1_500);
    expect(r.got).toHaveLength(1);
    expect((await deliveries(server, admin, hook.id)).map((d) => d.seq)).toHaveLength(1);
  });

  test('bad hooks are refused with typed errors and nothing is created', async () => {
    const convId = await channel(server, admin);
    const bad: [Record<string, unknown>, string][] = [
      [{ url: 'ftp://example.com/x' }, '/body/url'],
      [{ url: 'https://example.com/x', events: [] }, '/body/events'],
      [{ url: 'https://example.com/x', events: ['message', 'message'] }, '/body/events'],
      [{ url: 'https://example.com/x', events: ['typing'] }, '/body/events/0'],
      [{ url: 'https://example.com/x', trigger_words: ['two words'] }, '/body/trigger_words/0'],
      [{ url: 'https://example.com/x', format: 'slack', events: ['reaction'] }, '/body/format'],
      [{ url: 'https://example.com/x', secret: 'mine' }, ''],
    ];
    for (const [body, field] of bad) {
      const res = await api<{ error: { code: string; field?: string } }>(server, 'POST', `/conversations/${convId}/outgoing-webhooks`, { name: 'x', ...body }, admin.token);
      expect(res.status, JSON.stringify(body)).toBe(400);
      if (field) expect(res.body.error.field, JSON.stringify(body)).toBe(field);
    }
    expect((await api<{ webhooks: unknown[] }>(server, 'GET', `/conversations/${convId}/outgoing-webhooks`, undefined, admin.token)).body.webhooks).toEqual([]);
  });
});

describe('outgoing webhooks on a server that refuses private addresses (the default)', () => {
  test('an IP literal is refused when saved; a name resolving to loopback is a dead letter, never contacted', async () => {
    const s = await startServer({ outgoingRetryBaseMs: 20 });
    try {
      const owner = await registerUser(s);
      const convId = await channel(s, owner);
      const r = await receiver([{ status: 200 }]);
      for (const url of [r.url, `http://[::1]:${r.port}/`, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/']) {
        const res = await api<{ error: { code: string; field: string } }>(s, 'POST', `/conversations/${convId}/outgoing-webhooks`, { name: 'x', url }, owner.token);
        expect(res.status, url).toBe(400);
        expect(res.body.error.field).toBe('/body/url');
      }
      const hook = await createHook(s, owner, convId, { url: `http://localhost:${r.port}/hook` });
      await send(s, owner, convId, 'to localhost?');
      const [d] = await until('the refusal', async () => (await deliveries(s, owner, hook.id)).filter((x) => x.state === 'dead'));
      expect(d!.error).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a non-public address/);
      expect(d!.attempts).toBe(1);
      expect(r.got).toHaveLength(0);
    } finally {
      await s.stop();
    }
  });
});

describe.skipIf(!onPostgres())('outgoing webhooks on two nodes sharing one PostgreSQL', () => {
  test('every event is delivered once although both nodes scan and claim', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/parley-out2-`);
    const a = await startServer(fast, dir);
    const b = await startServer(fast, dir);
    try {
      const owner = await registerUser(a);
      const convId = await channel(a, owner);
      const r = await receiver([{ status: 200 }]);
      await createHook(a, owner, convId, { url: r.url });
      for (let i = 0; i < 40; i++) await send(i % 2 ? a : b, owner, convId, `m${i}`);
      await until('40 posts', async () => r.got.length >= 40);
      await sleep(1_500);
      const texts = r.got.map((g) => (JSON.parse(g.body) as { text: string }).text);
      expect(texts).toHaveLength(40);
      expect(new Set(texts).size).toBe(40);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
