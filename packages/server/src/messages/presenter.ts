import type { Message, ReactionSummary } from '@parley/protocol';
import { sql } from 'kysely';
import type { Db } from '../store/db.js';
import { prepared } from '../store/prepared.js';
import type { MessagesTable, UploadsTable } from '../store/schema.js';
import { presentAttachment } from '../files/present.js';
import { iso, isoOrNull } from '../core/time.js';
import type { AsOf } from './as-of.js';
import { parseMentions } from './mentions.js';
import { parseTags } from '../tags/parse.js';

export type MessageRow = MessagesTable;

/** Bigint columns arrive as strings from PostgreSQL; make every numeric column a number. */
export function normaliseMessage(r: MessageRow): MessageRow {
  return {
    ...r,
    seq: Number(r.seq),
    reply_count: Number(r.reply_count),
    last_reply_at: r.last_reply_at === null ? null : Number(r.last_reply_at),
    mentions_all: Number(r.mentions_all),
    created_at: Number(r.created_at),
    edited_at: r.edited_at === null ? null : Number(r.edited_at),
    recalled_at: r.recalled_at === null ? null : Number(r.recalled_at),
    burn_after_ms: r.burn_after_ms === null ? null : Number(r.burn_after_ms),
    burn_expires_at: r.burn_expires_at === null ? null : Number(r.burn_expires_at),
    burns_at: r.burns_at === null ? null : Number(r.burns_at),
    burned_at: r.burned_at === null ? null : Number(r.burned_at),
    expired_at: r.expired_at === null || r.expired_at === undefined ? null : Number(r.expired_at),
  };
}

/**
 * The shared shape's burn field. A burn message's text, files and tags never leave through
 * presentMessages, on any path: its readers ask for them one by one (messages/burn.ts).
 */
function burnOf(r: MessageRow): Message['burn'] {
  if (r.burn_after_ms === null) return null;
  return { after_s: Math.round(r.burn_after_ms / 1000), expires_at: iso(r.burn_expires_at ?? r.created_at), burned_at: isoOrNull(r.burned_at) };
}

/**
 * Where each message's reader stopped: one `AsOf` for all of them (a page of one conversation),
 * or one per message (the last messages of many conversations, some of them left).
 */
export type AsOfFor = AsOf | null | ((row: MessageRow) => AsOf | null);

/**
 * Builds the client shape of messages with reactions and mentions, in two batched queries.
 * A recalled message is a tombstone here, the one place every path (REST, socket, resync) goes
 * through, so no path can leak recalled text. With `asOf` (the reader left the conversation) each
 * message is shown as it was when they left: see `asOfView`. `revealBurn` is for `message.reveal`
 * alone (messages/burn.ts), which has checked the one reader it answers may see the content now.
 */
