import type { Conversation, CreateConversationBody, HistoryVisibility, Member, MemberRole, NotifyLevel, UpdateConversationBody } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { iso } from '../core/time.js';
import type { AuditService } from '../audit/service.js';
import type { Db } from '../store/db.js';
import { presentUser } from '../users/presenter.js';
import { accessConversation, myMemberships, normaliseMember } from './access.js';
import { appendEvent, readEvents } from './log.js';
import { assertCan, isActive, type ConvAccess } from './policy.js';
import type { MembersTable } from '../store/schema.js';
import { notifyView, presentConversation, presentConversations } from './presenter.js';
import { containsIgnoringCase } from '../store/like.js';

/** A purpose as stored: trimmed, and blank (or null) means none. */
function cleanPurpose(purpose: string | null | undefined): string | null {
  const p = purpose?.trim() ?? '';
  return p === '' ? null : p;
}

/** How many of a new conversation's members its audit entry names (a channel may start with thousands). */
const MEMBERS_IN_AUDIT = 100;

export interface CreateResult {
  conversation: Conversation;
  created: boolean;
}

/** Every conversation and membership change: each one a log event, published after commit. */
export class ConversationsService {
  constructor(
    private readonly deps: Deps,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, body: CreateConversationBody): Promise<CreateResult> {
    const { db, config } = this.deps;
    if (body.kind === 'dm') {
      await this.requireUsers([body.user_id]);
      const key = [actor.userId, body.user_id].sort().join(':');
      const existing = await db.selectFrom('conversations').select('id').where('dm_key', '=', key).executeTakeFirst();
      if (existing) return { conversation: await this.get(actor, existing.id), created: false };
      if (actor.role === 'guest' && body.user_id !== actor.userId) await this.assertSharesAConversation(actor, body.user_id);
      try {
        const id = await this.insertConversation(actor, { kind: 'dm', name: null, topic: '', purpose: null, visibility: null, history: 'full', dmKey: key }, [
          { userId: actor.userId, role: 'member' },
          ...(body.user_id === actor.userId ? [] : [{ userId: body.user_id, role: 'member' as const }]),
        ]);
        return { conversation: await this.get(actor, id), created: true };
      } catch (e) {
        // Two first messages racing to open the same DM: the unique dm_key decides, both get the one DM.
        const raced = await db.selectFrom('conversations').select('id').where('dm_key', '=', key).executeTakeFirst();
        if (raced) return { conversation: await this.get(actor, raced.id), created: false };
        throw e;
      }
    }
    if (actor.role === 'guest') throw new AppError('forbidden', 'Guests cannot create conversations.');
    const others = [...new Set((body.kind === 'group' ? body.member_ids : (body.member_ids ?? [])).filter((u) => u !== actor.userId))];
    if (others.length + 1 > (body.kind === 'group' ? config.limits.maxGroupMembers : 10_000)) {
      throw new AppError('invalid_request', `A group has at most ${config.limits.maxGroupMembers} members.`);
    }
    await this.requireUsers(others);
    if (body.kind === 'channel') await this.assertChannelNameFree(actor, body.name.trim(), body.visibility, null);
    const id = await this.insertConversation(
      actor,
      body.kind === 'group'
        ? { kind: 'group', name: body.name?.trim() ?? null, topic: '', purpose: null, visibility: null, history: 'full', dmKey: null }
        : {
            kind: 'channel',
            name: body.name.trim(),
            topic: body.topic ?? '',
            purpose: cleanPurpose(body.purpose),
            visibility: body.visibility,
            history: body.history_visibility ?? 'full',
            dmKey: null,
          },
      [{ userId: actor.userId, role: 'owner' }, ...others.map((u) => ({ userId: u, role: 'member' as const }))],
    );
    return { conversation: await this.get(actor, id), created: true };
  }

