import { expect, test } from 'vitest';
import type { ErrorBody, ReactionChangedEvent } from '@parley/protocol';
import { RequestError, api, createConversation, registerUser, sleep, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s), { limits: { sendRatePerSec: 0.05, sendBurst: 6 } });

test('a reaction add/remove flood over the socket and REST is refused with rate_limited once the send budget is spent; members get only the charged changes', async () => {
  const alice = await registerUser(server);
  const bob = await registerUser(server);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const b = await connect(bob);
  const a = await connect(alice);
  const ack = await b.request('message.send', { conv_id: dm.id, client_msg_id: 'react-me', body: 'react to this' });

  // Alice toggles one reaction as fast as she can: socket add, socket remove, … (one budget: 6).
  const outcomes: (string | null)[] = [];
  for (let i = 0; i < 10; i++) {
    const type = i % 2 === 0 ? 'reaction.add' : 'reaction.remove';
    outcomes.push(
      await a.request(type, { message_id: ack.id, emoji: '👍' }).then(
        () => null,
        (e: unknown) => (e instanceof RequestError ? e.error.code : String(e)),
      ),
    );
  }
  expect(outcomes.slice(0, 6)).toEqual([null, null, null, null, null, null]);
  expect(outcomes.slice(6)).toEqual(['rate_limited', 'rate_limited', 'rate_limited', 'rate_limited']);

  const rest = await api<{ error: ErrorBody }>(server, 'POST', `/messages/${ack.id}/reactions`, { emoji: '🎉' }, alice.token);
  expect(rest.status).toBe(429);
  expect(rest.body.error.code).toBe('rate_limited');
  expect(rest.body.error.retry_after_ms).toBeGreaterThan(0);
  expect(a.closeInfo).toBeNull();

  // Bob saw six changes and no more; his own budget is his own.
  await sleep(200);
  expect(b.events.filter((e): e is ReactionChangedEvent => e.type === 'reaction.changed')).toHaveLength(6);
  expect((await api(server, 'POST', `/messages/${ack.id}/reactions`, { emoji: '🎉' }, bob.token)).status).toBe(200);
});
