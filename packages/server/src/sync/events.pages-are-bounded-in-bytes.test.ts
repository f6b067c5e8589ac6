import { expect, test } from 'vitest';
import type { MessageCreatedEvent } from '@parley/protocol';
import { createConversation, registerUser, type TestServer } from '../testing/harness.js';
import { serverPerFile } from '../testing/fixture.js';

let server!: TestServer;
const { connect } = serverPerFile((s) => (server = s), { limits: { syncPageBytes: 64 * 1024, sendRatePerSec: 10_000, sendBurst: 10_000 } });

test('a resync page of long messages stops near the byte bound and says has_more; paging on returns every event once, in order', async () => {
  const [alice, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  const dm = await createConversation(server, alice.token, { kind: 'dm', user_id: bob.user.id });
  const sender = await connect(alice);
  for (let i = 0; i < 30; i++) await sender.request('message.send', { conv_id: dm.id, client_msg_id: `long-${i}`, body: `${i} ${'w'.repeat(10_000)}` });
  const reader = await connect(bob);

  const first = await reader.request('sync.events', { conv_id: dm.id, after_seq: 0, limit: 1000 });
  expect(first.has_more).toBe(true);
  expect(first.events.length).toBeGreaterThan(1);
  expect(JSON.stringify(first.events).length).toBeLessThanOrEqual(64 * 1024 + 11_000);

  const seen: string[] = [];
  let after = 0;
  for (let page = 0; page < 100; page++) {
    const p = await reader.request('sync.events', { conv_id: dm.id, after_seq: after, limit: 1000 });
    for (const e of p.events) if (e.type === 'message.created') seen.push((e as MessageCreatedEvent).message.client_msg_id);
    if (p.events.length > 0) after = p.events[p.events.length - 1]!.seq;
    if (!p.has_more) break;
  }
  expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `long-${i}`));
});
