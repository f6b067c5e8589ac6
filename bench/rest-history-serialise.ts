/**
 * The serialisation step of the REST history endpoint alone: `node --import tsx bench/rest-history-serialise.ts`.
 *
 * One 200-message page (the shape bench/rest-history.ts seeds) turned into JSON by
 * `JSON.stringify` (what Fastify did before the route declared its response) and by the
 * fast-json-stringify function compiled from the protocol's `HistoryPage` schema (what it does
 * now). Prints milliseconds per page for each, best of three one-second rounds.
 */
import fastJsonStringify from 'fast-json-stringify';
import { HistoryPage, type Message } from '@parley/protocol';

const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const message = (i: number): Message => ({
  id: ID,
  conv_id: ID,
  seq: i + 1,
  sender_id: ID,
  client_msg_id: 'c3f1a2b4-1111-2222-3333-444455556666',
  body: `message ${i}: some ordinary chat text of a typical length, with a **bit** of markdown`,
  created_at: new Date(1_790_000_000_000 + i * 1000).toISOString(),
  edited_at: null,
  recalled: false,
  recalled_at: null,
  reply_to: i % 5 ? null : ID,
  thread_root_id: null,
  reply_count: 0,
  last_reply_at: null,
  mentions: [],
  mentions_channel: false,
  reactions: i % 7 ? [] : [{ emoji: '👍', count: 1, user_ids: [ID] }],
  attachments: [],
  tags: i % 3 ? [] : ['deploy'],
  burn: null,
  pinned_at: null,
  pinned_by: null,
});
const page: HistoryPage = { messages: Array.from({ length: 200 }, (_, i) => message(i)), has_more: true };
const bySchema = fastJsonStringify(HistoryPage);
if (bySchema(page) !== JSON.stringify(page)) throw new Error('the two serialisers disagree');

const out: Record<string, number> = {};
for (const [name, serialise] of [
  ['json_stringify_ms', (p: HistoryPage) => JSON.stringify(p)],
  ['schema_ms', bySchema],
] as const) {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 1000) {
      serialise(page);
      n++;
    }
    best = Math.min(best, (performance.now() - t0) / n);
  }
  out[name] = +best.toFixed(3);
}
console.log(JSON.stringify({ page_messages: 200, bytes: JSON.stringify(page).length, ...out }));
