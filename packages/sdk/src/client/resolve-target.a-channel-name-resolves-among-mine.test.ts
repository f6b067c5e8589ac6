import { afterAll, beforeAll, expect, test } from 'vitest';
import { createConversation, registerUser, startServer, type TestServer } from '@parley/server/testing';
import { Parley } from '../node.js';
import { ParleyError } from './errors.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  await registerUser(server);
});
afterAll(async () => {
  await server.stop();
});

// Private channel names are not unique (a clash would reveal them to outsiders), so `#name` (as in
// `parley send '#name'`) resolves among the user's own channels and never guesses between two.
test('#name resolves to my channel even when private channels elsewhere share the name, and refuses to guess between two of mine', async () => {
  const [alice, bob, carol] = [await registerUser(server), await registerUser(server), await registerUser(server)];
  const name = `ops-${process.pid}`;
  const alices = await createConversation(server, alice.token, { kind: 'channel', name, visibility: 'private', member_ids: [carol.user.id] });
  const bobs = await createConversation(server, bob.token, { kind: 'channel', name, visibility: 'private', member_ids: [carol.user.id] });

  for (const [who, expected] of [
    [alice, alices.id],
    [bob, bobs.id],
  ] as const) {
    const client = new Parley({ url: server.url, token: who.token });
    expect((await client.resolveTarget(`#${name.toUpperCase()}`)).id).toBe(expected);
    await client.close();
  }

  const inBoth = new Parley({ url: server.url, token: carol.token });
  const err = await inBoth.resolveTarget(`#${name}`).then(
    () => null,
    (e: unknown) => e,
  );
  await inBoth.close();
  expect(err).toBeInstanceOf(ParleyError);
  expect((err as ParleyError).code).toBe('conflict');
  expect((err as ParleyError).message).toContain(alices.id);
  expect((err as ParleyError).message).toContain(bobs.id);
});
