import { sql, type RawBuilder } from 'kysely';
import type { Message, SearchConversation } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { myMemberships } from '../conversations/access.js';
import { can } from '../conversations/policy.js';
import { normaliseMessage, presentMessages } from '../messages/presenter.js';
import type { AsOf } from '../messages/as-of.js';
import type { MessagesTable } from '../store/schema.js';
import { DOC_IDS_PER_MS, FLAG } from './document.js';
import { highlights, type Range } from './highlight.js';
import { QuerySyntaxError, parseQuery, type Day, type ParsedQuery } from './query.js';
import { textQuery, toFts5, toTsquery, type TextQuery } from './compile.js';
import { dayStart } from './days.js';
import { SqliteSearchIndexer } from './sqlite-indexer.js';
import { isTimeZone } from '../core/zones.js';

export interface SearchParams {
  q: string;
  order?: 'newest' | 'relevance';
  cursor?: string;
  limit?: number;
  /** IANA time zone that before:/after:/on: days are read in; UTC by default. */
  tz?: string;
}

export interface SearchHit {
  message: Message;
  /** Where the query's terms are in `message.body`: UTF-16 offsets, end exclusive. */
  highlights: Range[];
}

export interface SearchPage {
  hits: SearchHit[];
  /** The conversations of the hits, each once. */
  conversations: SearchConversation[];
  next_cursor: string | null;
}

/** A conversation the searcher may read, and which of its messages. */
interface Readable {
  convId: string;
  fromSeq: number;
  /** Null while still a member. */
  toSeq: number | null;
  /** When they left: messages edited since then are not searched for them (their text then is not indexed). */
  leftAt: number | null;
}

interface QueryParams {
  actor: Actor;
  parsed: ParsedQuery;
  text: TextQuery | null;
  readable: Readable[];
  senders: string[] | null;
  order: 'newest' | 'relevance';
  cursor: number | null;
  limit: number;
  tz: string;
}

/** A hit: its message row and the doc id it was found under (the next page's cursor). */
type Hit = MessagesTable & { doc_id: number | string };

const MAX_LIMIT = 100;
const DAY_MS = 86_400_000;

/**
 * Search over what the searcher may read, on either engine. The history rule is applied inside
 * the query: the readable conversations and seq ranges (decided by the same policy function as
 * history) travel into the SQL as a table to join, so a page is never filtered after the fact and
 * no hit outside the rule is ever read.
 */
export class SearchService {
  /** On SQLite, what indexes the messages sends queued; null on PostgreSQL, where sends index in their own transaction. */
  readonly indexer: SqliteSearchIndexer | null;

  constructor(private readonly deps: Deps) {
    this.indexer = deps.sqlite ? new SqliteSearchIndexer(deps.sqlite, deps) : null;
  }

