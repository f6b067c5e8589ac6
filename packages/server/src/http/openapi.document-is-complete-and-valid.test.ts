import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Conversation, Message } from '@parley/protocol';
import sharp from 'sharp';
import { createConversation, onPostgres, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';
import { uploadFile } from '../testing/files.js';
import { freePort } from '../testing/ports.js';
import { startIdentityProvider, TestBrowser, type IdentityProvider } from '../testing/identity-provider.js';
import { generate as generateTotp } from 'otplib';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type JsonSchema = Record<string, unknown>;
type Response = { content?: Record<string, { schema: JsonSchema }> };
interface Operation {
  responses: Record<string, Response>;
}

/** A response declared as raw bytes (a file download): a `format: binary` string under some media type. */
const binarySchema = (res: Response | undefined) => Object.values(res?.content ?? {}).find((c) => c.schema.type === 'string' && c.schema.format === 'binary')?.schema;
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}
interface Call {
  status: number;
  body: unknown;
  /** What the handler returned, before the response schema serialised it. */
  returned: unknown;
}

let server: TestServer;
let doc: Document;
// What each handler handed to the serialiser, by request id: the test checks no field of it is dropped.
const returned = new Map<string, unknown>();

// A local endpoint for the integrations: slash commands answer here, outgoing webhooks are refused here (dead at once).
const endpoint = http.createServer((req, res) => {
  req.resume().on('end', () => {
    if (req.url === '/command') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'done' }));
    else res.writeHead(404).end();
  });
});

// A real identity provider, so the single sign-on exchange has a real code to answer.
let idp: IdentityProvider;

beforeAll(async () => {
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  idp = await startIdentityProvider(`http://127.0.0.1:${port}/api/v1/auth/sso/callback`);
  const sso = { port, publicUrl: `http://127.0.0.1:${port}`, oidcIssuer: idp.issuer, oidcClientId: idp.clientId, oidcClientSecret: idp.clientSecret };
  server = await startServer({ outgoingAllowPrivate: true, ...sso }, undefined, {}, (parley) => {
    parley.app.addHook('preSerialization', async (req, _reply, payload) => {
      returned.set(req.id, payload);
      return payload;
    });
  });
  doc = (await (await fetch(`${server.url}/api/docs/json`)).json()) as Document;
});
afterAll(async () => {
  await server.stop();
  await idp.close();
  await new Promise((resolve) => endpoint.close(resolve));
});

