/**
 * The web holds windows of history, so it counts unread messages and mentions one live message at
 * a time (`withLiveMessage`); the reducer, holding the whole history, recomputes them. Both must
 * give the server's figures: here every sequence of messages a member can receive, and every read
 * cursor, is counted both ways and compared.
 */
import { expect, test } from 'vitest';
import type { Conversation, Message } from '@parley/protocol';
import { testConversation, testMessage } from '@parley/protocol/testing';
import { countOf, mentionsUser, withChanges, withLastMessage, withLiveMessage, withMuted } from './conversation.js';
import { createState, loadConversation } from './reducer.js';

const ME = 'U_ME';
const BOB = 'U_BOB';

function conv(over: Partial<Conversation> = {}): Conversation {
  return testConversation({ kind: 'channel', name: 'dev', visibility: 'public', created_by: BOB, ...over });
}

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Messages with seqs from 1: from me or Bob, top-level or replies, mentioning me, everyone or no one, some recalled. */
function history(seed: number, n: number): Message[] {
  const r = rng(seed);
  const out: Message[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const roots = out.filter((m) => m.thread_root_id === null);
    const reply = roots.length > 0 && r() < 0.3;
    const mention = r();
    out.push(
      testMessage({
        seq,
        sender_id: r() < 0.3 ? ME : BOB,
        thread_root_id: reply ? roots[Math.floor(r() * roots.length)]!.id : null,
        mentions: mention < 0.2 ? [ME] : [],
        mentions_channel: mention > 0.9,
        recalled: r() < 0.1,
      }),
    );
  }
  return out;
}

test('counting live messages one at a time gives what recounting the whole history gives, for every read cursor', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const messages = history(seed, 1 + (seed % 40));
    const last = messages.length;
    for (const read of [0, Math.floor(last / 2), last]) {
      const start = conv({ membership: { ...conv().membership!, read_seq: read } });
      let live = start;
      for (const m of messages) live = m.seq > read ? withLiveMessage(live, m, ME) : withLastMessage(live, m);
      const recounted = loadConversation(createState(ME), { conversation: { ...start, last_seq: last }, messages, members: [] }).conversations[start.id]!;
      const figures = (c: Conversation) => ({ last_seq: c.last_seq, unread: c.unread_count, mentions: c.mention_count, last: c.last_message?.id ?? null });
      expect(figures(live), `seed ${seed}, read ${read}`).toEqual(figures(recounted));
    }
  }
});

test("what counts: another's top-level message is unread, a reply only when it mentions me, mine and recalled ones never", () => {
  expect(countOf(testMessage({ seq: 5 }), ME, 4)).toEqual({ unread: 1, mention: 0 });
  expect(countOf(testMessage({ seq: 5, mentions: [ME] }), ME, 4)).toEqual({ unread: 1, mention: 1 });
  expect(countOf(testMessage({ seq: 5, thread_root_id: 'M1' }), ME, 4)).toEqual({ unread: 0, mention: 0 });
  expect(countOf(testMessage({ seq: 5, thread_root_id: 'M1', mentions_channel: true }), ME, 4)).toEqual({ unread: 0, mention: 1 });
  expect(countOf(testMessage({ seq: 5, sender_id: ME, mentions: [ME] }), ME, 4)).toEqual({ unread: 0, mention: 0 });
  expect(countOf(testMessage({ seq: 5, recalled: true }), ME, 4)).toEqual({ unread: 0, mention: 0 });
  // Read already, or before the member could see the conversation.
  expect(countOf(testMessage({ seq: 5, mentions: [ME] }), ME, 5)).toEqual({ unread: 0, mention: 0 });
  expect(mentionsUser(testMessage({ mentions: ['U_CAROL'] }), ME)).toBe(false);
});

test('a reply never becomes the last message, nor does an older message replace a newer one', () => {
  const c = withLiveMessage(conv(), testMessage({ seq: 3 }), ME);
  expect(withLiveMessage(c, testMessage({ seq: 4, thread_root_id: 'M3' }), ME).last_message?.id).toBe('M3');
  expect(withLastMessage(c, testMessage({ seq: 2 })).last_message?.id).toBe('M3');
  expect(withLastMessage(c, testMessage({ seq: 2 })).last_seq).toBe(3);
});

test('a rename changes the name alone; a change that names nothing changes nothing', () => {
  const c = conv({ topic: 'deploys' });
  expect(withChanges(c, { name: 'ops' })).toEqual({ ...c, name: 'ops' });
  expect(withChanges(c, { purpose: null, retention_days: 30 })).toEqual({ ...c, purpose: null, retention_days: 30 });
  expect(withChanges(c, {})).toEqual(c);
});

test("muting changes only my membership; an event from a server without levels keeps mine; a non-member's is ignored", () => {
  const c = conv();
  expect(withMuted(c, true, 'mentions')?.membership).toMatchObject({ muted: true, notify: 'mentions' });
  expect(withMuted(c, true, undefined)?.membership).toMatchObject({ muted: true, notify: 'all' });
  expect(withMuted(c, false, 'all')).toBeNull();
  expect(withMuted(conv({ membership: null }), true, 'nothing')).toBeNull();
  expect(withMuted(undefined, true, 'nothing')).toBeNull();
});