  async search(actor: Actor, params: SearchParams): Promise<SearchPage> {
    let parsed: ParsedQuery;
    let text: TextQuery | null;
    try {
      parsed = parseQuery(params.q);
      text = textQuery(parsed);
    } catch (e) {
      if (e instanceof QuerySyntaxError) throw new AppError('invalid_query', e.message, { field: '/q' });
      throw e;
    }
    const limit = Math.min(Math.max(params.limit ?? 20, 1), MAX_LIMIT);
    const order = params.order ?? 'newest';
    if (order === 'relevance' && !text) throw new AppError('invalid_query', 'Order by relevance needs words to rank by.', { field: '/order' });
    const cursor = decodeCursor(params.cursor, order);
    const tz = params.tz ?? 'UTC';
    if (!isTimeZone(tz)) throw new AppError('invalid_request', `Unknown time zone "${tz}".`, { field: '/tz' });

    // Whatever is acked is found: messages still queued for the index are indexed first.
    await this.indexer?.flush();
    const memberships = await myMemberships(this.deps.db, actor.userId, true);
    let readable = await this.readable(actor, memberships);
    readable = await this.narrowToIn(readable, memberships, parsed);
    const senders = await this.senders(parsed.from);

    const rows = await this.query({ actor, parsed, text, readable, senders, order, cursor, limit: limit + 1, tz });
    const more = rows.length > limit;
    const page = rows.slice(0, limit);

    const leftAt = new Map(readable.filter((r) => r.toSeq !== null).map((r) => [r.convId, { seq: r.toSeq!, at: r.leftAt ?? 0 } satisfies AsOf]));
    // The query already joined each hit's message row: presented as read, in hit order.
    const ordered = page.map(({ doc_id: _docId, ...row }) => normaliseMessage(row));
    const messages = await presentMessages(this.deps.db, ordered, (row) => leftAt.get(row.conv_id) ?? null);
    const convIds = new Set(messages.map((m) => m.conv_id));
    // Named from the membership rows already read: no query more.
    const conversations = memberships
      .filter((m) => convIds.has(m.conv.id))
      .map((m): SearchConversation => ({
        id: m.conv.id,
        kind: m.conv.kind,
        name: m.conv.name,
        visibility: m.conv.visibility,
        archived: m.conv.archived_at !== null,
        dm_user_id: m.dmUserId,
        member: m.member!.left_seq === null,
      }));
    const hits = messages.map((message) => ({ message, highlights: text ? highlights(message.body, text) : [] }));
    const last = page[page.length - 1];
    return {
      hits,
      conversations,
      next_cursor: more && last ? encodeCursor(order === 'newest' ? Number(last.doc_id) : (cursor ?? 0) + limit) : null,
    };
  }

  /** The conversations and seq ranges the actor may read, by the history policy. */
  private async readable(actor: Actor, memberships: Awaited<ReturnType<typeof myMemberships>>): Promise<Readable[]> {
    const allowed = memberships.filter((a) => a.member && can(actor, 'conversation.read', a));
    const left = allowed.filter((a) => a.member!.left_seq !== null);
    const leaveTimes = new Map<string, number>();
    if (left.length > 0) {
      const events = await this.deps.db
        .selectFrom('events')
        .select(['conv_id', 'seq', 'created_at'])
        .where(
          'conv_id',
          'in',
          left.map((a) => a.conv.id),
        )
        .where(
          'seq',
          'in',
          left.map((a) => Number(a.member!.left_seq)),
        )
        .execute();
      for (const a of left) {
        const e = events.find((x) => x.conv_id === a.conv.id && Number(x.seq) === Number(a.member!.left_seq));
        leaveTimes.set(a.conv.id, e ? Number(e.created_at) : 0);
      }
    }
    return allowed.map((a) => ({
      convId: a.conv.id,
      fromSeq: Number(a.member!.visible_from_seq),
      toSeq: a.member!.left_seq === null ? null : Number(a.member!.left_seq),
      leftAt: leaveTimes.get(a.conv.id) ?? null,
    }));
  }

  /** in:#channel and in:@user, resolved among the conversations the actor may read (a name they cannot see is unknown). */
  private async narrowToIn(readable: Readable[], memberships: Awaited<ReturnType<typeof myMemberships>>, q: ParsedQuery): Promise<Readable[]> {
    if (q.in.length === 0) return readable;
    const partners = memberships.map((m) => m.dmUserId).filter((u): u is string => u !== null);
    const names = new Map<string, string>();
    if (q.in.some((w) => w.kind === 'dm') && partners.length > 0) {
      for (const u of await this.deps.db.selectFrom('users').select(['id', 'username']).where('id', 'in', partners).execute()) names.set(u.id, u.username.toLowerCase());
    }
    const ids = new Set<string>();
    for (const want of q.in) {
      const found = memberships.filter((m) =>
        want.kind === 'channel' ? m.conv.kind !== 'dm' && m.conv.name?.toLowerCase() === want.name : m.conv.kind === 'dm' && m.dmUserId !== null && names.get(m.dmUserId) === want.name,
      );
      if (found.length === 0) throw new AppError('not_found', want.kind === 'channel' ? `You have no conversation named #${want.name}.` : `You have no direct conversation with @${want.name}.`);
      for (const f of found) ids.add(f.conv.id);
    }
    return readable.filter((r) => ids.has(r.convId));
  }

