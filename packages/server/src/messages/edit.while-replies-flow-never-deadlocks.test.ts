import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import type { MessageRecalledEvent } from '@parley/protocol';
import { createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s));

// A reply bumps its thread root's counters inside the send batch, which holds the conversation's
// row lock; an edit or a recall of that root takes both locks too. Taken in opposite orders, they
// deadlock on PostgreSQL and one of them fails. Every one of these must succeed.
test('editing and recalling thread roots while replies to them flow: every edit, recall and reply succeeds', async () => {
  const [alice, bob] = [await registerUser(server), await registerUser(server)];
  const group = await createConversation(server, alice.token, { kind: 'group', member_ids: [bob.user.id] });
  const [a, b] = [await connect(alice), await connect(bob)];
  const roots = await Promise.all([0, 1, 2].map((i) => a.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `root ${i}` })));
  const a2 = await connect(alice);
  const b2 = await connect(bob);
  const results = await Promise.allSettled([
    ...roots.flatMap((root) =>
      Array.from({ length: 10 }, (_, k) => [b, b2][k % 2]!.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: `reply ${k}`, reply_to: root.id })),
    ),
    ...roots.flatMap((root, i) => Array.from({ length: 6 }, (_, k) => a2.request('message.edit', { message_id: root.id, body: `root ${i}, edit ${k}` }))),
  ]);
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  expect(failed).toEqual([]);
  const recalls = await Promise.allSettled([
    ...roots.map((root) => a.request('message.recall', { message_id: root.id })),
    ...roots.map((root) => b.request('message.send', { conv_id: group.id, client_msg_id: randomUUID(), body: 'late reply', reply_to: root.id })),
  ]);
  // A reply that lost the race to its root's recall is refused as such; nothing else may fail,
  // and no reply is stored after its root's recall.
  const odd = recalls.flatMap((r) => (r.status === 'rejected' && !/recalled message/.test(String(r.reason)) ? [String(r.reason)] : []));
  expect(odd).toEqual([]);
  for (const [i, root] of roots.entries()) {
    const recalled = await a.waitFor<MessageRecalledEvent>((e) => e.type === 'message.recalled' && e.message.id === root.id);
    const late = recalls[roots.length + i]!;
    if (late.status === 'fulfilled' && 'seq' in late.value) expect(late.value.seq).toBeLessThan(recalled.seq);
  }
});
