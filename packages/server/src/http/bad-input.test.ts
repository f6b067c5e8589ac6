import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ERROR_CODES, type ErrorBody, type ErrorCode, type Message } from '@parley/protocol';
import { RequestError, SocketClient, api, createConversation, registerUser, startServer, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';

/** Every error body is exactly `{ error: { code, message } }`, plus `field` / `retry_after_ms` where they apply. */
function expectErrorShape(body: unknown): ErrorBody {
  expect(body).toBeTypeOf('object');
  expect(Object.keys(body as object)).toEqual(['error']);
  const e = (body as { error: ErrorBody }).error;
  expect(ERROR_CODES).toContain(e.code);
  expect(e.message).toBeTypeOf('string');
  expect(e.message.length).toBeGreaterThan(0);
  for (const k of Object.keys(e)) expect(['code', 'message', 'field', 'retry_after_ms']).toContain(k);
  return e;
}

function expectError(res: ApiResult, status: number, code: ErrorCode): ErrorBody {
  expect({ status: res.status, code: (res.body as { error?: ErrorBody } | undefined)?.error?.code }).toEqual({ status, code });
  return expectErrorShape(res.body);
}

/** A raw HTTP request: any bytes, any content type. */
async function raw(server: TestServer, method: string, route: string, body: string | Uint8Array | undefined, contentType: string | undefined, token?: string): Promise<ApiResult> {
  const headers: Record<string, string> = {};
  if (contentType) headers['content-type'] = contentType;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${route}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* left as text: the assertion on the shape will fail loudly */
  }
  return { status: res.status, body: parsed };
}

const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('REST requests with bad input', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let convId: string;
  let messageId: string;

  beforeAll(async () => {
    server = await startServer({ limits: { maxBodyBytes: 2048, maxMessageChars: 200 } });
    alice = await registerUser(server);
    bob = await registerUser(server);
    convId = (await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id })).id;
    const sent = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'first', body: 'hello' }, alice.token);
    expect(sent.status).toBe(201);
    messageId = sent.body.id;
  });
  afterAll(async () => {
    await server.stop();
  });

  const send = () => `/api/v1/conversations/${convId}/messages`;

  test('malformed JSON is answered with 400 invalid_json', async () => {
    expectError(await raw(server, 'POST', send(), '{"client_msg_id": "x", "body": ', 'application/json', alice.token), 400, 'invalid_json');
    expectError(await raw(server, 'POST', send(), "{'single': 'quotes'}", 'application/json', alice.token), 400, 'invalid_json');
  });

  test('a JSON body with invalid UTF-8 bytes is answered with 400 invalid_utf8, not silently mangled', async () => {
    const bytes = Buffer.concat([Buffer.from('{"client_msg_id":"utf8","body":"caf'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    expectError(await raw(server, 'POST', send(), bytes, 'application/json', alice.token), 400, 'invalid_utf8');
    // Nothing was stored.
    const hist = await api<{ messages: Message[] }>(server, 'GET', `/conversations/${convId}/messages`, undefined, alice.token);
    expect(hist.body.messages.map((m) => m.client_msg_id)).not.toContain('utf8');
  });

  test('a field of the wrong type is answered with 400 invalid_request naming the field, never coerced', async () => {
    const seq = expectError(await api(server, 'POST', `/conversations/${convId}/read`, { seq: '5' }, alice.token), 400, 'invalid_request');
    expect(seq.field).toMatch(/\/seq$/);
    const body = expectError(await api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'typed', body: 123 }, alice.token), 400, 'invalid_request');
    expect(body.field).toMatch(/\/body$/);
    const missing = expectError(await api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'missing' }, alice.token), 400, 'invalid_request');
    expect(missing.message).toContain('body');
  });

  test('an unknown extra field is refused with 400 invalid_request rather than dropped', async () => {
    const e = expectError(await api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'extra', body: 'hi', admin: true }, alice.token), 400, 'invalid_request');
    expect(e.message).toContain('admin');
    expectError(await api(server, 'PATCH', '/me', { display_name: 'Al', role: 'owner' }, alice.token), 400, 'invalid_request');
  });

  test('a body larger than maxBodyBytes is refused with 413 payload_too_large', async () => {
    const big = JSON.stringify({ client_msg_id: 'big', body: 'x'.repeat(4000) });
    expectError(await raw(server, 'POST', send(), big, 'application/json', alice.token), 413, 'payload_too_large');
  });

  test('a message longer than maxMessageChars is refused with 413 payload_too_large; exactly the limit is accepted, counting characters not bytes', async () => {
    const tooLong = await api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'long', body: 'y'.repeat(201) }, alice.token);
    expectError(tooLong, 413, 'payload_too_large');
    // 200 emoji are 800 UTF-8 bytes and 400 UTF-16 units, yet 200 characters: within the limit.
    const atLimit = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'emoji200', body: '😀'.repeat(200) }, alice.token);
    expect(atLimit.status).toBe(201);
    expect(atLimit.body.body).toBe('😀'.repeat(200));
    expectError(await api(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'emoji201', body: '😀'.repeat(201) }, alice.token), 413, 'payload_too_large');
    // Editing is held to the same limit.
    expectError(await api(server, 'PATCH', `/messages/${messageId}`, { body: 'z'.repeat(201) }, alice.token), 413, 'payload_too_large');
  });

  test('well-formed ids that match nothing are answered with 404 not_found', async () => {
    expectError(await api(server, 'GET', `/conversations/${UNKNOWN_ID}`, undefined, alice.token), 404, 'not_found');
    expectError(await api(server, 'GET', `/conversations/${UNKNOWN_ID}/messages`, undefined, alice.token), 404, 'not_found');
    expectError(await api(server, 'POST', `/conversations/${UNKNOWN_ID}/messages`, { client_msg_id: 'nowhere', body: 'hi' }, alice.token), 404, 'not_found');
    expectError(await api(server, 'GET', `/messages/${UNKNOWN_ID}`, undefined, alice.token), 404, 'not_found');
    expectError(await api(server, 'PATCH', `/messages/${UNKNOWN_ID}`, { body: 'edit' }, alice.token), 404, 'not_found');
    expectError(await api(server, 'POST', `/messages/${UNKNOWN_ID}/reactions`, { emoji: '👍' }, alice.token), 404, 'not_found');
    expectError(await api(server, 'GET', `/users/${UNKNOWN_ID}`, undefined, alice.token), 404, 'not_found');
  });

  test('malformed ids are answered with 400 invalid_request, not 404 or 500', async () => {
    for (const route of ['/conversations/not-a-ulid', '/conversations/01arz3ndektsv4rrffq69g5fav', `/conversations/${UNKNOWN_ID}X/messages`, '/messages/123', "/users/'%20OR%201=1"]) {
      const e = expectError(await api(server, 'GET', route, undefined, alice.token), 400, 'invalid_request');
      expect(e.field).toBeDefined();
    }
  });

  test('an unknown route is answered with 404, a method the path does not answer with 405, both in the standard error body', async () => {
    const res = await raw(server, 'GET', '/api/v1/no-such-thing', undefined, undefined, alice.token);
    expectError(res, 404, 'not_found');
    expectError(await raw(server, 'DELETE', '/api/v1/me', undefined, undefined, alice.token), 405, 'method_not_allowed');
    expectError(await raw(server, 'GET', '/api/v2/me', undefined, undefined), 404, 'not_found');
  });

  test('a body that is not JSON is answered with 415 unsupported_media_type', async () => {
    const payload = JSON.stringify({ client_msg_id: 'ctype', body: 'hi' });
    expectError(await raw(server, 'POST', send(), payload, 'application/xml', alice.token), 415, 'unsupported_media_type');
    expectError(await raw(server, 'POST', send(), payload, 'text/plain', alice.token), 415, 'unsupported_media_type');
    expectError(await raw(server, 'POST', send(), 'client_msg_id=ctype&body=hi', 'application/x-www-form-urlencoded', alice.token), 415, 'unsupported_media_type');
  });

  test('an empty body where one is required is answered with 400, not 500', async () => {
    const res = await raw(server, 'POST', send(), '', 'application/json', alice.token);
    expect(res.status).toBe(400);
    expectErrorShape(res.body);
  });

  test('after all the bad input the server still serves a normal send', async () => {
    const ok = await api<Message>(server, 'POST', `/conversations/${convId}/messages`, { client_msg_id: 'after', body: 'still fine' }, bob.token);
    expect(ok.status).toBe(201);
  });
});