  private async senders(names: string[]): Promise<string[] | null> {
    if (names.length === 0) return null;
    const rows = await this.deps.db.selectFrom('users').select(['id', 'username']).where('username', 'in', names).execute();
    for (const n of names) if (!rows.some((r) => r.username.toLowerCase() === n)) throw new AppError('not_found', `There is no user @${n}.`);
    return rows.map((r) => r.id);
  }

  private async query(p: QueryParams): Promise<Hit[]> {
    if (p.readable.length === 0) return [];
    const q = p.parsed;
    const bound = (day: Day, plusDays: number) => dayStart(day, p.tz) + plusDays * DAY_MS;
    const from = q.after ? bound(q.after, 1) : q.on ? bound(q.on, 0) : null;
    const until = q.before && q.on ? Math.min(bound(q.before, 0), bound(q.on, 1)) : q.before ? bound(q.before, 0) : q.on ? bound(q.on, 1) : null;
    const lo = q.after && q.on ? Math.max(bound(q.after, 1), bound(q.on, 0)) : from;

    // Rules on the message row itself, the same on both engines.
    // Burn-after-reading messages are never searchable: their words are indexed nowhere, and a
    // filter-only search (from:, has:…) does not list them either.
    // Messages past their retention (messages/retention.ts) are out of the index; a filter-only search leaves them out too.
    const where: RawBuilder<unknown>[] = [sql`m.recalled_at IS NULL`, sql`m.burn_after_ms IS NULL`, sql`m.expired_at IS NULL`];
    // A left member's view of a message is as it was when they left; text edited since is not what they may search.
    where.push(sql`(r.left_at IS NULL OR m.edited_at IS NULL OR m.edited_at <= r.left_at)`);
    if (lo !== null) where.push(sql`m.created_at >= ${lo}`);
    if (until !== null) where.push(sql`m.created_at < ${until}`);
    if (p.senders) where.push(sql`m.sender_id IN (${sql.join(p.senders)})`);
    if (q.isThread) where.push(sql`(m.thread_root_id IS NOT NULL OR m.reply_count > 0)`);
    // Each tag (already folded by the parser) by its primary key; a message must carry every tag asked for.
    for (const tag of q.tags) where.push(sql`EXISTS (SELECT 1 FROM message_tags tg WHERE tg.message_id = m.id AND tg.conv_id = m.conv_id AND tg.tag = ${tag})`);
    if (q.mentionsMe) where.push(sql`(m.mentions_all = 1 OR EXISTS (SELECT 1 FROM mentions mn WHERE mn.message_id = m.id AND mn.user_id = ${p.actor.userId}))`);
    const inRange = sql`r.conv_id = m.conv_id AND m.seq >= r.from_seq AND (r.to_seq IS NULL OR m.seq <= r.to_seq)`;
    const offset = p.order === 'relevance' ? (p.cursor ?? 0) : 0;
    return this.deps.pg ? this.queryPg(p, where, inRange, offset) : this.querySqlite(p, where, inRange, offset, lo, until);
  }

