import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ERROR_CODES, RequestSchemas, type Conversation, type ServerFrame } from '@parley/protocol';
import { SocketClient, createConversation, registerUser, startServer, type TestServer, type TestUser } from '../testing/harness.js';

/** About 10,000 cases in CI (1,300 batches of up to 10 frames, averaging 5.5, plus 3,000 REST bodies); `npm run test:reliability` runs ten times as many. */
const SCALE = process.env.PARLEY_RELIABILITY_FULL === '1' ? 10 : 1;

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let dm: Conversation;
beforeAll(async () => {
  server = await startServer();
  [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
});
afterAll(async () => {
  await server.stop();
});

const types = [...Object.keys(RequestSchemas).filter((t) => t !== 'auth'), 'nope', '', '__proto__', 'constructor', 'message.send ', 'MESSAGE.SEND'];
const idLike = () => fc.oneof(fc.constant('01M898RFZW1WFPFE7KQN140XVC'), fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null));

/** Frames that are valid JSON objects with random shapes, biased towards almost-valid requests. */
const frame = fc.record(
  {
    id: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer(), fc.constant(null)),
    type: fc.constantFrom(...types),
    data: fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record({ conv_id: idLike(), client_msg_id: fc.oneof(fc.uuid(), fc.string({ maxLength: 70 })), body: fc.oneof(fc.string({ maxLength: 200 }), fc.integer()) }, { requiredKeys: [] }),
      fc.record({ message_id: idLike(), emoji: fc.string({ maxLength: 70 }), seq: fc.oneof(fc.integer(), fc.double(), fc.string()) }, { requiredKeys: [] }),
      fc.record({ cursors: fc.dictionary(fc.string({ maxLength: 30 }), fc.oneof(fc.integer(), fc.string())) }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
);

test('random socket frames each get a result or a typed error, the socket stays open, others are served throughout', async () => {
  const sock = await SocketClient.connect(server, alice.token);
  const other = await SocketClient.connect(server, bob.token);
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 10 }), async (frames) => {
      const before = sock.frames.length;
      const stamped = frames.map((f) => ({ ...f, id: `f${n++}` }));
      for (const f of stamped) sock.sendRaw(JSON.stringify(f));
      // Every frame with an id gets exactly one answer carrying that id.
      const answered = await sock.waitForFrame(() => sock.frames.slice(before).filter((x) => x.type === 'result' || x.type === 'error').length >= stamped.length, 10_000);
      expect(answered).toBeTruthy();
      const answers = sock.frames.slice(before).filter((x): x is Extract<ServerFrame, { type: 'result' | 'error' }> => x.type === 'result' || x.type === 'error');
      expect(answers.map((a) => a.id).sort()).toEqual(stamped.map((f) => f.id).sort());
      for (const a of answers) if (a.type === 'error') expect(ERROR_CODES).toContain(a.error.code);
      expect(answers.some((a) => a.type === 'error' && a.error.code === 'internal')).toBe(false);
    }),
    { numRuns: 1_300 * SCALE },
  );
  expect(sock.closeInfo).toBeNull();
  const ack = await other.request('message.send', { conv_id: dm.id, client_msg_id: `after-fuzz-${Date.now()}`, body: 'still serving' });
  expect(ack.seq).toBeGreaterThan(0);
  await Promise.all([sock.close(), other.close()]);
}, 180_000);

const routes: { method: string; path: () => string }[] = [
  { method: 'POST', path: () => `/conversations/${dm.id}/messages` },
  { method: 'POST', path: () => '/conversations' },
  { method: 'PATCH', path: () => '/me' },
  { method: 'POST', path: () => `/conversations/${dm.id}/read` },
  { method: 'POST', path: () => '/sync' },
  { method: 'POST', path: () => '/auth/login' },
  { method: 'POST', path: () => '/auth/refresh' },
  { method: 'PATCH', path: () => `/conversations/${dm.id}` },
];

test('random REST bodies and query strings get a success or a typed 4xx, never a 5xx', async () => {
  const bodies = fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 100 }), fc.constantFrom('', '{', '[]', 'null', '{"a":', '\u0000', '{"body":"\ud800"}'));
  const ok = new Set([200, 201, 204, 400, 401, 403, 404, 409, 413, 415, 429]);
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), bodies, fc.string({ maxLength: 20 }), async (route, body, query) => {
      const res = await fetch(`${server.url}/api/v1${route.path()}?${encodeURIComponent(query)}=1`, {
        method: route.method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
        body,
      });
      expect(ok.has(res.status), `${route.method} ${route.path()} ${JSON.stringify(body)} → ${res.status}`).toBe(true);
      const text = await res.text();
      if (res.status >= 400) {
        const parsed = JSON.parse(text) as { error: { code: string; message: string } };
        expect(ERROR_CODES).toContain(parsed.error.code);
        expect(typeof parsed.error.message).toBe('string');
      }
    }),
    { numRuns: 3_000 * SCALE },
  );
}, 180_000);