describe('the send rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ limits: { sendRatePerSec: 1, sendBurst: 2 } });
  });
  afterAll(async () => {
    await server.stop();
  });

  test('sending faster than the limit over REST is answered with 429 rate_limited and a positive retry_after_ms', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const dm = await createConversation(server, a.token, { kind: 'dm', user_id: b.user.id });
    const route = `/conversations/${dm.id}/messages`;
    expect((await api(server, 'POST', route, { client_msg_id: 'r1', body: 'one' }, a.token)).status).toBe(201);
    expect((await api(server, 'POST', route, { client_msg_id: 'r2', body: 'two' }, a.token)).status).toBe(201);
    const res = await fetch(`${server.url}/api/v1${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
      body: JSON.stringify({ client_msg_id: 'r3', body: 'three' }),
    });
    const body = (await res.json()) as { error: ErrorBody };
    expectError({ status: res.status, body }, 429, 'rate_limited');
    expect(body.error.retry_after_ms).toBeGreaterThan(0);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // The limit is per user: the other member is not slowed down.
    expect((await api(server, 'POST', route, { client_msg_id: 'b1', body: 'bob speaks' }, b.token)).status).toBe(201);
    // A retry of an already-acked send is answered from the original, not rate limited.
    expect((await api(server, 'POST', route, { client_msg_id: 'r1', body: 'one' }, a.token)).status).toBe(200);
  });

  test('sending faster than the limit on the socket is answered with a rate_limited error frame carrying retry_after_ms, and the socket stays open', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const dm = await createConversation(server, a.token, { kind: 'dm', user_id: b.user.id });
    const s = await SocketClient.connect(server, a.token);
    await s.request('message.send', { conv_id: dm.id, client_msg_id: 's1', body: 'one' });
    // REST and the socket draw on one bucket per user: a REST send uses up the rest of the burst.
    expect((await api(server, 'POST', `/conversations/${dm.id}/messages`, { client_msg_id: 's2', body: 'two' }, a.token)).status).toBe(201);
    const err = await s.request('message.send', { conv_id: dm.id, client_msg_id: 's3', body: 'three' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestError);
    const body = (err as RequestError).error;
    expect(body.code).toBe('rate_limited');
    expect(body.retry_after_ms).toBeGreaterThan(0);
    await expect(s.request('ping', {})).resolves.toHaveProperty('ts');
    expect(s.closeInfo).toBeNull();
    await s.close();
  });
});