  /**
   * Guests take part only where they were added; opening DMs with anyone would let them reach the
   * whole workspace. A guest may open a DM only with someone who is, right now, a member of a
   * conversation the guest is also in (an existing DM is simply returned, before this check).
   * Members may still open DMs with guests.
   */
  private async assertSharesAConversation(actor: Actor, userId: string): Promise<void> {
    const shared = await this.deps.db
      .selectFrom('members as mine')
      .innerJoin('members as theirs', 'theirs.conv_id', 'mine.conv_id')
      .select('mine.conv_id')
      .where('mine.user_id', '=', actor.userId)
      .where('mine.left_seq', 'is', null)
      .where('theirs.user_id', '=', userId)
      .where('theirs.left_seq', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (!shared) throw new AppError('forbidden', 'Guests can message only people they share a conversation with.');
  }

  /**
   * Channel names, on create and rename alike. A name clashes only with a channel the actor can
   * see: public channels (every non-guest sees them all) and the channels the actor is in. A
   * private channel the actor is not in never clashes, so a 409 never tells anyone that a private
   * channel of that name exists (it used to, to anyone creating a public channel). Hence public
   * channel names are unique among public channels, while two private channels (or a private and
   * a public one) may share a name when no one creating or renaming them could see both; clients
   * resolve `#name` among the user's own conversations and ask for an id when that is ambiguous.
   * A guest renaming a private channel is not checked against public channels they cannot see.
   * There is no unique index on names: the rule is not one a database constraint can express.
   */
  private async assertChannelNameFree(actor: Actor, name: string, visibility: 'public' | 'private', exceptId: string | null): Promise<void> {
    let q = this.deps.db
      .selectFrom('conversations')
      .select('id')
      .where('kind', '=', 'channel')
      .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
      .where((eb) =>
        eb.or([
          ...(visibility === 'public' || actor.role !== 'guest' ? [eb('visibility', '=', 'public')] : []),
          eb.exists(
            eb.selectFrom('members').select('members.user_id').whereRef('members.conv_id', '=', 'conversations.id').where('members.user_id', '=', actor.userId).where('members.left_seq', 'is', null),
          ),
        ]),
      );
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst()) throw new AppError('conflict', `A channel named "${name}" already exists.`);
  }

