import type { HistoryPage, LogEvent, Message, SendAck, ThreadPage } from '@parley/protocol';
import { indexMessage, unindexMessage } from '../search/write.js';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { MemoryLimiter, type Limiter } from '../core/limits.js';
import { accessConversation, readsSeq, visibleUpTo } from '../conversations/access.js';
import { appendEvent, readEvents } from '../conversations/log.js';
import { assertCan, can, type ConvAccess } from '../conversations/policy.js';
import { STALE_MS } from '../presence/service.js';
import { parseMentions } from './mentions.js';
import { retagBody } from '../tags/service.js';
import { normaliseTag } from '../tags/parse.js';
import { normaliseMessage, presentMessages, type MessageRow } from './presenter.js';
import { asOfLeaving } from './as-of.js';
import { checkBody, sendRateLimited } from './validate.js';
import { SendWriterThread, SqliteSendBatcher } from './sqlite-send.js';
import type { SendInput } from './send-queue.js';
import type { Screened, SecretsService } from '../secrets/service.js';
import type { WorkspaceSettingsService } from '../workspace/settings.js';
import { PgSendBatcher } from './pg-send.js';
import { EncodedJson } from '../core/encoded.js';
import { BurnSweeper, resolveBurn, reveal } from './burn.js';
import { RetentionSweeper } from './retention.js';
import { liveFrom } from './live-range.js';
import type { RevealedMessage } from '@parley/protocol';
import type { TraceRecorder } from '../trace/recorder.js';

export type { SendInput };

const MAX_DISTINCT_REACTIONS = 50;

/** Sending, editing, recalling, reacting, reading history: every message write is a log event. */
export class MessagesService {
  private readonly batcher: SqliteSendBatcher | PgSendBatcher;
  /** Burns burn-after-reading messages when their time comes (messages/burn.ts). */
  readonly burner: BurnSweeper;
  /** Erases messages past their conversation's retention (messages/retention.ts). */
  readonly retention: RetentionSweeper;

  /**
   * `sendLimiter`: messages and reactions per user; in memory on SQLite, shared by every node on
   * PostgreSQL. `afterRecall` runs once a recall committed (the files domain collects the bytes
   * its files leave unreferenced).
   */
  constructor(
    private readonly deps: Deps,
    readonly sendLimiter: Limiter = new MemoryLimiter(deps.config.limits.sendRatePerSec, deps.config.limits.sendBurst, deps.now),
    private readonly afterRecall: () => void = () => {},
    /** The workspace's secret policy, applied to every body before it is stored (secrets/service.ts). */
    private readonly secrets: SecretsService | null = null,
    /** After a burn: the embedded database's WAL scrubbed (store/wal-scrub.ts); the files' bytes go through `afterRecall`. */
    scrub: () => Promise<boolean> = async () => true,
    /** Live settings (the edit and recall windows); without it, the environment's. */
    private readonly workspace: WorkspaceSettingsService | null = null,
    /** The message trace (trace/recorder.ts): every send writes its trace row with the message. */
    trace: TraceRecorder | null = null,
  ) {
    this.burner = new BurnSweeper(
      deps,
      (events) => this.publish(events),
      async () => {
        afterRecall();
        return scrub();
      },
    );
    this.retention = new RetentionSweeper(
      deps,
      workspace,
      (events) => this.publish(events),
      async () => {
        afterRecall();
        return scrub();
      },
    );
    const { sendBatchMax, sendBatchesInFlight, sendPipelineMin } = deps.config.limits;
    if (deps.sqlite) {
      // The embedded batcher charges each batch synchronously in arrival order: one process, exact buckets.
      if (!(sendLimiter instanceof MemoryLimiter)) throw new Error('the embedded send path needs in-memory send buckets');
      this.batcher = new SqliteSendBatcher(new SendWriterThread(deps.sqlite.name, deps), deps, deps.sqliteTurn!, sendLimiter.buckets, sendBatchMax, sendBatchesInFlight, trace, sendPipelineMin);
    } else if (deps.pg) this.batcher = new PgSendBatcher(deps.pg, deps, sendLimiter, sendBatchMax, sendBatchesInFlight, trace);
    else throw new Error('no storage handle for the send path');
  }

