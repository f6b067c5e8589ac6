import { afterEach, expect, test } from 'vitest';
import type { LogEvent, Message } from '@parley/protocol';
import { RequestError, SocketClient, api, createConversation, registerUser, sleep } from '../testing/harness.js';
import { spawnServer, type SpawnedServer } from '../testing/spawn.js';

/** `npm run test:reliability` sets PARLEY_RELIABILITY_FULL=1: more rounds, longer load. */
const FULL = process.env.PARLEY_RELIABILITY_FULL === '1';
const ROUNDS = FULL ? 5 : 1;
const SENDERS = 10;
const RATE_PER_SENDER = 200; // 2,000 messages/s in all

let current: SpawnedServer | null = null;
afterEach(async () => {
  await current?.stop();
  current = null;
});

async function allEvents(server: { url: string }, token: string, convId: string): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  let after = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await api<{ events: LogEvent[]; has_more: boolean }>(server, 'GET', `/conversations/${convId}/events?after_seq=${after}&limit=1000`, undefined, token);
    out.push(...page.body.events);
    if (!page.body.has_more || page.body.events.length === 0) return out;
    after = page.body.events.at(-1)!.seq;
  }
  throw new Error('too many pages');
}

test(`SIGKILL under ${SENDERS * RATE_PER_SENDER} msg/s: every acked message survives exactly once, seqs stay gapless, retries do not duplicate, resyncing clients agree`, async () => {
  current = await spawnServer();
  const { port, dataDir } = current;
  const users = await Promise.all(Array.from({ length: SENDERS }, () => registerUser(current!)));
  const group = await createConversation(current, users[0]!.token, { kind: 'group', member_ids: users.slice(1).map((u) => u.user.id) });
  const acked = new Map<string, { id: string; seq: number }>();
  const unacked = new Map<string, { sender: number; body: string }>();

  for (let round = 0; round < ROUNDS; round++) {
    const sockets = await Promise.all(users.map((u) => SocketClient.connect(current!, u.token)));
    // Kill at a random moment once this round has real traffic behind it (at least 150 acks).
    const ackedBefore = acked.size;
    const stopAt = Date.now() + 30_000;
    const loops = sockets.map(async (s, i) => {
      let n = 0;
      while (Date.now() < stopAt && n < 5_000 && current?.proc.exitCode === null) {
        const cmid = `r${round}-s${i}-${n++}`;
        const body = `round ${round} sender ${i} #${n}`;
        unacked.set(cmid, { sender: i, body });
        try {
          const ack = await s.request('message.send', { conv_id: group.id, client_msg_id: cmid, body }, 3_000);
          acked.set(cmid, { id: ack.id, seq: ack.seq });
          unacked.delete(cmid);
        } catch (e) {
          if (e instanceof RequestError) throw e; // a typed refusal would be a bug here
          return; // the socket died with the server
        }
        await sleep(1000 / RATE_PER_SENDER);
      }
    });
    while (acked.size - ackedBefore < 150 && Date.now() < stopAt - 5_000) await sleep(10);
    await sleep(Math.random() * (FULL ? 1_500 : 500));
    await current.kill();
    await Promise.all(loops);
    await Promise.all(sockets.map((s) => s.close()));
    current = await spawnServer({ port, dataDir });
  }

  // Retrying every unacked send with its original client_msg_id creates each message at most once.
  const retrySockets = await Promise.all(users.map((u) => SocketClient.connect(current!, u.token)));
  for (const [cmid, { sender, body }] of unacked) {
    const ack = await retrySockets[sender]!.request('message.send', { conv_id: group.id, client_msg_id: cmid, body });
    acked.set(cmid, { id: ack.id, seq: ack.seq });
  }

  const events = await allEvents(current, users[0]!.token, group.id);
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  const created = events.filter((e): e is Extract<LogEvent, { type: 'message.created' }> => e.type === 'message.created').map((e) => e.message);
  const byCmid = new Map<string, Message[]>();
  for (const m of created) byCmid.set(m.client_msg_id, [...(byCmid.get(m.client_msg_id) ?? []), m]);
  expect(acked.size).toBeGreaterThan(100);
  for (const [cmid, a] of acked) {
    const found = byCmid.get(cmid) ?? [];
    expect(found, `acked ${cmid}`).toHaveLength(1);
    expect(found[0]!.id).toBe(a.id);
    expect(found[0]!.seq).toBe(a.seq);
  }
  expect(created).toHaveLength(acked.size);

  // Two clients that resync from different points end with identical histories.
  const [first, second] = [retrySockets[1]!, retrySockets[2]!];
  const pull = async (s: SocketClient, from: number) => {
    const ids: string[] = [];
    let after = from;
    for (let guard = 0; guard < 1000; guard++) {
      const page = await s.request('sync.events', { conv_id: group.id, after_seq: after, limit: 500 });
      for (const e of page.events) if (e.type === 'message.created') ids.push(e.message.id);
      after = page.events.at(-1)?.seq ?? after;
      if (!page.has_more) break;
    }
    return ids;
  };
  const mid = Math.floor(seqs.length / 2);
  const head = created.filter((m) => m.seq <= mid).map((m) => m.id);
  expect([...head, ...(await pull(second, mid))]).toEqual(await pull(first, 0));
  await Promise.all(retrySockets.map((s) => s.close()));
}, 120_000);