  private async queryPg(p: QueryParams, where: RawBuilder<unknown>[], inRange: RawBuilder<unknown>, offset: number): Promise<Hit[]> {
    let mask = 0;
    for (const h of p.parsed.has) mask |= FLAG[h];
    const all = [...where];
    if (mask) all.push(sql`(d.flags & ${mask}) = ${mask}`);
    if (p.text) all.push(sql`d.terms @@ ${toTsquery(p.text)}::tsquery`);
    if (p.order === 'newest' && p.cursor !== null) all.push(sql`d.doc_id < ${p.cursor}`);
    const ranges = sql`unnest(${p.readable.map((r) => r.convId)}::varchar[], ${p.readable.map((r) => r.fromSeq)}::bigint[], ${p.readable.map((r) => r.toSeq)}::bigint[], ${p.readable.map((r) => r.leftAt)}::bigint[]) AS r(conv_id, from_seq, to_seq, left_at)`;
    const orderBy = p.order === 'relevance' ? sql`ts_rank(d.terms, ${toTsquery(p.text!)}::tsquery) DESC, d.doc_id DESC` : sql`d.doc_id DESC`;
    const query = sql<Hit>`SELECT m.*, d.doc_id FROM search_docs d
      JOIN messages m ON m.id = d.message_id
      JOIN ${ranges} ON ${inRange}
      WHERE ${sql.join(all, sql` AND `)}
      ORDER BY ${orderBy} LIMIT ${p.limit} OFFSET ${offset}`;
    return (await query.execute(this.deps.db)).rows;
  }

  /**
   * SQLite: the FTS5 table drives (CROSS JOIN fixes the order): walking its rowids downwards is
   * newest first (a doc id is the send time × DOC_IDS_PER_MS), so a page stops when it is full;
   * each candidate's message is read by primary key. Left to itself the planner may drive from
   * another table and evaluate MATCH once per row (measured ~500× slower). in:, from: and has:
   * are terms of the `meta` column and days are rowid bounds, so the index narrows first. A query
   * of other filters alone matches the readable conversations' terms. The ranges are materialised once.
   */
  private async querySqlite(p: QueryParams, where: RawBuilder<unknown>[], inRange: RawBuilder<unknown>, offset: number, lo: number | null, until: number | null): Promise<Hit[]> {
    const any = (terms: string[]) => `meta : (${terms.map((t) => `"${t}"`).join(' OR ')})`;
    const match: string[] = [];
    if (p.text) match.push(`(${toFts5(p.text)})`);
    if (p.senders) match.push(any(p.senders.map((u) => `u${u.toLowerCase()}`)));
    if (p.parsed.in.length > 0 || match.length === 0) match.push(any(p.readable.map((r) => `c${r.convId.toLowerCase()}`)));
    for (const h of p.parsed.has) match.push(`meta : "f${h}"`);
    const all = [sql`search_fts MATCH ${match.join(' AND ')}`, ...where];
    if (lo !== null) all.push(sql`f.rowid >= ${lo * DOC_IDS_PER_MS}`);
    if (until !== null) all.push(sql`f.rowid < ${until * DOC_IDS_PER_MS}`);
    if (p.order === 'newest' && p.cursor !== null) all.push(sql`f.rowid < ${p.cursor}`);
    const rangesJson = JSON.stringify(p.readable.map((r) => [r.convId, r.fromSeq, r.toSeq, r.leftAt]));
    const orderBy = p.order === 'relevance' ? sql`f.rank, f.rowid DESC` : sql`f.rowid DESC`;
    const query = sql<Hit>`WITH r AS MATERIALIZED (SELECT value ->> 0 AS conv_id, value ->> 1 AS from_seq, value ->> 2 AS to_seq, value ->> 3 AS left_at FROM json_each(${rangesJson}))
      SELECT m.*, f.rowid AS doc_id FROM search_fts f
      CROSS JOIN messages m ON m.id = f.message_id
      JOIN r ON ${inRange}
      WHERE ${sql.join(all, sql` AND `)}
      ORDER BY ${orderBy} LIMIT ${p.limit} OFFSET ${offset}`;
    return (await query.execute(this.deps.db)).rows;
  }
}

function encodeCursor(n: number): string {
  return Buffer.from(String(n)).toString('base64url');
}

function decodeCursor(cursor: string | undefined, order: string): number | null {
  if (cursor === undefined || cursor === '') return null;
  const n = Number(Buffer.from(cursor, 'base64url').toString());
  if (!Number.isSafeInteger(n) || n < 0) throw new AppError('invalid_request', `The cursor does not come from a ${order} search page.`, { field: '/cursor' });
  return n;
}