  /** The embedded database's send writer thread (null on PostgreSQL): fault-injection tests reach its connection. */
  get sqliteWriter(): SendWriterThread | null {
    return this.batcher instanceof SqliteSendBatcher && this.batcher.writer instanceof SendWriterThread ? this.batcher.writer : null;
  }

  /** Starts the embedded writer thread ahead of the first send. */
  start(): void {
    this.burner.start();
    this.retention.start();
    this.sqliteWriter?.start();
  }

  /** Finishes the sends already submitted and stops the embedded writer thread; call after the last request. */
  async stop(): Promise<void> {
    await this.burner.stop();
    await this.retention.stop();
    if (this.batcher instanceof SqliteSendBatcher) await this.batcher.stop();
  }

  /**
   * Validates, authorises and stores a message, then acks. A retry with the same client_msg_id
   * returns the original ack (duplicate: true) and never creates a second message.
   */
  async send(actor: Actor, input: SendInput): Promise<SendAck> {
    const ack = await this.sendEncoded(actor, input);
    return ack instanceof EncodedJson ? ack.decode() : ack;
  }

  /**
   * The same, with the ack as the send path made it: already encoded on the embedded database (the
   * socket sends it as it is). `placed` is called once the send's place in the commit order is
   * fixed, where the path has one before the commit (the embedded writer takes its queue in order):
   * a later send from the same caller may start then and still be stored after this one.
   */
  async sendEncoded(actor: Actor, input: SendInput, placed?: () => void): Promise<SendAck | EncodedJson<SendAck>> {
    const started = performance.now();
    const m = this.deps.metrics;
    try {
      const ack = await this.sendScreened(actor, input, placed);
      m.sendSeconds.observe((performance.now() - started) / 1000);
      m.sends.inc({ outcome: ack instanceof EncodedJson || !ack.duplicate ? 'acked' : 'duplicate' });
      return ack;
    } catch (e) {
      m.sends.inc({ outcome: e instanceof AppError ? e.code : 'internal' });
      throw e;
    }
  }

  private async sendScreened(actor: Actor, input: SendInput, placed?: () => void): Promise<SendAck | EncodedJson<SendAck>> {
    // Before anything stores, indexes, logs or publishes the body (a retry is screened again and
    // so finds its original by the same client_msg_id).
    const { burn_after, expires_at, ...rest } = input as SendInput & { burn_after?: number | string; expires_at?: string };
    input = { ...rest, burn: resolveBurn(this.deps.config, this.deps.now(), { burn_after, expires_at }) };
    // A burn message is how a team shares a credential on purpose: it is not masked, it burns.
    const screened = input.burn ? undefined : this.secrets?.screen(input.body);
    let report: Screened['report'] = null;
    if (screened) {
      const { body, report: found } = await screened;
      input = { ...input, body };
      report = found;
    }
    const out = await this.batcher.submit(actor, input, placed);
    const ack = out.kind === 'sent' ? out.ack : await this.duplicateAck(actor, normaliseMessage(out.row), input.conv_id);
    if (!report) return ack;
    return { ...(ack instanceof EncodedJson ? ack.decode() : ack), secrets: report };
  }

  /**
   * A retry answered from the original send. Both group-commit paths settle a duplicate before
   * any access check (the original is all there is to answer with), so it is read here like any
   * other message: the sender may have left since, or rejoined with a narrower visible range. It
   * is shown as it was when they left, never with the reactions, edits and replies made since.
   */
  private async duplicateAck(actor: Actor, row: MessageRow, convId: string): Promise<SendAck> {
    if (row.conv_id !== convId) throw new AppError('idempotency_conflict');
    const { db } = this.deps;
    const visible = await this.loadVisible(actor, row.id);
    const [message] = await presentMessages(db, [visible], await asOfLeaving(db, row.conv_id, visible.access.member));
    return { id: row.id, conv_id: row.conv_id, seq: row.seq, client_msg_id: row.client_msg_id, created_at: message!.created_at, duplicate: true, message: message! };
  }