export async function presentMessages(db: Db, rows: MessageRow[], asOf: AsOfFor = null, revealBurn = false): Promise<Message[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const asOfOf = typeof asOf === 'function' ? asOf : () => asOf;
  const asOfById = new Map(rows.map((r) => [r.id, asOfOf(r)]));
  // Reactions and mentions in one round trip: `kind` tells the rows apart.
  const related = ids.length === 1 ? await reactionsAndMentionsOfOne(db, { id: ids[0]! }) : await reactionsAndMentionsOfMany(db, { ids });
  // The union names each attached upload (kind 'a', ordered by position); their rows are read
  // only when there are any, so a page without files costs no query more than before files.
  const attached = related.filter((r) => r.kind === 'a').map((r) => r.user_id);
  const files = attached.length === 0 ? [] : await db.selectFrom('uploads').selectAll().where('id', 'in', attached).execute();
  const fileById = new Map(files.map((f) => [f.id, f]));
  const filesBy = new Map<string, UploadsTable[]>();
  for (const r of related) {
    const f = r.kind === 'a' ? fileById.get(r.user_id) : undefined;
    if (!f) continue;
    const l = filesBy.get(r.message_id) ?? [];
    l.push(f);
    filesBy.set(r.message_id, l);
  }
  const reactions = related.filter((r) => {
    if (r.kind !== 'r') return false;
    const at = asOfById.get(r.message_id);
    return !at || Number(r.created_at) <= at.at;
  });
  const mentions = related.filter((r) => r.kind === 'm');
  // Pins (kind 'p', every pin a message had, `pin_seq:unpin_seq` in `emoji`): the open one now, or
  // for a reader who left, the one open at their leaving. In the same round trip as the rest, so a
  // conversation list costs no query more for them.
  const pinBy = new Map<string, { by: string; at: number }>();
  for (const r of related) {
    if (r.kind !== 'p') continue;
    const [pinSeq, unpinSeq] = r.emoji.split(':');
    const at = asOfById.get(r.message_id);
    const open = at ? Number(pinSeq) <= at.seq && (!unpinSeq || Number(unpinSeq) > at.seq) : !unpinSeq;
    if (open) pinBy.set(r.message_id, { by: r.user_id, at: Number(r.created_at) });
  }
  const tagsBy = new Map<string, string[]>();
  for (const r of related) {
    if (r.kind !== 't') continue;
    const at = asOfById.get(r.message_id);
    if (at && Number(r.created_at) > at.at) continue;
    const l = tagsBy.get(r.message_id) ?? [];
    l.push(r.emoji);
    tagsBy.set(r.message_id, l);
  }
  const byMsg = new Map<string, Map<string, string[]>>();
  for (const r of reactions) {
    let m = byMsg.get(r.message_id);
    if (!m) byMsg.set(r.message_id, (m = new Map()));
    const list = m.get(r.emoji) ?? [];
    list.push(r.user_id);
    m.set(r.emoji, list);
  }
  const mentionsBy = new Map<string, string[]>();
  for (const m of mentions) {
    const l = mentionsBy.get(m.message_id) ?? [];
    l.push(m.user_id);
    mentionsBy.set(m.message_id, l);
  }
  const normal = rows.map(normaliseMessage);
  const past = [...asOfById.values()].some((a) => a !== null) ? await asOfView(db, normal, (r) => asOfById.get(r.id) ?? null) : null;
  return normal.map((now) => {
    const r = past?.rows.get(now.id) ?? now;
    // Past its retention (messages/retention.ts): read paths leave it out; one that still reaches
    // here (a replayed `message.created`) is a tombstone with nothing of its own.
    const expired = r.expired_at !== null;
    const recalled = r.recalled_at !== null;
    const burn = burnOf(r);
    // Hidden: recalled, expired, or a burn message (burned or not, its content is revealed to one reader at a time).
    const hidden = recalled || expired || (burn !== null && (!revealBurn || burn.burned_at !== null));
    const reacts: ReactionSummary[] =
      recalled || expired ? [] : [...(byMsg.get(r.id) ?? new Map<string, string[]>()).entries()].map(([emoji, user_ids]) => ({ emoji, count: user_ids.length, user_ids }));
    return {
      id: r.id,
      conv_id: r.conv_id,
      seq: r.seq,
      sender_id: r.sender_id,
      client_msg_id: r.client_msg_id,
      body: hidden ? '' : r.body,
      created_at: iso(r.created_at),
      edited_at: hidden ? null : isoOrNull(r.edited_at),
      recalled,
      recalled_at: isoOrNull(r.recalled_at),
      reply_to: r.reply_to,
      thread_root_id: r.thread_root_id,
      reply_count: r.reply_count,
      last_reply_at: isoOrNull(r.last_reply_at),
      // A body from before a later edit has no stored mentions (they follow the current body).
      mentions: recalled || expired || past?.rewound.has(r.id) ? [] : (mentionsBy.get(r.id) ?? []).sort(),
      mentions_channel: !recalled && !expired && r.mentions_all === 1,
      reactions: reacts,
      // A recall takes the files with the text.
      attachments: hidden ? [] : (filesBy.get(r.id) ?? []).map(presentAttachment),
      // A body from before a later edit shows the tags it had then.
      tags: hidden ? [] : past?.rewound.has(r.id) ? parseTags(r.body).sort() : (tagsBy.get(r.id) ?? []).sort(),
      burn,
      // Recalled and burned messages have no pin rows (a recall or burn deletes them).
      pinned_at: recalled || expired ? null : isoOrNull(pinBy.get(r.id)?.at ?? null),
      pinned_by: recalled || expired ? null : (pinBy.get(r.id)?.by ?? null),
    };
  });
}

