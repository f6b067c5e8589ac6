import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { CloseCodes, ERROR_CODES, type ErrorCode, type ErrorFrame, type MessageCreatedEvent, type ServerFrame } from '@parley/protocol';
import { RequestError, SocketClient, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

let server: TestServer;
let alice: TestUser;

beforeAll(async () => {
  // Low abuse limits so floods and oversize frames are cheap to produce.
  server = await startServer({ limits: { maxFrameBytes: 4096, frameRatePerSec: 5, frameBurst: 10 } });
  alice = await registerUser(server);
});
afterAll(async () => {
  await server.stop();
});

const isError = (f: ServerFrame): f is ErrorFrame => f.type === 'error';

/** Waits for the next error frame after the ones already seen and checks it is a well-formed typed error. */
async function nextError(c: SocketClient, seen: number, code: ErrorCode, id: string | null): Promise<ErrorFrame> {
  const f = (await c.waitForFrame((x) => isError(x) && c.frames.filter(isError).indexOf(x) >= seen)) as ErrorFrame;
  expect({ id: f.id, code: f.error.code }).toEqual({ id, code });
  expect(ERROR_CODES).toContain(f.error.code);
  expect(f.error.message).toBeTypeOf('string');
  expect(f.error.message.length).toBeGreaterThan(0);
  return f;
}

/** The socket is still open and serving: a ping round-trips. */
async function expectStillServing(c: SocketClient): Promise<void> {
  await expect(c.request('ping', {})).resolves.toHaveProperty('ts');
  expect(c.closeInfo).toBeNull();
}

async function requestError(p: Promise<unknown>): Promise<RequestError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RequestError);
  return e as RequestError;
}

