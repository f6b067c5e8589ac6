import { expect, test } from 'vitest';
import type { Conversation, ErrorBody } from '@parley/protocol';
import { api, createConversation, registerUser, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
serverPerFile((s) => (server = s));

const patch = (u: TestUser, convId: string, body: unknown) => api<Conversation | { error: ErrorBody }>(server, 'PATCH', `/conversations/${convId}`, body, u.token);
const answer = (r: ApiResult) => `${r.status} ${JSON.stringify(r.body)}`;

/** What the PATCH says for the right guess and for a wrong one; they must be word for word the same refusal. */
async function guesses(u: TestUser, convId: string, right: Record<string, unknown>, wrong: Record<string, unknown>): Promise<void> {
  const [r, w] = [await patch(u, convId, right), await patch(u, convId, wrong)];
  expect(answer(r), `right guess ${JSON.stringify(right)} vs wrong guess ${JSON.stringify(wrong)}`).toBe(answer(w));
  expect(r.status).toBe(403);
}

// A PATCH whose value equals the current one skipped the permission check and answered 200 with
// the conversation, where any other value was refused: a member who left could test guesses of
// the current name, topic and archived state one request at a time.
test('a member who left gets the same refusal for a right guess of the current name, topic or archived state as for a wrong one', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const carol = await registerUser(server);
  for (const kind of ['private', 'group'] as const) {
    const conv = await createConversation(
      server,
      alice.token,
      kind === 'group'
        ? { kind: 'group', name: `before-${kind}`, member_ids: [bob.user.id, carol.user.id] }
        : { kind: 'channel', visibility: 'private', name: `before-${kind}-${Date.now()}`, member_ids: [bob.user.id, carol.user.id] },
    );
    expect((await api(server, 'POST', `/conversations/${conv.id}/leave`, undefined, bob.token)).status).toBe(204);
    const secretName = `after-bob-left-${kind}-${Date.now()}`;
    expect((await patch(alice, conv.id, { name: secretName, topic: 'the plan' })).status).toBe(200);

    await guesses(bob, conv.id, { name: secretName }, { name: 'something else' });
    await guesses(bob, conv.id, { topic: 'the plan' }, { topic: 'no plan' });
    await guesses(bob, conv.id, { archived: false }, { archived: true });
    await guesses(bob, conv.id, { name: secretName, topic: 'the plan', archived: false }, { name: 'x', topic: 'y', archived: true });

    expect((await patch(alice, conv.id, { archived: true })).status).toBe(200);
    await guesses(bob, conv.id, { archived: true }, { archived: false });
    // Nor does the error for an ordinary change tell him it has been archived since he left.
    await guesses(bob, conv.id, { topic: 'the plan' }, { topic: 'no plan' });
    expect((await patch(bob, conv.id, { topic: 'anything' })).body).toMatchObject({ error: { code: 'not_member' } });

    // What bob sees is the conversation as he left it; nothing he sent changed it.
    const his = await api<Conversation>(server, 'GET', `/conversations/${conv.id}`, undefined, bob.token);
    expect(JSON.stringify(his.body)).not.toContain(secretName);
    const now = await api<Conversation>(server, 'GET', `/conversations/${conv.id}`, undefined, carol.token);
    expect(now.body).toMatchObject({ name: secretName, topic: 'the plan', archived: true });
  }
});

test('a field present in the body is checked even when it would not change: a plain member may not "rename" to the current name', async () => {
  const alice = await registerUser(server);
  const carol = await registerUser(server);
  const g = await createConversation(server, alice.token, { kind: 'group', name: 'same', member_ids: [carol.user.id] });
  const unchanged = await patch(carol, g.id, { name: 'same' });
  const changed = await patch(carol, g.id, { name: 'other' });
  expect(answer(unchanged)).toBe(answer(changed));
  expect(unchanged.body).toMatchObject({ error: { code: 'forbidden' } });
  // Someone allowed to change a field may still send it unchanged: a no-op that returns the conversation.
  const noop = await patch(alice, g.id, { name: 'same', topic: '' });
  expect(noop.status).toBe(200);
  expect(noop.body).toMatchObject({ id: g.id, name: 'same' });
  // A field the member may change, sent with one they may not, is refused as a whole.
  expect((await patch(carol, g.id, { topic: 'ok for members', archived: false })).body).toMatchObject({ error: { code: 'forbidden' } });
  expect((await api<Conversation>(server, 'GET', `/conversations/${g.id}`, undefined, alice.token)).body.topic).toBe('');
});