export async function loadMessages(db: Db, ids: readonly string[], asOf: AsOf | null = null): Promise<Map<string, Message>> {
  const out = new Map<string, Message>();
  if (ids.length === 0) return out;
  const unique = [...new Set(ids)];
  const rows = unique.length === 1 ? await messageById(db, { id: unique[0]! }) : await messagesByIds(db, { ids: unique });
  for (const m of await presentMessages(db, rows, asOf)) out.set(m.id, m);
  return out;
}

/**
 * The rows that changed after their `asOf`, rewound: the body before the first later edit (the
 * edit history keeps every previous body), the edit time before it, and thread counts over the
 * replies up to `asOf.seq`. Recalled messages stay tombstones (a recall erases for everyone).
 * Rows without an `asOf` are left as they are.
 */
async function asOfView(db: Db, rows: MessageRow[], asOfOf: (row: MessageRow) => AsOf | null): Promise<{ rows: Map<string, MessageRow>; rewound: Set<string> }> {
  const out = new Map<string, MessageRow>();
  const rewound = new Set<string>();
  const atOf = new Map<string, AsOf>();
  for (const r of rows) {
    const a = asOfOf(r);
    if (a) atOf.set(r.id, a);
  }
  const edited = rows.filter((r) => atOf.has(r.id) && r.recalled_at === null && r.edited_at !== null && r.edited_at > atOf.get(r.id)!.at).map((r) => r.id);
  const roots = rows.filter((r) => atOf.has(r.id) && r.last_reply_at !== null && r.last_reply_at > atOf.get(r.id)!.at).map((r) => r.id);
  if (edited.length === 0 && roots.length === 0) return { rows: out, rewound };
  const [edits, threads] = await Promise.all([
    edited.length === 0 ? [] : db.selectFrom('message_edits').select(['message_id', 'edited_at', 'previous_body']).where('message_id', 'in', edited).orderBy('edited_at').execute(),
    roots.length === 0
      ? []
      : threadsUpTo(
          db,
          roots.map((id) => ({ root: id, seq: atOf.get(id)!.seq })),
        ),
  ]);
  // Per message, in edit order: the last edit at or before `asOf.at` and the first one after it.
  const around = new Map<string, { before?: number; after?: string }>();
  for (const e of edits) {
    const at = Number(e.edited_at);
    const m = around.get(e.message_id) ?? {};
    if (at <= atOf.get(e.message_id)!.at) m.before = at;
    else m.after ??= e.previous_body;
    around.set(e.message_id, m);
  }
  const threadAt = new Map(threads.map((t) => [t.thread_root_id, t]));
  const rootIds = new Set(roots);
  for (const r of rows) {
    let row = r;
    const e = around.get(r.id);
    if (e?.after !== undefined) {
      row = { ...row, body: e.after, edited_at: e.before ?? null, mentions_all: parseMentions(e.after).broadcast ? 1 : 0 };
      rewound.add(r.id);
    }
    if (rootIds.has(r.id)) {
      const t = threadAt.get(r.id);
      row = { ...row, reply_count: t ? Number(t.n) : 0, last_reply_at: t && t.last !== null ? Number(t.last) : null };
    }
    if (row !== r) out.set(r.id, row);
  }
  return { rows: out, rewound };
}

/**
 * Reply count and last reply time of each thread root over its replies up to a seq. Roots of one
 * conversation share the bound (the common case: a page read by a member who left); roots of
 * several conversations (a conversation list) each get theirs through a CASE on the root, so the
 * query count stays one however many conversations are presented.
 */