  private async insertConversation(
    actor: Actor,
    c: {
      kind: 'dm' | 'group' | 'channel';
      name: string | null;
      topic: string;
      purpose: string | null;
      visibility: 'public' | 'private' | null;
      history: 'full' | 'since_join';
      dmKey: string | null;
    },
    members: { userId: string; role: MemberRole }[],
  ): Promise<string> {
    const { db, now } = this.deps;
    const id = newId();
    const t = now();
    const publish = await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('conversations')
        .values({
          id,
          kind: c.kind,
          name: c.name,
          topic: c.topic,
          purpose: c.purpose,
          retention_days: null,
          visibility: c.visibility,
          history_visibility: c.history,
          dm_key: c.dmKey,
          created_by: actor.userId,
          created_at: t,
          last_seq: 0,
          archived_at: null,
          member_count: 0,
        })
        .execute();
      const seqs: number[] = [];
      for (const m of members) seqs.push(await this.addMemberRow(trx, id, c.history, m.userId, m.role, actor.userId, t));
      // Who can read what starts here: a private channel or a group, and everyone put in it. A
      // DM between two people is ordinary messaging, not an administrative act.
      if (c.kind !== 'dm') {
        const others = members.filter((m) => m.userId !== actor.userId).map((m) => m.userId);
        await this.audit.record(
          {
            actor_id: actor.userId,
            action: 'conversation.created',
            target: id,
            data: { kind: c.kind, visibility: c.visibility, name: c.name, member_count: members.length, member_ids: others.slice(0, MEMBERS_IN_AUDIT) },
            ip: actor.ip ?? null,
          },
          trx,
        );
      }
      return this.collect(
        trx,
        id,
        seqs[0]!,
        seqs[seqs.length - 1]!,
        members.map((m) => m.userId),
      );
    });
    publish();
    return id;
  }

  /** Adds (or re-adds) a member inside a transaction; returns the seq of their member.joined event. */
  private async addMemberRow(trx: Db, convId: string, history: 'full' | 'since_join', userId: string, role: MemberRole, actorId: string, t: number): Promise<number> {
    const conv = await trx
      .updateTable('conversations')
      .set((eb) => ({ member_count: eb('member_count', '+', 1) }))
      .where('id', '=', convId)
      .returning('member_count')
      .executeTakeFirstOrThrow();
    const seq = await appendEvent(trx, { conv_id: convId, type: 'member.joined', actor_id: actorId, data: { user_id: userId, role, member_count: Number(conv.member_count) }, now: t });
    const visibleFrom = history === 'full' ? 1 : seq;
    const existing = await trx.selectFrom('members').select('user_id').where('conv_id', '=', convId).where('user_id', '=', userId).executeTakeFirst();
    if (existing) {
      await trx.updateTable('members').set({ role, joined_at: t, visible_from_seq: visibleFrom, left_seq: null, read_seq: seq }).where('conv_id', '=', convId).where('user_id', '=', userId).execute();
    } else {
      await trx
        .insertInto('members')
        .values({ conv_id: convId, user_id: userId, role, joined_at: t, visible_from_seq: visibleFrom, left_seq: null, read_seq: seq, delivered_seq: seq, notify: null })
        .execute();
    }
    return seq;
  }

  /**
   * Reads, inside the writing transaction, the log events in [fromSeq, toSeq] and the
   * conversation as each newly joined user now sees it; returns the function that publishes
   * them, to be called as soon as the commit resolves (so events leave in commit order).
   * Joined users' sockets are not subscribed yet, so they get `conversation.added` and the
   * events through their user subject.
   */
  private async collect(trx: Db, convId: string, fromSeq: number, toSeq: number, joined: string[] = []): Promise<() => void> {
    const { publisher } = this.deps;
    const events = await readEvents(trx, convId, fromSeq, toSeq);
    const views = await Promise.all(joined.map(async (u) => [u, await this.viewFor(u, convId, trx)] as const));
    return () => {
      for (const e of events) publisher.logEvent(e);
      for (const [userId, conversation] of views) {
        publisher.joined(userId, convId, conversation.membership?.visible_from_seq ?? 1, toSeq + 1, [{ type: 'conversation.added', conversation }, ...events]);
      }
    };
  }

  private async viewFor(userId: string, convId: string, db: Db = this.deps.db): Promise<Conversation> {
    const conv = await db.selectFrom('conversations').selectAll().where('id', '=', convId).executeTakeFirstOrThrow();
    const member = (await db.selectFrom('members').selectAll().where('conv_id', '=', convId).where('user_id', '=', userId).executeTakeFirst()) ?? null;
    return presentConversation(db, userId, conv, member);
  }

  private async requireUsers(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows = await this.deps.db.selectFrom('users').select('id').where('id', 'in', ids).where('deactivated_at', 'is', null).execute();
    if (rows.length !== new Set(ids).size) {
      const found = new Set(rows.map((r) => r.id));
      throw new AppError('not_found', `No such user: ${ids.find((i) => !found.has(i))}`);
    }
  }

  async get(actor: Actor, convId: string): Promise<Conversation> {
    const a = await accessConversation(this.deps.db, actor, convId);
    assertCan(actor, 'conversation.view', a);
    return presentConversation(this.deps.db, actor.userId, a.conv, a.member);
  }

  /** `/mute`: the level `mentions`; unmuting goes back to the kind's default (see setNotify). */
  async setMuted(actor: Actor, convId: string, muted: boolean): Promise<Conversation> {
    return this.setNotify(actor, convId, muted ? 'mentions' : null);
  }

  /**
   * What notifies the member here (`all`, `mentions`, `nothing`; null: the kind's default): their
   * own choice, seen by nobody else, and only their own membership row is ever written. Their other
   * devices are told at once (`conversation.muted`) and every later view of the conversation
   * carries it. A non-member of a conversation they cannot see gets 404, of one they can see 403.
   */
  async setNotify(actor: Actor, convId: string, level: NotifyLevel | null): Promise<Conversation> {
    const { db, publisher } = this.deps;
    const a = await accessConversation(db, actor, convId);
    if (!a.member || a.member.left_seq !== null) throw new AppError('not_member');
    await db.updateTable('members').set({ notify: level }).where('conv_id', '=', convId).where('user_id', '=', actor.userId).execute();
    publisher.toUser(actor.userId, { type: 'conversation.muted', conv_id: convId, ...notifyView(a.conv.kind, level) });
    return presentConversation(db, actor.userId, a.conv, { ...a.member, notify: level });
  }

  /** The conversations I belong to (and ones I left, until I read up to my leave point). */
  async listMine(actor: Actor, includeLeft = false): Promise<Conversation[]> {
    const { db } = this.deps;
    const mine = await myMemberships(db, actor.userId, includeLeft);
    const out = await presentConversations(
      db,
      actor.userId,
      mine.map((a) => ({ conv: a.conv, member: a.member, dmUserId: a.dmUserId })),
    );
    // Most recent activity first, the order a sidebar wants.
    return out.sort((a, b) => (b.last_message?.created_at ?? b.created_at).localeCompare(a.last_message?.created_at ?? a.created_at));
  }

  /** Public channels anyone (but guests) can find and join. */
  async browse(actor: Actor, query: string, limit: number): Promise<Conversation[]> {
    if (actor.role === 'guest') return [];
    const { db } = this.deps;
    let q = db.selectFrom('conversations').selectAll().where('kind', '=', 'channel').where('visibility', '=', 'public').where('archived_at', 'is', null).orderBy('name').limit(limit);
    const term = query.trim().toLowerCase();
    if (term) q = q.where((eb) => containsIgnoringCase(eb.ref('name'), term));
    const rows = await q.execute();
    const members = rows.length
      ? await db
          .selectFrom('members')
          .selectAll()
          .where('user_id', '=', actor.userId)
          .where(
            'conv_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute()
      : [];
    // Browsing shows channels as they are now; a membership someone left is not a membership here.
    const byConv = new Map(members.filter((m) => m.left_seq === null).map((m) => [m.conv_id, m]));
    return presentConversations(
      db,
      actor.userId,
      rows.map((r) => ({ conv: r, member: byConv.get(r.id) ?? null })),
    );
  }

  /**
   * One transaction for a change to a conversation or its membership: the conversation's row is
   * locked first (PostgreSQL; SQLite runs one write transaction at a time), then the actor's
   * access is read again inside it, so every check holds for the write that follows it — two
   * removals of one member, a join racing an archive, an invite racing the inviter's removal.
   * Inside `fn` every query goes through `trx` (on SQLite, `db` would wait for this transaction).
   */
  private locked<T>(actor: Actor, convId: string, fn: (trx: Db, a: ConvAccess) => Promise<T>): Promise<T> {
    return this.deps.db.transaction().execute(async (trx) => {
      const lock = trx.selectFrom('conversations').select('id').where('id', '=', convId);
      await (this.deps.pg ? lock.forUpdate() : lock).execute();
      return fn(trx, await accessConversation(trx, actor, convId));
    });
  }

  async update(actor: Actor, convId: string, body: UpdateConversationBody): Promise<Conversation> {
    const { db, now } = this.deps;
    // Every field present is checked, whether or not its value would change: skipping the check
    // for an unchanged value answered a right guess (200) differently from a wrong one (403), so
    // a member who left could read the current name, topic and archived state by guessing.
    const check = (a: ConvAccess) => {
      if (body.archived !== undefined) assertCan(actor, 'conversation.archive', a);
      // Unarchiving and renaming in one request: the rename is judged on the unarchived conversation.
      const live = body.archived === false ? { ...a, conv: { ...a.conv, archived_at: null } } : a;
      if (body.name !== undefined) assertCan(actor, 'conversation.rename', live);
      // The purpose is the topic's longer-lived sibling: whoever may set one may set the other.
      if (body.topic !== undefined || body.purpose !== undefined) assertCan(actor, 'conversation.set_topic', live);
      if (body.history_visibility !== undefined) assertCan(actor, 'conversation.set_history', live);
    };
    const before = await accessConversation(db, actor, convId);
    check(before);
    if (body.name !== undefined && body.name.trim() !== before.conv.name && before.conv.kind === 'channel') {
      await this.assertChannelNameFree(actor, body.name.trim(), before.conv.visibility ?? 'private', convId);
    }
    const t = now();
    const publish = await this.locked(actor, convId, async (trx, a) => {
      check(a);
      const changes: { name?: string; topic?: string; purpose?: string | null; archived?: boolean; history_visibility?: HistoryVisibility } = {};
      if (body.archived !== undefined && body.archived !== (a.conv.archived_at !== null)) changes.archived = body.archived;
      if (body.name !== undefined && body.name.trim() !== a.conv.name) changes.name = body.name.trim();
      if (body.topic !== undefined && body.topic !== a.conv.topic) changes.topic = body.topic;
      if (body.purpose !== undefined && cleanPurpose(body.purpose) !== (a.conv.purpose ?? null)) changes.purpose = cleanPurpose(body.purpose);
      if (body.history_visibility !== undefined && body.history_visibility !== a.conv.history_visibility) changes.history_visibility = body.history_visibility;
      if (Object.keys(changes).length === 0) return null;
      await trx
        .updateTable('conversations')
        .set({
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.topic !== undefined ? { topic: changes.topic } : {}),
          ...(changes.purpose !== undefined ? { purpose: changes.purpose } : {}),
          ...(changes.archived !== undefined ? { archived_at: changes.archived ? t : null } : {}),
          ...(changes.history_visibility !== undefined ? { history_visibility: changes.history_visibility } : {}),
        })
        .where('id', '=', convId)
        .execute();
      // `previous` lets a member who left before this change be shown the conversation as they last saw it.
      const previous = {
        ...(changes.name !== undefined ? { name: a.conv.name } : {}),
        ...(changes.topic !== undefined ? { topic: a.conv.topic } : {}),
        ...(changes.purpose !== undefined ? { purpose: a.conv.purpose ?? null } : {}),
        ...(changes.archived !== undefined ? { archived: a.conv.archived_at !== null } : {}),
        ...(changes.history_visibility !== undefined ? { history_visibility: a.conv.history_visibility } : {}),
      };
      const seq = await appendEvent(trx, { conv_id: convId, type: 'conversation.updated', actor_id: actor.userId, data: { changes, previous }, now: t });
      if (changes.history_visibility !== undefined) {
        // Who can read what changes for everyone added from now on: an access decision, audited.
        await this.audit.record(
          { actor_id: actor.userId, action: 'conversation.history_changed', target: convId, data: { history_visibility: changes.history_visibility }, ip: actor.ip ?? null },
          trx,
        );
      }
      if (changes.archived !== undefined) {
        await this.audit.record({ actor_id: actor.userId, action: changes.archived ? 'conversation.archived' : 'conversation.unarchived', target: convId, ip: actor.ip ?? null }, trx);
      }
      return this.collect(trx, convId, seq, seq);
    });
    publish?.();
    return this.get(actor, convId);
  }

  async join(actor: Actor, convId: string): Promise<Conversation> {
    const a = await accessConversation(this.deps.db, actor, convId);
    if (isActive(a)) return presentConversation(this.deps.db, actor.userId, a.conv, a.member);
    assertCan(actor, 'conversation.join', a);
    const publish = await this.locked(actor, convId, async (trx, now) => {
      // Joined meanwhile (a double click): nothing to do.
      if (isActive(now)) return null;
      assertCan(actor, 'conversation.join', now);
      return this.addMembers(trx, actor, now, [actor.userId]);
    });
    publish?.();
    return this.get(actor, convId);
  }

  /** Adds a member; adding someone already in is a no-op that returns the conversation. */
  async invite(actor: Actor, convId: string, userId: string): Promise<Conversation> {
    const { db, config } = this.deps;
    assertCan(actor, 'conversation.invite', await accessConversation(db, actor, convId));
    await this.requireUsers([userId]);
    const publish = await this.locked(actor, convId, async (trx, a) => {
      assertCan(actor, 'conversation.invite', a);
      const target = await trx.selectFrom('members').select('left_seq').where('conv_id', '=', convId).where('user_id', '=', userId).executeTakeFirst();
      if (target && target.left_seq === null) return null;
      if (a.conv.kind === 'group' && Number(a.conv.member_count) + 1 > config.limits.maxGroupMembers) {
        throw new AppError('invalid_request', `A group has at most ${config.limits.maxGroupMembers} members.`);
      }
      return this.addMembers(trx, actor, a, [userId]);
    });
    publish?.();
    return this.get(actor, convId);
  }

  /**
   * Adds an integration's bot (an incoming webhook's) in the transaction that creates it: the
   * bot, its hook and its membership exist together or not at all. `create` writes them and
   * returns the bot's id; the caller's right to manage the conversation's webhooks is checked
   * under the conversation's lock.
   */
  async addIntegrationBot(actor: Actor, convId: string, create: (trx: Db) => Promise<string>): Promise<void> {
    const { db, config } = this.deps;
    assertCan(actor, 'conversation.manage_webhooks', await accessConversation(db, actor, convId));
    const publish = await this.locked(actor, convId, async (trx, a) => {
      assertCan(actor, 'conversation.manage_webhooks', a);
      if (a.conv.kind === 'group' && Number(a.conv.member_count) + 1 > config.limits.maxGroupMembers) {
        throw new AppError('invalid_request', `A group has at most ${config.limits.maxGroupMembers} members.`);
      }
      return this.addMembers(trx, actor, a, [await create(trx)]);
    });
    publish();
  }

  private async addMembers(trx: Db, actor: Actor, a: ConvAccess, userIds: string[]): Promise<() => void> {
    const t = this.deps.now();
    const seqs: number[] = [];
    for (const u of userIds) {
      seqs.push(await this.addMemberRow(trx, a.conv.id, a.conv.history_visibility, u, 'member', actor.userId, t));
      // Joining oneself and being added by someone else are told apart: only the second grants access on another's say.
      const action = u === actor.userId ? 'member.joined' : 'member.added';
      await this.audit.record({ actor_id: actor.userId, action, target: a.conv.id, data: { user_id: u }, ip: actor.ip ?? null }, trx);
    }
    return this.collect(trx, a.conv.id, seqs[0]!, seqs[seqs.length - 1]!, userIds);
  }

  async leave(actor: Actor, convId: string): Promise<void> {
    assertCan(actor, 'conversation.leave', await accessConversation(this.deps.db, actor, convId));
    await this.removeMember(actor, convId, actor.userId, (a) => assertCan(actor, 'conversation.leave', a));
  }

  async kick(actor: Actor, convId: string, userId: string): Promise<void> {
    assertCan(actor, 'conversation.kick', await accessConversation(this.deps.db, actor, convId));
    await this.removeMember(actor, convId, userId, (a, target) => {
      assertCan(actor, 'conversation.kick', a);
      if (target.role === 'owner' && actor.role !== 'owner' && userId !== actor.userId) {
        throw new AppError('forbidden', 'Only the workspace owner can remove a conversation owner.');
      }
    });
  }

  /** `check` runs under the lock on the conversation and the member as they are now; leaving and a removal by someone else are audited apart. */
  private async removeMember(actor: Actor, convId: string, userId: string, check: (a: ConvAccess, target: MembersTable) => void): Promise<void> {
    const t = this.deps.now();
    const { publish, seq } = await this.locked(actor, convId, async (trx, a) => {
      const target = await trx.selectFrom('members').selectAll().where('conv_id', '=', convId).where('user_id', '=', userId).executeTakeFirst();
      if (!target || target.left_seq !== null) throw userId === actor.userId ? new AppError('not_member') : new AppError('not_found', 'That user is not a member.');
      check(a, target);
      const removedBy = userId === actor.userId ? null : actor.userId;
      const conv = await trx
        .updateTable('conversations')
        .set((eb) => ({ member_count: eb('member_count', '-', 1) }))
        .where('id', '=', convId)
        .returning('member_count')
        .executeTakeFirstOrThrow();
      const s = await appendEvent(trx, {
        conv_id: convId,
        type: 'member.left',
        actor_id: actor.userId,
        data: { user_id: userId, removed_by: removedBy, member_count: Number(conv.member_count) },
        now: t,
      });
      await trx.updateTable('members').set({ left_seq: s }).where('conv_id', '=', convId).where('user_id', '=', userId).execute();
      await this.audit.record({ actor_id: actor.userId, action: removedBy ? 'member.removed' : 'member.left', target: convId, data: { user_id: userId }, ip: actor.ip ?? null }, trx);
      return { publish: await this.collect(trx, convId, s, s), seq: s };
    });
    publish();
    this.deps.publisher.left(userId, convId, seq);
  }

  async setRole(actor: Actor, convId: string, userId: string, role: MemberRole): Promise<Member> {
    assertCan(actor, 'conversation.set_role', await accessConversation(this.deps.db, actor, convId));
    const t = this.deps.now();
    const publish = await this.locked(actor, convId, async (trx, a) => {
      assertCan(actor, 'conversation.set_role', a);
      const target = await trx.selectFrom('members').selectAll().where('conv_id', '=', convId).where('user_id', '=', userId).executeTakeFirst();
      if (!target || target.left_seq !== null) throw new AppError('not_found', 'That user is not a member.');
      if (target.role === role) return null;
      await trx.updateTable('members').set({ role }).where('conv_id', '=', convId).where('user_id', '=', userId).execute();
      const seq = await appendEvent(trx, { conv_id: convId, type: 'member.role_changed', actor_id: actor.userId, data: { user_id: userId, role }, now: t });
      await this.audit.record({ actor_id: actor.userId, action: 'member.role_changed', target: convId, data: { user_id: userId, role }, ip: actor.ip ?? null }, trx);
      return this.collect(trx, convId, seq, seq);
    });
    publish?.();
    const members = await this.members(actor, convId);
    return members.find((m) => m.user.id === userId)!;
  }

  async members(actor: Actor, convId: string): Promise<Member[]> {
    const { db } = this.deps;
    const a = await accessConversation(db, actor, convId);
    assertCan(actor, 'conversation.read', a);
    if (a.member!.left_seq !== null) return this.membersAsOf(convId, a.member!.left_seq);
    const rows = await db
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select([
        'users.id',
        'users.username',
        'users.display_name',
        'users.avatar_url',
        'users.status_text',
        'users.status_emoji',
        'users.status_expires_at',
        'users.time_zone',
        'users.role as user_role',
        'users.created_at',
        'users.bot_owner_id',
        'members.role',
        'members.joined_at',
        'members.read_seq',
        'members.visible_from_seq',
        'members.left_seq',
        'members.delivered_seq',
      ])
      .where('members.conv_id', '=', convId)
      .where('members.left_seq', 'is', null)
      .orderBy('users.username')
      .execute();
    return rows.map((r) => {
      const m = normaliseMember({ ...r, joined_at: r.joined_at });
      return {
        user: presentUser({
          id: r.id,
          username: r.username,
          display_name: r.display_name,
          avatar_url: r.avatar_url,
          status_text: r.status_text,
          status_emoji: r.status_emoji,
          status_expires_at: r.status_expires_at,
          time_zone: r.time_zone,
          role: r.user_role,
          created_at: Number(r.created_at),
          bot_owner_id: r.bot_owner_id,
        }),
        role: r.role,
        joined_at: iso(m.joined_at),
        read_seq: m.read_seq,
      };
    });
  }

  /**
   * The member list as it stood at `seq`, rebuilt from the log: what a member who left at `seq`
   * last saw. Read cursors are capped at `seq` (later reads never reached them).
   */
  private async membersAsOf(convId: string, seq: number): Promise<Member[]> {
    const { db } = this.deps;
    const events = await db
      .selectFrom('events')
      .select(['type', 'data', 'created_at'])
      .where('conv_id', '=', convId)
      .where('seq', '<=', seq)
      .where('type', 'in', ['member.joined', 'member.left', 'member.role_changed'])
      .orderBy('seq')
      .execute();
    const state = new Map<string, { role: MemberRole; joined_at: number }>();
    for (const e of events) {
      const d = JSON.parse(e.data) as { user_id: string; role?: MemberRole };
      if (e.type === 'member.joined') state.set(d.user_id, { role: d.role ?? 'member', joined_at: Number(e.created_at) });
      else if (e.type === 'member.left') state.delete(d.user_id);
      else {
        const m = state.get(d.user_id);
        if (m && d.role) m.role = d.role;
      }
    }
    if (state.size === 0) return [];
    const ids = [...state.keys()];
    const [users, cursors] = await Promise.all([
      db.selectFrom('users').selectAll().where('id', 'in', ids).execute(),
      db.selectFrom('members').select(['user_id', 'read_seq']).where('conv_id', '=', convId).where('user_id', 'in', ids).execute(),
    ]);
    const readOf = new Map(cursors.map((c) => [c.user_id, Math.min(Number(c.read_seq), seq)]));
    return users
      .map((u) => ({ user: presentUser(u), role: state.get(u.id)!.role, joined_at: iso(state.get(u.id)!.joined_at), read_seq: readOf.get(u.id) ?? 0 }))
      .sort((x, y) => x.user.username.localeCompare(y.user.username));
  }

  /** Users who currently belong to the conversation (for typing, receipts, mentions). */
  async activeMemberIds(convId: string): Promise<string[]> {
    const rows = await this.deps.db.selectFrom('members').select('user_id').where('conv_id', '=', convId).where('left_seq', 'is', null).execute();
    return rows.map((r) => r.user_id);
  }
}