describe('malformed frames get a typed error frame and the socket stays open', () => {
  test('a text frame that is not JSON is answered with invalid_json', async () => {
    const c = await SocketClient.connect(server, alice.token);
    c.sendRaw('this is {not json');
    await nextError(c, 0, 'invalid_json', null);
    await expectStillServing(c);
    await c.close();
  });

  test('a text frame with invalid UTF-8 bytes is answered with invalid_utf8', async () => {
    const c = await SocketClient.connect(server, alice.token);
    c.ws.send(Buffer.concat([Buffer.from('{"id":"u1","type":"ping","data":{"x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}')]), { binary: false });
    await nextError(c, 0, 'invalid_utf8', null);
    await expectStillServing(c);
    await c.close();
  });

  test('a binary frame is answered with invalid_frame', async () => {
    const c = await SocketClient.connect(server, alice.token);
    c.ws.send(Buffer.from(JSON.stringify({ id: 'b1', type: 'ping', data: {} })), { binary: true });
    await nextError(c, 0, 'invalid_frame', null);
    await expectStillServing(c);
    await c.close();
  });

  test('a frame without an id or a type is answered with invalid_frame', async () => {
    const c = await SocketClient.connect(server, alice.token);
    c.sendRaw(JSON.stringify({ type: 'ping', data: {} }));
    await nextError(c, 0, 'invalid_frame', null);
    c.sendRaw(JSON.stringify({ id: 'no-type', data: {} }));
    await nextError(c, 1, 'invalid_frame', 'no-type');
    c.sendRaw(JSON.stringify([1, 2, 3]));
    await nextError(c, 2, 'invalid_frame', null);
    c.sendRaw(JSON.stringify({ id: 42, type: 'ping' }));
    await nextError(c, 3, 'invalid_frame', null);
    await expectStillServing(c);
    await c.close();
  });

  test('a frame of an unknown type is answered with unknown_frame carrying the request id', async () => {
    const c = await SocketClient.connect(server, alice.token);
    const e = await requestError(c.request('message.explode' as 'ping', {}));
    expect(e.error.code).toBe('unknown_frame');
    c.sendRaw(JSON.stringify({ id: 'proto', type: '__proto__', data: {} }));
    await nextError(c, 1, 'unknown_frame', 'proto');
    c.sendRaw(JSON.stringify({ id: 'ctor', type: 'constructor', data: {} }));
    await nextError(c, 2, 'unknown_frame', 'ctor');
    await expectStillServing(c);
    await c.close();
  });

  test('a known request with data of the wrong types is answered with invalid_request naming the field', async () => {
    const bob = await registerUser(server);
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const c = await SocketClient.connect(server, alice.token);
    const seq = await requestError(c.request('read.mark', { conv_id: dm.id, seq: '5' }));
    expect(seq.error.code).toBe('invalid_request');
    expect(seq.error.field).toMatch(/\/seq$/);
    const body = await requestError(c.request('message.send', { conv_id: dm.id, client_msg_id: 'bad-body', body: 123 }));
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.field).toMatch(/\/body$/);
    const extra = await requestError(c.request('ping', { sneaky: true }));
    expect(extra.error.code).toBe('invalid_request');
    await expectStillServing(c);
    await c.close();
  });

  test('a request before auth is answered with unauthenticated, and the socket can still authenticate afterwards', async () => {
    const c = new SocketClient(server.wsUrl);
    await c.opened;
    const e = await requestError(c.request('message.send', { conv_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', client_msg_id: 'early', body: 'hi' }));
    expect(e.error.code).toBe('unauthenticated');
    const ping = await requestError(c.request('ping', {}));
    expect(ping.error.code).toBe('unauthenticated');
    const hello = await c.request('auth', { token: alice.token });
    expect(hello).toMatchObject({ type: 'hello', user: { id: alice.user.id } });
    await expectStillServing(c);
    await c.close();
  });

  test('authenticating twice is answered with already_authenticated and the first identity stays', async () => {
    const bob = await registerUser(server);
    const c = await SocketClient.connect(server, alice.token);
    const e = await requestError(c.request('auth', { token: bob.token }));
    expect(e.error.code).toBe('already_authenticated');
    await expectStillServing(c);
    // Still Alice: what she sends on this socket is hers.
    const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
    const ack = await c.request('message.send', { conv_id: dm.id, client_msg_id: 'still-alice', body: 'who am I?' });
    expect(ack.message.sender_id).toBe(alice.user.id);
    await c.close();
  });
});

describe('abuse closes the socket', () => {
  test('a frame larger than maxFrameBytes closes the socket with 1008 and a reason', async () => {
    const c = await SocketClient.connect(server, alice.token);
    c.sendRaw(JSON.stringify({ id: 'big', type: 'ping', data: { pad: 'x'.repeat(5000) } }));
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCodes.policyViolation);
    expect(closed.reason).toMatch(/too large/i);
  });

  test('a frame far beyond the limit (past the transport cap of 4x maxFrameBytes) closes the socket with 1009 message-too-big', async () => {
    // ws itself refuses it before the gateway sees it; ws sends no close reason here (see the report).
    const c = await SocketClient.connect(server, alice.token);
    c.sendRaw(JSON.stringify({ id: 'huge', type: 'ping', data: { pad: 'x'.repeat(64 * 1024) } }));
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCodes.tooBig);
  });

  test('flooding beyond the frame rate closes the socket with 1008 and a reason', async () => {
    const c = await SocketClient.connect(server, alice.token);
    for (let i = 0; i < 40; i++) c.sendRaw(JSON.stringify({ id: `f${i}`, type: 'ping', data: {} }));
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCodes.policyViolation);
    expect(closed.reason).toMatch(/flood/i);
  });

  test('a frame rate within the limit is not treated as a flood', async () => {
    const c = await SocketClient.connect(server, alice.token);
    // auth used one token of the burst of 10; eight more pings stay inside it.
    await Promise.all(Array.from({ length: 8 }, () => c.request('ping', {})));
    await expectStillServing(c);
    await c.close();
  });

  test('a bad token on auth gets an error frame and then a 4002 close', async () => {
    const c = new SocketClient(server.wsUrl);
    await c.opened;
    const e = await requestError(c.request('auth', { token: 'not-a-token' }));
    expect(e.error.code).toBe('invalid_token');
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCodes.authFailed);
  });

  test('a revoked session cannot authenticate a new socket: error frame session_revoked, then 4002', async () => {
    const u = await registerUser(server);
    const res = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${u.token}` } });
    expect(res.status).toBe(204);
    const c = new SocketClient(server.wsUrl);
    await c.opened;
    const e = await requestError(c.request('auth', { token: u.token }));
    expect(e.error.code).toBe('session_revoked');
    expect((await c.closed).code).toBe(CloseCodes.authFailed);
  });
});

describe('authentication timeout', () => {
  let slow: TestServer;
  beforeAll(async () => {
    slow = await startServer({ limits: { authTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await slow.stop();
  });

  test('a socket that does not authenticate within authTimeoutMs is closed with 4001', async () => {
    const started = Date.now();
    const ws = new WebSocket(slow.wsUrl);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    expect(closed.code).toBe(CloseCodes.authTimeout);
    expect(closed.reason.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  test('a socket that authenticates in time is not closed by the timeout', async () => {
    const u = await registerUser(slow);
    const c = await SocketClient.connect(slow, u.token);
    await new Promise((r) => setTimeout(r, 450));
    await expectStillServing(c);
    await c.close();
  });
});

test('after all the abuse the server still serves other clients: a normal send reaches the other member', async () => {
  const carol = await registerUser(server);
  const dave = await registerUser(server);
  const dm = await createConversation(server, carol.token, { kind: 'dm', user_id: dave.user.id });
  const c = await SocketClient.connect(server, carol.token);
  const d = await SocketClient.connect(server, dave.token);
  const ack = await c.request('message.send', { conv_id: dm.id, client_msg_id: 'after-abuse', body: 'all good?' });
  const got = await d.waitFor<MessageCreatedEvent>((e) => e.type === 'message.created' && e.message.id === ack.id);
  expect(got.message.body).toBe('all good?');
  await c.close();
  await d.close();
});