function threadsUpTo(db: Db, roots: { root: string; seq: number }[]) {
  const seqs = new Set(roots.map((r) => r.seq));
  const q = db
    .selectFrom('messages')
    .select((eb) => ['thread_root_id', eb.fn.countAll<number | string>().as('n'), eb.fn.max('created_at').as('last')])
    .where(
      'thread_root_id',
      'in',
      roots.map((r) => r.root),
    );
  const bounded =
    seqs.size === 1
      ? q.where('seq', '<=', roots[0]!.seq)
      : q.where((eb) => {
          let c = eb
            .case('thread_root_id')
            .when(roots[0]!.root)
            .then(sql<number>`cast(${roots[0]!.seq} as bigint)`);
          for (const r of roots.slice(1)) c = c.when(r.root).then(sql<number>`cast(${r.seq} as bigint)`);
          return eb('seq', '<=', c.end());
        });
  return bounded.groupBy('thread_root_id').execute();
}

/**
 * Reactions, mentions, attached upload ids (in `user_id`, position in `created_at`), pins (their
 * author in `user_id`, time in `created_at`, `pin_seq:unpin_seq` in `emoji`) and tags (in
 * `emoji`) of the given messages, told apart by `kind`: one round trip for all five.
 */
const reactionsAndMentions = (db: Db, ids: string | string[]) =>
  db
    .selectFrom('reactions')
    .select(['message_id', 'emoji', 'user_id', 'created_at', sql<string>`'r'`.as('kind')])
    .where((eb) => (Array.isArray(ids) ? eb('message_id', 'in', ids) : eb('message_id', '=', ids)))
    .unionAll(
      db
        .selectFrom('mentions')
        .select(['message_id', sql<string>`''`.as('emoji'), 'user_id', sql<number>`0`.as('created_at'), sql<string>`'m'`.as('kind')])
        .where((eb) => (Array.isArray(ids) ? eb('message_id', 'in', ids) : eb('message_id', '=', ids))),
    )
    .unionAll(
      db
        .selectFrom('uploads')
        .select([(eb) => eb.ref('message_id').$notNull().as('message_id'), sql<string>`''`.as('emoji'), 'id as user_id', sql<number>`attach_pos`.as('created_at'), sql<string>`'a'`.as('kind')])
        .where((eb) => (Array.isArray(ids) ? eb('message_id', 'in', ids) : eb('message_id', '=', ids))),
    )
    .unionAll(
      db
        .selectFrom('message_pins')
        .select([
          'message_id',
          sql<string>`cast(pin_seq as text) || ':' || coalesce(cast(unpin_seq as text), '')`.as('emoji'),
          'pinned_by as user_id',
          'pinned_at as created_at',
          sql<string>`'p'`.as('kind'),
        ])
        .where((eb) => (Array.isArray(ids) ? eb('message_id', 'in', ids) : eb('message_id', '=', ids))),
    )
    .unionAll(
      db
        .selectFrom('message_tags')
        .select(['message_id', 'tag as emoji', sql<string>`''`.as('user_id'), 'created_at', sql<string>`'t'`.as('kind')])
        .where((eb) => (Array.isArray(ids) ? eb('message_id', 'in', ids) : eb('message_id', '=', ids))),
    )
    .orderBy('created_at');

// One message at a time is the common case (a conversation's last message, a live event).
const reactionsAndMentionsOfOne = prepared((db, p: { id: string }) => reactionsAndMentions(db, p.id));
const reactionsAndMentionsOfMany = prepared((db, p: { ids: string[] }) => reactionsAndMentions(db, p.ids));

const messageById = prepared((db, p: { id: string }) => db.selectFrom('messages').selectAll().where('id', '=', p.id));
const messagesByIds = prepared((db, p: { ids: string[] }) => db.selectFrom('messages').selectAll().where('id', 'in', p.ids));