  /**
   * Who an edited body mentions. Named members are resolved against the current membership.
   * @here keeps the members it reached when it was first written (those online then, stored as
   * rows not explained by a name in the previous body), so an edit neither takes a mention away
   * from someone who was called nor calls the members who came online since; @here added by the
   * edit reaches the members online at the edit.
   */
  private async resolveMentions(row: MessageRow, senderId: string, body: string): Promise<{ userIds: string[]; broadcast: boolean }> {
    const parsed = parseMentions(body);
    const userIds = new Set(await this.namedMembers(row.conv_id, parsed.usernames));
    if (parsed.here) {
      const before = parseMentions(row.body);
      const reached = before.here ? await this.reachedByHere(row, before.usernames) : await this.onlineMembers(row.conv_id, senderId);
      for (const u of reached) userIds.add(u);
    }
    return { userIds: [...userIds], broadcast: parsed.broadcast };
  }

  private async namedMembers(convId: string, usernames: string[]): Promise<string[]> {
    if (usernames.length === 0) return [];
    const rows = await this.deps.db
      .selectFrom('users')
      .innerJoin('members', 'members.user_id', 'users.id')
      .select('users.id')
      .where('members.conv_id', '=', convId)
      .where('members.left_seq', 'is', null)
      .where('users.username', 'in', usernames.slice(0, 100))
      .execute();
    return rows.map((r) => r.id);
  }

