import { expect, test } from 'vitest';
import { CloseCodes, type ErrorFrame } from '@parley/protocol';
import { RequestError, SocketClient, createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s), { limits: { maxSocketsPerUser: 3 } });

test('one account holds at most PARLEY_MAX_SOCKETS_PER_USER sockets: one more is refused with a typed error and 4009, the open ones keep working', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const open = await Promise.all([0, 1, 2].map(() => connect(alice)));
  expect(open[0]!.hello!.limits.max_sockets_per_user).toBe(3);

  const extra = new SocketClient(server.wsUrl);
  await extra.opened;
  const refused = await extra.request('auth', { token: alice.token }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(refused).toBeInstanceOf(RequestError);
  expect((refused as RequestError).error.code).toBe('too_many_connections');
  expect((await extra.closed).code).toBe(CloseCodes.tooManyConnections);

  // Another account is not affected, and the three open sockets still get live messages.
  const b = await connect(bob);
  const ack = await b.request('message.send', { conv_id: dm.id, client_msg_id: 'cap-1', body: 'still here?' });
  for (const s of open) await s.waitFor((e) => e.type === 'message.created' && e.message.id === ack.id);

  // Closing one makes room for a new one.
  await open[0]!.close();
  const again = await connect(alice);
  expect(again.hello!.user.id).toBe(alice.user.id);
  // Frames other than the refused auth never reached the refused socket.
  expect(extra.frames.filter((f): f is ErrorFrame => f.type === 'error').map((f) => f.error.code)).toEqual(['too_many_connections']);
});
