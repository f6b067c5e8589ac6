import { expect, test } from 'vitest';
import type { ErrorBody, ErrorFrame, HistoryPage, Message, User } from '@parley/protocol';
import { api, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

/** A raw JSON text: `JSON.stringify` would keep the escape, but the point is to send exactly these bytes. */
async function rawJson(method: string, route: string, json: string, token: string): Promise<{ status: number; body: { error: ErrorBody } }> {
  const res = await fetch(`${server.url}/api/v1${route}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: json });
  return { status: res.status, body: (await res.json()) as { error: ErrorBody } };
}

// "a\ud800b" is valid JSON and a valid JavaScript string, but not Unicode text: stored, the live
// event carried one thing and the replayed history another. It is refused before anything happens.
test('a lone UTF-16 surrogate in a REST body is refused with invalid_request naming the field, and nothing is stored', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const b = await connect(bob);

  const cases: [string, string, string, string][] = [
    ['POST', `/conversations/${dm.id}/messages`, '{"client_msg_id":"lone-high","body":"a\\ud800b"}', '/body/body'],
    ['POST', `/conversations/${dm.id}/messages`, '{"client_msg_id":"lone-low","body":"\\uDC00 at the start"}', '/body/body'],
    ['POST', `/conversations/${dm.id}/messages`, '{"client_msg_id":"reversed","body":"\\ude00\\ud83d"}', '/body/body'],
    ['PATCH', '/me', '{"display_name":"Al\\ud83d"}', '/body/display_name'],
    ['PATCH', '/me', '{"status_text":"x\\udfff"}', '/body/status_text'],
    ['POST', '/conversations', '{"kind":"channel","visibility":"public","name":"ch\\ud800an"}', '/body/name'],
  ];
  for (const [method, route, json, field] of cases) {
    const res = await rawJson(method, route, json, alice.token);
    expect({ status: res.status, code: res.body.error?.code, field: res.body.error?.field }, `${method} ${route} ${json}`).toEqual({ status: 400, code: 'invalid_request', field });
    expect(res.body.error.message).toMatch(/surrogate/);
  }

  const history = await api<HistoryPage>(server, 'GET', `/conversations/${dm.id}/messages`, undefined, bob.token);
  expect(history.body.messages).toEqual([]);
  const me = await api<User>(server, 'GET', '/me', undefined, alice.token);
  expect(me.body.display_name).toBe(alice.user.display_name);
  expect(me.body.status_text).toBeNull();
  await b.request('ping', {});
  expect(b.events.filter((e) => e.type === 'message.created')).toEqual([]);

  // A surrogate pair written as escapes is a character like any other.
  const ok = await rawJson('POST', `/conversations/${dm.id}/messages`, '{"client_msg_id":"pair","body":"smile \\ud83d\\ude00"}', alice.token);
  expect(ok.status).toBe(201);
  expect((ok.body as unknown as Message).body).toBe('smile 😀');
});

test('a lone surrogate in a socket frame is answered with an invalid_request error frame naming the field; the socket stays open and nothing is stored', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const a = await connect(alice);
  const b = await connect(bob);

  a.sendRaw(`{"id":"lone1","type":"message.send","data":{"conv_id":"${dm.id}","client_msg_id":"sock-lone","body":"a\\ud800b"}}`);
  const err = (await a.waitForFrame((f) => f.type === 'error' && f.id === 'lone1')) as ErrorFrame;
  expect(err.error).toMatchObject({ code: 'invalid_request', field: '/data/body' });
  a.sendRaw(`{"id":"lone2","type":"message.edit","data":{"message_id":"01ARZ3NDEKTSV4RRFFQ69G5FAV","body":"\\udbff"}}`);
  expect(((await a.waitForFrame((f) => f.type === 'error' && f.id === 'lone2')) as ErrorFrame).error).toMatchObject({ code: 'invalid_request', field: '/data/body' });
  // Even an id that is not well-formed gets its answer, with no id to echo.
  a.sendRaw('{"id":"x\\ud800","type":"ping","data":{}}');
  expect(((await a.waitForFrame((f) => f.type === 'error' && f.id === null)) as ErrorFrame).error).toMatchObject({ code: 'invalid_request', field: '/id' });

  await expect(a.request('ping', {})).resolves.toHaveProperty('ts');
  expect(a.closeInfo).toBeNull();
  const history = await b.request('history', { conv_id: dm.id });
  expect(history.messages).toEqual([]);
  expect(b.events.filter((e) => e.type === 'message.created')).toEqual([]);

  a.sendRaw(`{"id":"pair","type":"message.send","data":{"conv_id":"${dm.id}","client_msg_id":"sock-pair","body":"\\ud83d\\ude00"}}`);
  const sent = await b.waitFor((e) => e.type === 'message.created' && e.conv_id === dm.id);
  expect(sent.type === 'message.created' && sent.message.body).toBe('😀');
});