  /** Current members other than the sender who are online: the send paths' rule for @here. */
  private async onlineMembers(convId: string, senderId: string): Promise<string[]> {
    const fresh = this.deps.now() - STALE_MS;
    const rows = await this.deps.db
      .selectFrom('members')
      .select('members.user_id')
      .where('members.conv_id', '=', convId)
      .where('members.left_seq', 'is', null)
      .where('members.user_id', '<>', senderId)
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('presence').select('presence.user_id').whereRef('presence.user_id', '=', 'members.user_id').where('presence.away', '=', 0).where('presence.updated_at', '>', fresh)),
      )
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Stored mentions of the message that no name in its previous body explains: who its @here reached (still members). */
  private async reachedByHere(row: MessageRow, previousNames: string[]): Promise<string[]> {
    let q = this.deps.db
      .selectFrom('mentions')
      .innerJoin('users', 'users.id', 'mentions.user_id')
      .innerJoin('members', (j) => j.onRef('members.user_id', '=', 'mentions.user_id').on('members.conv_id', '=', row.conv_id))
      .select('mentions.user_id')
      .where('mentions.message_id', '=', row.id)
      .where('members.left_seq', 'is', null);
    if (previousNames.length > 0) q = q.where('users.username', 'not in', previousNames.slice(0, 100));
    return (await q.execute()).map((r) => r.user_id);
  }

  /**
   * The message if the actor may read it (404 otherwise): the one rule history uses, which a
   * file download reuses for the message that carries the file.
   */
  async visible(actor: Actor, messageId: string): Promise<MessageRow & { access: ConvAccess }> {
    return this.loadVisible(actor, messageId);
  }

  /** A message the actor may read: in a conversation they see, within their visible range. */
  private async loadVisible(actor: Actor, messageId: string, known?: ConvAccess): Promise<MessageRow & { access: ConvAccess }> {
    const raw = await this.deps.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
    if (!raw) throw new AppError('not_found', 'No such message.');
    const row = normaliseMessage(raw);
    // Past its retention it is gone for everyone (messages/retention.ts).
    if (row.expired_at !== null) throw new AppError('not_found', 'No such message.');
    // Every "you may not see it" answer is word for word the answer for an id that does not exist.
    if (known && known.conv.id !== row.conv_id) throw new AppError('not_found', 'No such message.');
    const access =
      known ??
      (await accessConversation(this.deps.db, actor, row.conv_id).catch((e: unknown) => {
        throw e instanceof AppError && e.code === 'not_found' ? new AppError('not_found', 'No such message.') : e;
      }));
    if (!readsSeq(actor, access, row.seq)) throw new AppError('not_found', 'No such message.');
    return { ...row, access };
  }

  async get(actor: Actor, messageId: string): Promise<Message> {
    const row = await this.loadVisible(actor, messageId);
    return (await presentMessages(this.deps.db, [row], await asOfLeaving(this.deps.db, row.conv_id, row.access.member)))[0]!;
  }

  /**
   * A burn-after-reading message's content for the actor: the one path that carries it. Their
   * first reveal starts their timer; after it, `burned` (messages/burn.ts).
   */
  async reveal(actor: Actor, messageId: string): Promise<RevealedMessage> {
    const row = await this.loadVisible(actor, messageId);
    const present = async () => (await presentMessages(this.deps.db, [row], await asOfLeaving(this.deps.db, row.conv_id, row.access.member), true))[0]!;
    return reveal(this.deps, actor.userId, row, present, (at) => this.burner.schedule(at));
  }

  /** `anyTime`: an integration keeping its own summary up to date (a receiver's thread root), past the edit window. */
  async edit(actor: Actor, messageId: string, newBody: string, opts: { anyTime?: boolean } = {}): Promise<Message> {
    const { db, config, now } = this.deps;
    const row = await this.loadVisible(actor, messageId);
    assertCan(actor, 'message.edit_own', row.access);
    if (row.sender_id !== actor.userId) throw new AppError('forbidden', 'You can only edit your own messages.');
    if (row.recalled_at !== null) throw new AppError('conflict', 'A recalled message cannot be edited.');
    if (row.burn_after_ms !== null) throw new AppError('conflict', 'A message that burns after reading cannot be edited.');
    const t = now();
    const editWindowMs = this.workspace ? (await this.workspace.get()).edit_window_ms : config.editWindowMs;
    if (!opts.anyTime && editWindowMs !== null && t - row.created_at > editWindowMs) throw new AppError('edit_window_closed');
    const checked = checkBody(newBody, config.limits.maxMessageChars);
    const screened = this.secrets?.screen(checked);
    const body = screened ? (await screened).body : checked;
    if (body === row.body) return this.get(actor, messageId);
    const mentioned = await this.resolveMentions(row, actor.userId, body);
    const events = await db.transaction().execute(async (trx) => {
      // The conversation's row lock (taken by appendEvent) before the message's: send batches
      // take them in that order too (a reply bumps its root), so the two never deadlock.
      const seq = await appendEvent(trx, { conv_id: row.conv_id, type: 'message.edited', actor_id: actor.userId, message_id: row.id, now: t });
      await trx.insertInto('message_edits').values({ message_id: row.id, edited_at: t, previous_body: row.body }).execute();
      const updated = await trx
        .updateTable('messages')
        .set({ body, edited_at: t, mentions_all: mentioned.broadcast ? 1 : 0 })
        .where('id', '=', row.id)
        // Expired since it was read (messages/retention.ts): its content is not written back.
        .where('expired_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new AppError('not_found', 'No such message.');
      await trx.deleteFrom('mentions').where('message_id', '=', row.id).execute();
      if (mentioned.userIds.length > 0) {
        await trx
          .insertInto('mentions')
          .values(mentioned.userIds.map((u) => ({ message_id: row.id, conv_id: row.conv_id, seq: row.seq, user_id: u })))
          .execute();
      }
      await retagBody(trx, row, body, t);
      const files = await trx.selectFrom('uploads').select(['mime', 'name']).where('message_id', '=', row.id).execute();
      await indexMessage(trx, this.deps.pg !== null, { messageId: row.id, convId: row.conv_id, seq: row.seq, senderId: row.sender_id, createdAt: row.created_at, body, attachments: files });
      return readEvents(trx, row.conv_id, seq, seq);
    });
    this.publish(events);
    return this.get(actor, messageId);
  }

  /**
   * Recall: the sender within the recall window, conversation or workspace admins at any time.
   * The text and its edit history are erased for good; a tombstone keeps the message's place.
   * Its files go too: their upload rows are deleted in the same transaction (the uploader's quota
   * comes back at once) and their bytes once nothing else references them (files/collector.ts).
   */
  async recall(actor: Actor, messageId: string): Promise<Message> {
    const { db, config, now } = this.deps;
    const row = await this.loadVisible(actor, messageId);
    if (row.recalled_at !== null) return this.get(actor, messageId);
    const t = now();
    const asAdmin = can(actor, 'message.recall_any', row.access);
    if (!asAdmin) {
      assertCan(actor, 'message.recall_own', row.access);
      if (row.sender_id !== actor.userId) throw new AppError('forbidden', 'You can only recall your own messages.');
      const recallWindowMs = this.workspace ? (await this.workspace.get()).recall_window_ms : config.recallWindowMs;
      if (recallWindowMs !== null && t - row.created_at > recallWindowMs) throw new AppError('recall_window_closed');
    }
    const events = await db.transaction().execute(async (trx) => {
      // Conversation lock first, as in edit().
      const seq = await appendEvent(trx, { conv_id: row.conv_id, type: 'message.recalled', actor_id: actor.userId, message_id: row.id, now: t });
      await trx.updateTable('messages').set({ body: '', recalled_at: t, recalled_by: actor.userId, mentions_all: 0, burns_at: null }).where('id', '=', row.id).execute();
      await trx.deleteFrom('message_edits').where('message_id', '=', row.id).execute();
      await trx.deleteFrom('mentions').where('message_id', '=', row.id).execute();
      await trx.deleteFrom('reactions').where('message_id', '=', row.id).execute();
      await trx.deleteFrom('message_tags').where('message_id', '=', row.id).execute();
      // Unpinned and unsaved with it: nothing points at the tombstone (its event carries it unpinned).
      await trx.deleteFrom('message_pins').where('message_id', '=', row.id).execute();
      await trx.deleteFrom('saved_messages').where('message_id', '=', row.id).execute();
      await trx.deleteFrom('uploads').where('message_id', '=', row.id).execute();
      await trx.deleteFrom('burn_reveals').where('message_id', '=', row.id).execute();
      await unindexMessage(trx, this.deps.pg !== null, row.id);
      return readEvents(trx, row.conv_id, seq, seq);
    });
    this.publish(events);
    this.afterRecall();
    return this.get(actor, messageId);
  }

  /**
   * Every add or remove that gets this far is charged to the sender's send budget: a change is a
   * log event and a push to every member, and add/remove churn would otherwise grow the log
   * without bound and flood everyone. Charged after the access checks, so a refused reaction
   * costs nothing; a no-op (adding one already there) still costs, as it still costs the reads.
   */
  async react(actor: Actor, messageId: string, emoji: string, op: 'add' | 'remove'): Promise<Message> {
    const { db, now } = this.deps;
    const row = await this.loadVisible(actor, messageId);
    assertCan(actor, 'message.react', row.access);
    if (row.recalled_at !== null) throw new AppError('conflict', 'A recalled message cannot take reactions.');
    if (row.burned_at !== null) throw new AppError('burned');
    const wait = await this.sendLimiter.take(actor.userId);
    if (wait > 0) throw sendRateLimited(this.sendLimiter.ratePerSec, wait);
    const t = now();
    const events = await db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('reactions').select('emoji').where('message_id', '=', row.id).where('user_id', '=', actor.userId).where('emoji', '=', emoji).executeTakeFirst();
      if (op === 'add') {
        if (exists) return [];
        const distinct = await trx.selectFrom('reactions').select('emoji').distinct().where('message_id', '=', row.id).execute();
        if (distinct.length >= MAX_DISTINCT_REACTIONS && !distinct.some((d) => d.emoji === emoji)) {
          throw new AppError('invalid_request', `A message takes at most ${MAX_DISTINCT_REACTIONS} different reactions.`);
        }
        await trx.insertInto('reactions').values({ message_id: row.id, user_id: actor.userId, emoji, created_at: t }).execute();
      } else {
        if (!exists) return [];
        await trx.deleteFrom('reactions').where('message_id', '=', row.id).where('user_id', '=', actor.userId).where('emoji', '=', emoji).execute();
      }
      const seq = await appendEvent(trx, { conv_id: row.conv_id, type: 'reaction.changed', actor_id: actor.userId, message_id: row.id, data: { emoji, user_id: actor.userId, op }, now: t });
      return readEvents(trx, row.conv_id, seq, seq);
    });
    this.publish(events);
    return this.get(actor, messageId);
  }

  /**
   * History in seq order. `after_seq`: the page after it; `before_seq`: the page before it;
   * neither: the latest page. Clamped to the member's visible range.
   */
  async history(actor: Actor, convId: string, q: { after_seq?: number | undefined; before_seq?: number | undefined; limit?: number | undefined; tag?: string | undefined }): Promise<HistoryPage> {
    const { db, config } = this.deps;
    const tag = q.tag === undefined ? null : normaliseTag(q.tag, '/tag');
    const a = await accessConversation(db, actor, convId);
    assertCan(actor, 'conversation.read', a);
    const limit = Math.min(q.limit ?? 50, config.limits.historyPageMax);
    const lo = a.member!.visible_from_seq;
    const hi = visibleUpTo(a);
    // One bound per side, folded here: given both the visible range and the cursor, SQLite
    // walks the index from the range's bound instead of the cursor (111 ms vs 0.2 ms at 1M rows).
    const from = Math.max(lo, (q.after_seq ?? -1) + 1);
    const to = Math.min(hi, (q.before_seq ?? Number.MAX_SAFE_INTEGER) - 1);
    // Messages past their retention are left out (messages/retention.ts), by the same one bound.
    let sel = db.selectFrom('messages').selectAll().where('conv_id', '=', convId).where('seq', '>=', liveFrom(convId, from)).where('seq', '<=', to).where('expired_at', 'is', null);
    // Only the messages carrying the tag: found through the (conv_id, tag, seq) index.
    if (tag !== null)
      sel = sel.where('id', 'in', db.selectFrom('message_tags').select('message_id').where('conv_id', '=', convId).where('tag', '=', tag).where('seq', '>=', from).where('seq', '<=', to));
    const asOf = await asOfLeaving(db, convId, a.member);
    let rows: MessageRow[];
    if (q.after_seq !== undefined) {
      rows = (
        await sel
          .orderBy('seq', 'asc')
          .limit(limit + 1)
          .execute()
      ).map(normaliseMessage);
      const hasMore = rows.length > limit;
      return { messages: await presentMessages(db, rows.slice(0, limit), asOf), has_more: hasMore };
    }
    rows = (
      await sel
        .orderBy('seq', 'desc')
        .limit(limit + 1)
        .execute()
    ).map(normaliseMessage);
    const hasMore = rows.length > limit;
    return { messages: await presentMessages(db, rows.slice(0, limit).reverse(), asOf), has_more: hasMore };
  }

  /**
   * A thread: its root and a page of replies in seq order, the latest ones unless `before_seq`
   * asks for those before it (a long thread opens at its end, like a conversation).
   */
  async thread(actor: Actor, rootId: string, q: { before_seq?: number | undefined; limit?: number | undefined } = {}): Promise<ThreadPage> {
    const { db, config } = this.deps;
    const root = await this.loadVisible(actor, rootId);
    if (root.thread_root_id) return this.thread(actor, root.thread_root_id, q);
    const limit = Math.min(q.limit ?? config.limits.historyPageMax, config.limits.historyPageMax);
    const rows = (
      await db
        .selectFrom('messages')
        .selectAll()
        .where('thread_root_id', '=', root.id)
        .where('expired_at', 'is', null)
        .where('seq', '<=', Math.min(visibleUpTo(root.access), (q.before_seq ?? Number.MAX_SAFE_INTEGER) - 1))
        .where('seq', '>=', root.access.member!.visible_from_seq)
        .orderBy('seq', 'desc')
        .limit(limit + 1)
        .execute()
    ).map(normaliseMessage);
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit).reverse();
    const [rootMsg, ...replies] = await presentMessages(db, [root, ...page], await asOfLeaving(db, root.conv_id, root.access.member));
    return { root: rootMsg!, replies, has_more: hasMore };
  }

  /** Edit history of a message (sender and admins only), newest first. */
  async edits(actor: Actor, messageId: string): Promise<{ edited_at: string; previous_body: string }[]> {
    const row = await this.loadVisible(actor, messageId);
    if (row.sender_id !== actor.userId && !can(actor, 'message.recall_any', row.access)) throw new AppError('forbidden');
    const asOf = await asOfLeaving(this.deps.db, row.conv_id, row.access.member);
    const rows = await this.deps.db
      .selectFrom('message_edits')
      .selectAll()
      .where('message_id', '=', row.id)
      .where('edited_at', '<=', asOf?.at ?? Number.MAX_SAFE_INTEGER)
      .orderBy('edited_at', 'desc')
      .execute();
    return rows.map((r) => ({ edited_at: new Date(Number(r.edited_at)).toISOString(), previous_body: r.previous_body }));
  }

  private publish(events: LogEvent[]): void {
    for (const e of events) this.deps.publisher.logEvent(e);
  }
}