const endpointUrl = () => `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;

async function call(method: string, route: string, token?: string, body?: unknown): Promise<Call> {
  const id = randomUUID();
  const headers: Record<string, string> = { 'x-request-id': id };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  // A file download answers bytes, not JSON: kept as text, checked against its binary declaration.
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, body: text ? (json ? (JSON.parse(text) as unknown) : text) : undefined, returned: returned.get(id) };
}

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));

/** The declared schema with every object closed: a field the schema does not list fails validation. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) copy[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as JsonSchema).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

// A fresh Ajv per schema: the document inlines entities, so one Ajv would see the same shapes many times.
function compile(schema: unknown): ValidateFunction {
  return addFormats(new Ajv({ strict: false, allErrors: true })).compile(schema as JsonSchema);
}

test('the OpenAPI document is a valid OpenAPI 3 document', async () => {
  const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
});

test('every operation declares its success body (204 excepted) and the error shape for 4xx and 5xx', () => {
  const ops = operations();
  expect(ops.length).toBeGreaterThanOrEqual(44);
  for (const { key, op } of ops) {
    const ok = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
    expect(ok.length, `${key} declares a 2xx response`).toBeGreaterThan(0);
    for (const [status, res] of ok) {
      if (status === '204') expect(res.content, `${key} 204 has no body`).toBeUndefined();
      else expect(res.content?.['application/json']?.schema ?? binarySchema(res), `${key} ${status} declares its body`).toBeTruthy();
    }
    for (const status of ['4XX', '5XX']) {
      const schema = op.responses[status]?.content?.['application/json']?.schema as { properties?: { error?: { required?: string[] } } } | undefined;
      expect(schema?.properties?.error?.required, `${key} ${status} is the error shape`).toEqual(['code', 'message']);
    }
  }
});

test('one real answer of every operation matches its declared schema, and the handler returned no field the schema drops', async () => {
  const owner = await registerUser(server);
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const channel = await createConversation(server, owner.token, { kind: 'channel', name: `general-${randomUUID().slice(0, 8)}`, visibility: 'public', member_ids: [alice.user.id] });
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id], name: 'group' });
  const sent = async (conv: Conversation, by: TestUser, extra: object = {}) =>
    (await call('POST', `/conversations/${conv.id}/messages`, by.token, { client_msg_id: randomUUID(), body: 'hello @everyone', ...extra })).body as Message;
  let totpSecret = '';
  let recovery: string[] = [];
  const root = await sent(channel, alice);
  await sent(channel, owner, { reply_to: root.id });
  // A message carrying an image: its attachment is in the Message schema, and its bytes and thumbnail are downloads.
  const picture = await uploadFile(
    server,
    alice,
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#36c' } })
      .png()
      .toBuffer(),
    'dot.png',
  );
  await sent(channel, alice, { attachments: [picture] });
  let carol: { access_token: string; refresh_token: string } | null = null;
  let token: { id: string } | null = null;
  let pushSub = '';
  let hook: { id: string } | null = null;
  let outHook: { id: string } | undefined;
  let delivery: { id: string } | undefined;
  let command: { id: string } | undefined;
  let reminder: { id: string } | undefined;
  let bot: { id: string } | undefined;
  let invite = '';

  // One case per operation of the document, in an order where each finds what it needs.
  const cases: [string, () => Promise<Call>][] = [
    ['GET /api/v1/limits', () => call('GET', '/limits')],
    [
      'POST /api/v1/auth/register',
      async () => {
        const r = await call('POST', '/auth/register', undefined, { username: `carol${process.pid}`, password: 'correct horse battery', display_name: 'Carol' });
        carol = r.body as typeof carol;
        return r;
      },
    ],
    ['POST /api/v1/auth/login', () => call('POST', '/auth/login', undefined, { username: `carol${process.pid}`, password: 'correct horse battery', device_name: 'phone' })],
    ['POST /api/v1/auth/refresh', () => call('POST', '/auth/refresh', undefined, { refresh_token: carol!.refresh_token })],
    ['GET /api/v1/me', () => call('GET', '/me', alice.token)],
    ['PATCH /api/v1/me', () => call('PATCH', '/me', alice.token, { status_text: 'around' })],
    ['GET /api/v1/users', () => call('GET', '/users?limit=10', alice.token)],
    ['GET /api/v1/users/{id}', () => call('GET', `/users/${bob.user.id}`, alice.token)],
    [
      'PUT /api/v1/me/avatar',
      async () => {
        // The body is the picture itself, not JSON.
        const id = randomUUID();
        const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c63' } })
          .png()
          .toBuffer();
        const res = await fetch(`${server.url}/api/v1/me/avatar?x=0&y=0&size=8`, {
          method: 'PUT',
          headers: { 'x-request-id': id, 'content-type': 'image/png', authorization: `Bearer ${alice.token}` },
          body: png,
        });
        return { status: res.status, body: (await res.json()) as unknown, returned: returned.get(id) };
      },
    ],
    ['GET /api/v1/users/{id}/avatar', () => call('GET', `/users/${alice.user.id}/avatar`, bob.token)],
    ['DELETE /api/v1/me/avatar', () => call('DELETE', '/me/avatar', alice.token)],
    ['GET /api/v1/sessions', () => call('GET', '/sessions', alice.token)],
    [
      'DELETE /api/v1/sessions/{id}',
      async () => {
        const other = (await call('POST', '/auth/login', undefined, { username: alice.user.username, password: 'correct horse battery' })).body as { session_id: string };
        return call('DELETE', `/sessions/${other.session_id}`, alice.token);
      },
    ],
    [
      'POST /api/v1/invites',
      async () => {
        const r = await call('POST', '/invites', owner.token, { expires_in_hours: 2, max_uses: 3 });
        invite = (r.body as { id: string }).id;
        return r;
      },
    ],
    ['GET /api/v1/invites', () => call('GET', '/invites', owner.token)],
    ['DELETE /api/v1/invites/{code}', () => call('DELETE', `/invites/${invite}`, owner.token)],
    [
      'POST /api/v1/me/2fa/setup',
      async () => {
        const r = await call('POST', '/me/2fa/setup', bob.token);
        totpSecret = (r.body as { secret: string }).secret;
        return r;
      },
    ],
    [
      'POST /api/v1/me/2fa/enable',
      async () => {
        const r = await call('POST', '/me/2fa/enable', bob.token, { code: await generateTotp({ secret: totpSecret }) });
        recovery = (r.body as { recovery_codes: string[] }).recovery_codes;
        return r;
      },
    ],
    ['GET /api/v1/me/2fa', () => call('GET', '/me/2fa', bob.token)],
    [
      'POST /api/v1/me/2fa/recovery-codes',
      async () => {
        const r = await call('POST', '/me/2fa/recovery-codes', bob.token, { recovery_code: recovery[0] });
        recovery = (r.body as { recovery_codes: string[] }).recovery_codes;
        return r;
      },
    ],
    [
      'POST /api/v1/auth/login/2fa',
      async () => {
        const first = (await call('POST', '/auth/login', undefined, { username: bob.user.username, password: 'correct horse battery' })).body as { error: { challenge: string } };
        return call('POST', '/auth/login/2fa', undefined, { challenge: first.error.challenge, recovery_code: recovery[0] });
      },
    ],
    ['POST /api/v1/me/2fa/disable', () => call('POST', '/me/2fa/disable', bob.token, { recovery_code: recovery[1] })],
    ['DELETE /api/v1/admin/users/{id}/2fa', () => call('DELETE', `/admin/users/${bob.user.id}/2fa`, owner.token)],
    [
      'GET /api/v1/admin/lockouts',
      async () => {
        // A failed sign-in, so the list has an entry (the harness's limits are too high to lock it).
        await call('POST', '/auth/login', undefined, { username: `nobody${process.pid}`, password: 'not the password' });
        return call('GET', '/admin/lockouts', owner.token);
      },
    ],
    ['DELETE /api/v1/admin/lockouts/{key}', () => call('DELETE', `/admin/lockouts/${encodeURIComponent(`account:nobody${process.pid}`)}`, owner.token)],
    [
      'POST /api/v1/bots',
      async () => {
        const r = await call('POST', '/bots', alice.token, { username: `bot${process.pid}` });
        bot = r.body as typeof bot;
        return r;
      },
    ],
    ['GET /api/v1/bots', () => call('GET', '/bots', alice.token)],
    [
      'POST /api/v1/tokens',
      async () => {
        const r = await call('POST', '/tokens', alice.token, { name: 'ci' });
        token = r.body as typeof token;
        return r;
      },
    ],
    ['GET /api/v1/tokens', () => call('GET', '/tokens', alice.token)],
    ['DELETE /api/v1/tokens/{id}', () => call('DELETE', `/tokens/${token!.id}`, alice.token)],
    ['DELETE /api/v1/bots/{id}', () => call('DELETE', `/bots/${bot!.id}`, alice.token)],
    ['POST /api/v1/conversations', () => call('POST', '/conversations', alice.token, { kind: 'dm', user_id: bob.user.id })],
    ['GET /api/v1/conversations', () => call('GET', '/conversations', alice.token)],
    ['GET /api/v1/channels', () => call('GET', '/channels', bob.token)],
    ['GET /api/v1/conversations/{id}', () => call('GET', `/conversations/${channel.id}`, alice.token)],
    ['PATCH /api/v1/conversations/{id}', () => call('PATCH', `/conversations/${channel.id}`, owner.token, { topic: 'all things' })],
    ['POST /api/v1/conversations/{id}/join', () => call('POST', `/conversations/${channel.id}/join`, bob.token)],
    ['POST /api/v1/conversations/{id}/members', () => call('POST', `/conversations/${group.id}/members`, alice.token, { user_id: owner.user.id })],
    ['GET /api/v1/conversations/{id}/members', () => call('GET', `/conversations/${channel.id}/members`, alice.token)],
    ['PATCH /api/v1/conversations/{id}/members/{user_id}', () => call('PATCH', `/conversations/${channel.id}/members/${alice.user.id}`, owner.token, { role: 'admin' })],
    ['DELETE /api/v1/conversations/{id}/members/{user_id}', () => call('DELETE', `/conversations/${channel.id}/members/${bob.user.id}`, owner.token)],
    ['POST /api/v1/conversations/{id}/messages', () => call('POST', `/conversations/${channel.id}/messages`, alice.token, { client_msg_id: randomUUID(), body: 'one more' })],
    ['GET /api/v1/conversations/{id}/messages', () => call('GET', `/conversations/${channel.id}/messages?limit=200`, alice.token)],
    ['GET /api/v1/messages/{id}', () => call('GET', `/messages/${root.id}`, owner.token)],
    ['PATCH /api/v1/messages/{id}', () => call('PATCH', `/messages/${root.id}`, alice.token, { body: 'hello, edited' })],
    ['GET /api/v1/messages/{id}/edits', () => call('GET', `/messages/${root.id}/edits`, alice.token)],
    ['GET /api/v1/messages/{id}/thread', () => call('GET', `/messages/${root.id}/thread`, alice.token)],
    [
      'POST /api/v1/messages/{id}/reveal',
      async () => {
        const sent = await call('POST', `/conversations/${channel.id}/messages`, alice.token, { client_msg_id: randomUUID(), body: 'the wifi password is hunter2', burn_after: '1m' });
        return call('POST', `/messages/${(sent.body as { id: string }).id}/reveal`, owner.token);
      },
    ],
    ['GET /api/v1/search', () => call('GET', `/search?q=${encodeURIComponent('hello -nothing has:link')}&order=newest&limit=5`, alice.token)],
    ['POST /api/v1/messages/{id}/reactions', () => call('POST', `/messages/${root.id}/reactions`, owner.token, { emoji: '👍' })],
    ['DELETE /api/v1/messages/{id}/reactions/{emoji}', () => call('DELETE', `/messages/${root.id}/reactions/${encodeURIComponent('👍')}`, owner.token)],
    ['POST /api/v1/messages/{id}/tags', () => call('POST', `/messages/${root.id}/tags`, owner.token, { tag: 'decision' })],
    ['DELETE /api/v1/messages/{id}/tags/{tag}', () => call('DELETE', `/messages/${root.id}/tags/decision`, owner.token)],
    ['GET /api/v1/conversations/{id}/tags', () => call('GET', `/conversations/${channel.id}/tags`, owner.token)],
    ['POST /api/v1/messages/{id}/pin', () => call('POST', `/messages/${root.id}/pin`, owner.token)],
    ['GET /api/v1/conversations/{id}/pins', () => call('GET', `/conversations/${channel.id}/pins?limit=10`, alice.token)],
    ['DELETE /api/v1/messages/{id}/pin', () => call('DELETE', `/messages/${root.id}/pin`, owner.token)],
    ['PUT /api/v1/messages/{id}/saved', () => call('PUT', `/messages/${root.id}/saved`, alice.token)],
    ['GET /api/v1/me/saved', () => call('GET', '/me/saved?limit=10', alice.token)],
    ['DELETE /api/v1/messages/{id}/saved', () => call('DELETE', `/messages/${root.id}/saved`, alice.token)],
    ['PUT /api/v1/conversations/{id}/mute', () => call('PUT', `/conversations/${channel.id}/mute`, alice.token, { muted: true })],
    ['PUT /api/v1/conversations/{id}/notify', () => call('PUT', `/conversations/${channel.id}/notify`, alice.token, { level: 'nothing' })],
    ['PUT /api/v1/conversations/{id}/retention', () => call('PUT', `/conversations/${channel.id}/retention`, owner.token, { days: null })],
    ['POST /api/v1/conversations/{id}/read', () => call('POST', `/conversations/${channel.id}/read`, alice.token, { seq: 1 })],
    ['POST /api/v1/conversations/{id}/typing', () => call('POST', `/conversations/${channel.id}/typing`, alice.token, { active: true })],
    [
      'POST /api/v1/conversations/{id}/webhooks',
      async () => {
        const r = await call('POST', `/conversations/${channel.id}/webhooks`, owner.token, { name: 'CI' });
        hook = r.body as typeof hook;
        return r;
      },
    ],
    ['GET /api/v1/conversations/{id}/webhooks', () => call('GET', `/conversations/${channel.id}/webhooks`, owner.token)],
    ['POST /api/v1/webhooks/{id}/rotate', () => call('POST', `/webhooks/${hook!.id}/rotate`, owner.token)],
    ['DELETE /api/v1/webhooks/{id}', () => call('DELETE', `/webhooks/${hook!.id}`, owner.token)],
    [
      'POST /api/v1/conversations/{id}/outgoing-webhooks',
      async () => {
        // The endpoint answers 404: the delivery is a dead letter at once.
        const r = await call('POST', `/conversations/${channel.id}/outgoing-webhooks`, owner.token, { name: 'Deploy', url: `${endpointUrl()}/hook`, trigger_words: ['deploy'] });
        outHook = r.body as typeof outHook;
        await call('POST', `/conversations/${channel.id}/messages`, owner.token, { client_msg_id: randomUUID(), body: 'deploy now' });
        return r;
      },
    ],
    ['GET /api/v1/conversations/{id}/outgoing-webhooks', () => call('GET', `/conversations/${channel.id}/outgoing-webhooks`, owner.token)],
    ['POST /api/v1/outgoing-webhooks/{id}/rotate', () => call('POST', `/outgoing-webhooks/${outHook!.id}/rotate`, owner.token)],
    [
      'GET /api/v1/outgoing-webhooks/{id}/deliveries',
      async () => {
        for (let i = 0; ; i++) {
          const r = await call('GET', `/outgoing-webhooks/${outHook!.id}/deliveries`, owner.token);
          delivery = (r.body as { deliveries: { id: string; state: string }[] }).deliveries.find((d) => d.state === 'dead');
          if (delivery || i === 200) return r;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      },
    ],
    ['POST /api/v1/outgoing-webhooks/{id}/deliveries/{delivery}/redeliver', () => call('POST', `/outgoing-webhooks/${outHook!.id}/deliveries/${delivery!.id}/redeliver`, owner.token)],
    ['DELETE /api/v1/outgoing-webhooks/{id}', () => call('DELETE', `/outgoing-webhooks/${outHook!.id}`, owner.token)],
    [
      'POST /api/v1/commands',
      async () => {
        const r = await call('POST', '/commands', owner.token, { command: 'deploy', url: `${endpointUrl()}/command`, description: 'Deploy', usage_hint: '[service]' });
        command = r.body as typeof command;
        return r;
      },
    ],
    ['GET /api/v1/commands', () => call('GET', '/commands', alice.token)],
    ['POST /api/v1/commands/run', () => call('POST', '/commands/run', alice.token, { conv_id: channel.id, command: 'deploy', text: 'api' })],
    ['DELETE /api/v1/commands/{id}', () => call('DELETE', `/commands/${command!.id}`, owner.token)],
    [
      'POST /api/v1/reminders',
      async () => {
        const r = await call('POST', '/reminders', alice.token, { text: 'me in 1h check the deploy', conv_id: channel.id, tz: 'Europe/Paris' });
        reminder = r.body as typeof reminder;
        return r;
      },
    ],
    ['GET /api/v1/reminders', () => call('GET', '/reminders', alice.token)],
    [
      'POST /api/v1/me/push/subscriptions',
      async () => {
        const ecdh = createECDH('prime256v1');
        ecdh.generateKeys();
        const keys = { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
        const r = await call('POST', '/me/push/subscriptions', bob.token, { endpoint: 'https://push.example.com/send/abc', keys });
        pushSub = (r.body as { id: string }).id;
        return r;
      },
    ],
    ['GET /api/v1/me/push', () => call('GET', '/me/push', bob.token)],
    ['PATCH /api/v1/me/push', () => call('PATCH', '/me/push', bob.token, { previews: false })],
    ['PATCH /api/v1/me/notifications', () => call('PATCH', '/me/notifications', bob.token, { dnd_until: new Date(Date.now() + 3_600_000).toISOString(), sounds: false })],
    ['GET /api/v1/me/notifications', () => call('GET', '/me/notifications', bob.token)],
    ['DELETE /api/v1/me/push/subscriptions/{id}', () => call('DELETE', `/me/push/subscriptions/${pushSub}`, bob.token)],
    ['DELETE /api/v1/reminders/{id}', () => call('DELETE', `/reminders/${reminder!.id}`, alice.token)],
    ['DELETE /api/v1/messages/{id}', () => call('DELETE', `/messages/${root.id}`, owner.token)],
    ['POST /api/v1/conversations/{id}/leave', () => call('POST', `/conversations/${group.id}/leave`, bob.token)],
    ['POST /api/v1/sync', () => call('POST', '/sync', alice.token, { cursors: { [channel.id]: 0 } })],
    // Last on the channel: its log now holds every kind of event (joins, a kick, a role change, edits, reactions, a recall).
    ['GET /api/v1/conversations/{id}/events', () => call('GET', `/conversations/${channel.id}/events?after_seq=0`, alice.token)],
    ['GET /api/v1/conversations/{id}/notices', () => call('GET', `/conversations/${channel.id}/notices?after_seq=0`, alice.token)],
    // With every filter, so the entries it answers (each with its actor's username) are checked against the schema.
    ['GET /api/v1/admin/audit', () => call('GET', `/admin/audit?actor=${owner.user.username}&action=conversation.&since=2000-01-01T00:00:00Z&until=${Date.now() + 60_000}&limit=50`, owner.token)],
    // The channel's first message: recalled by now, with members who read, acked or neither.
    ['GET /api/v1/admin/messages/{id}/trace', () => call('GET', `/admin/messages/${root.id}/trace`, owner.token)],
    ['GET /api/v1/admin/settings', () => call('GET', '/admin/settings', owner.token)],
    ['PATCH /api/v1/admin/settings', () => call('PATCH', '/admin/settings', owner.token, { require_2fa: false })],
    ['GET /api/v1/auth/options', () => call('GET', '/auth/options')],
    [
      'POST /api/v1/auth/sso/exchange',
      async () => {
        idp.accounts.set('openapi-sub', { email: 'openapi@corp.test', email_verified: true });
        const browser = new TestBrowser();
        const start = await browser.request(`${server.url}/api/v1/auth/sso/start`);
        const login = await browser.follow(start.location!, (u) => u.pathname.startsWith('/interaction/'));
        const callback = await browser.signInAtProvider(login, 'openapi-sub', (u) => u.pathname === '/api/v1/auth/sso/callback');
        const back = new URL((await browser.request(callback)).location!);
        return call('POST', '/auth/sso/exchange', undefined, { code: new URLSearchParams(back.hash.slice(1)).get('sso_code') });
      },
    ],
    ['GET /api/v1/admin/users', () => call('GET', '/admin/users', owner.token)],
    ['PATCH /api/v1/admin/users/{id}', () => call('PATCH', `/admin/users/${bob.user.id}`, owner.token, { role: 'admin' })],
    ['GET /api/v1/admin/users/{id}/sessions', () => call('GET', `/admin/users/${bob.user.id}/sessions`, owner.token)],
    [
      'DELETE /api/v1/admin/users/{id}/sessions',
      async () => {
        // Someone of their own: bob and the others go on using their sessions in the cases after this one.
        const dan = await registerUser(server);
        return call('DELETE', `/admin/users/${dan.user.id}/sessions`, owner.token);
      },
    ],
    ['GET /api/v1/admin/channels', () => call('GET', '/admin/channels?query=&limit=5&offset=0', owner.token)],
    ['GET /api/v1/admin/integrations', () => call('GET', '/admin/integrations', owner.token)],
    [
      'GET /api/v1/admin/stats',
      async () => {
        await server.parley.heartbeat.beat();
        return call('GET', '/admin/stats', owner.token);
      },
    ],
    ['GET /api/v1/files/{id}', () => call('GET', `/files/${picture}`, owner.token)],
    ['GET /api/v1/files/{id}/thumbnail', () => call('GET', `/files/${picture}/thumbnail`, owner.token)],
    ['GET /api/v1/admin/backup', () => call('GET', '/admin/backup', owner.token)],
    ['POST /api/v1/auth/logout', () => call('POST', '/auth/logout', carol!.access_token)],
  ];

  const documented = operations()
    .map((o) => o.key)
    .sort();
  // A new route without a case here fails, and so does a case for a route that went away.
  expect(cases.map(([key]) => key).sort()).toEqual(documented);

  const ops = new Map(operations().map((o) => [o.key, o.op]));
  // What this engine cannot do, answered as the route documents: the online backup is the
  // embedded database's (PostgreSQL is backed up with pg_dump).
  const refusedHere = new Set(onPostgres() ? ['GET /api/v1/admin/backup'] : []);
  for (const [key, run] of cases) {
    const res = await run();
    if (refusedHere.has(key)) {
      expect(res.status, key).toBe(409);
      expect(Object.keys(ops.get(key)!.responses), `${key} documents its refusals`).toContain('4XX');
      expect((res.body as { error: { code: string } }).error.code).toBe('conflict');
      continue;
    }
    const declared = ops.get(key)!.responses[String(res.status)];
    expect(declared, `${key} answered ${res.status} ${JSON.stringify(res.body)}, a status it declares`).toBeTruthy();
    expect(res.status, `${key} succeeds`).toBeLessThan(300);
    const schema = declared!.content?.['application/json']?.schema;
    if (!schema && binarySchema(declared)) {
      expect(typeof res.body, `${key} ${res.status} answers the file's bytes`).toBe('string');
      continue;
    }
    if (!schema) {
      expect(res.body, `${key} ${res.status} has no body`).toBeUndefined();
      continue;
    }
    const wire = compile(schema);
    expect(wire(res.body) ? [] : wire.errors, `${key}: the body matches the declared schema`).toEqual([]);
    const exact = compile(closed(schema));
    expect(exact(res.returned) ? [] : exact.errors, `${key}: every field the handler returned is declared (none is dropped)`).toEqual([]);
  }
  // One real call of each of over a hundred operations, one after another (a backup and an avatar
  // upload among them): on a loaded 2-core CI that passed 30 s as the routes grew.
}, 120_000);

test('errors are answered in the declared error shape', async () => {
  const errorSchema = compile(doc.paths['/api/v1/me']!.get!.responses['4XX']!.content!['application/json']!.schema);
  for (const res of [
    await call('GET', '/me'),
    await call('GET', `/conversations/${'0'.repeat(26)}`, (await registerUser(server)).token),
    await call('POST', '/auth/login', undefined, { username: 'x' }),
  ]) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(errorSchema(res.body) ? [] : errorSchema.errors, JSON.stringify(res.body)).toEqual([]);
  }
});
