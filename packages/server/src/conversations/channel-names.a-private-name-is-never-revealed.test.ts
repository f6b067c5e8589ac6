import { expect, test } from 'vitest';
import type { Conversation, ErrorBody } from '@parley/protocol';
import { api, createConversation, registerUser, type ApiResult, type TestServer, type TestUser } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
serverPerFile((s) => (server = s));

let n = 0;
const fresh = (p: string) => `${p}-${process.pid}-${++n}`;
const channel = (u: TestUser, name: string, visibility: 'public' | 'private') =>
  api<Conversation | { error: ErrorBody }>(server, 'POST', '/conversations', { kind: 'channel', name, visibility }, u.token);
const rename = (u: TestUser, convId: string, name: string) => api<Conversation | { error: ErrorBody }>(server, 'PATCH', `/conversations/${convId}`, { name }, u.token);
const codeOf = (r: ApiResult) => (r.status < 300 ? r.status : `${r.status} ${(r.body as { error: ErrorBody }).error.code}`);

// Creating a public channel answered 409 conflict when a private channel of that name existed:
// anyone could test private channel names. A name now clashes only with channels one can see.
test('someone outside a private channel gets the same answer for its name as for a name nobody uses, on create and on rename', async () => {
  const insider = await registerUser(server);
  const outsiders = { public: await registerUser(server), private: await registerUser(server) };
  const secret = fresh('acquisition-of-acme');
  const priv = await createConversation(server, insider.token, { kind: 'channel', name: secret, visibility: 'private' });

  // Private first: a public channel of that name, once it exists, is one everybody sees.
  for (const visibility of ['private', 'public'] as const) {
    const taken = await channel(outsiders[visibility], visibility === 'public' ? secret : secret.toUpperCase(), visibility);
    const unused = await channel(outsiders[visibility], fresh('nobody-uses-this'), visibility);
    expect([codeOf(taken), visibility]).toEqual([codeOf(unused), visibility]);
    expect(taken.status).toBe(201);
  }

  const secret2 = fresh('layoffs');
  await createConversation(server, insider.token, { kind: 'channel', name: secret2, visibility: 'private' });
  for (const visibility of ['private', 'public'] as const) {
    const renamer = await registerUser(server);
    const c = await createConversation(server, renamer.token, { kind: 'channel', name: fresh('mine'), visibility });
    const taken = await rename(renamer, c.id, secret2);
    const unused = await rename(renamer, c.id, fresh('unused'));
    expect([visibility, codeOf(taken)]).toEqual([visibility, codeOf(unused)]);
    expect(taken.status).toBe(200);
  }
  // The public channel named `secret` (visible to all) does clash.
  const other = await registerUser(server);
  const mine = await createConversation(server, other.token, { kind: 'channel', name: fresh('mine'), visibility: 'public' });
  expect(codeOf(await rename(other, mine.id, secret))).toBe('409 conflict');

  // The private channel is untouched and still has its name.
  expect((await api<Conversation>(server, 'GET', `/conversations/${priv.id}`, undefined, insider.token)).body.name).toBe(secret);
});

test('names still clash where the creator can see the other channel: public among public, and my own channels', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const pub = fresh('general');
  expect((await channel(alice, pub, 'public')).status).toBe(201);
  // Every non-guest sees every public channel: this 409 tells bob nothing new.
  expect(codeOf(await channel(bob, pub.toUpperCase(), 'public'))).toBe('409 conflict');
  expect(codeOf(await channel(bob, pub, 'private'))).toBe('409 conflict');

  const priv = fresh('team');
  const team = await createConversation(server, alice.token, { kind: 'channel', name: priv, visibility: 'private', member_ids: [bob.user.id] });
  expect(codeOf(await channel(alice, priv, 'private'))).toBe('409 conflict');
  expect(codeOf(await channel(bob, priv, 'private'))).toBe('409 conflict');
  // Renaming a public channel onto a public name is a conflict; onto its own name, a no-op.
  const other = (await channel(alice, fresh('other'), 'public')).body as Conversation;
  expect(codeOf(await rename(alice, other.id, pub))).toBe('409 conflict');
  expect(codeOf(await rename(alice, other.id, other.name!))).toBe(200);
  expect(codeOf(await rename(alice, team.id, priv))).toBe(200);
});
