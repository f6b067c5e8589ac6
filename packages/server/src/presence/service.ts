import type { Presence } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { accessConversation } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import { isoOrNull } from '../core/time.js';
import { TurnBatch } from '../core/turn-batch.js';

/** Users per presence statement, well under every engine's bound-parameter limit. */
const CHUNK = 500;

const unique = (ids: string[]): string[] => [...new Set(ids)];

async function inChunks(ids: string[], each: (chunk: string[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) await each(ids.slice(i, i + CHUNK));
}

/**
 * A node that has not refreshed its presence rows for this long is treated as gone. Exported for
 * the send paths, which resolve @here to the members online by this same rule inside their SQL.
 */
export const STALE_MS = 60_000;
const HEARTBEAT_MS = 20_000;

/**
 * Presence and typing: ephemeral, never in the log. A user is online while any of their devices
 * holds a socket on any node: each node keeps one `presence` row per user it holds sockets of,
 * refreshed by a heartbeat, so presence is shared through the database every node already uses
 * and a crashed node's rows expire by themselves. `away` is a manual choice while connected.
 * Last-seen is written when the last socket closes.
 */
export class PresenceService {
  private readonly sockets = new Map<string, number>();
  private readonly typingSent = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly deps: Deps) {}

  private get node(): string {
    return this.deps.config.nodeName;
  }

  /** Starts the heartbeat that keeps this node's rows fresh. */
  start(): void {
    this.heartbeat ??= setInterval(() => {
      this.deps.db
        .updateTable('presence')
        .set({ updated_at: this.deps.now() })
        .where('node_id', '=', this.node)
        .execute()
        .catch((err: unknown) => this.deps.log.warn({ err }, 'presence heartbeat failed'));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Graceful stop: this node's sockets are gone. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const users = [...this.sockets.keys()];
    this.sockets.clear();
    try {
      await this.deps.db.deleteFrom('presence').where('node_id', '=', this.node).execute();
      await inChunks(users, (chunk) => this.announceDepartures(chunk));
    } catch (err) {
      this.deps.log.warn({ err }, 'presence cleanup at shutdown failed; rows expire by themselves');
    }
  }

  /**
   * The first socket of a user on this node marks them online. Users who come online in the same
   * turn of the event loop (a reconnect storm brings thousands) share one multi-row upsert and one
   * presence read, instead of a committed write and two reads each.
   */
  connected(userId: string): Promise<void> {
    const n = (this.sockets.get(userId) ?? 0) + 1;
    this.sockets.set(userId, n);
    return n === 1 ? this.arrivals.add(userId) : this.countChanged(userId);
  }

  /**
   * Only PostgreSQL can be shared by several nodes (an embedded SQLite file belongs to one
   * process), so only there do the rows carry socket counts for other nodes to read.
   */
  get shared(): boolean {
    return this.deps.pg !== null;
  }

  /** Sockets of the user this node holds or has reserved (see `connected`). */
  localSockets(userId: string): number {
    return this.sockets.get(userId) ?? 0;
  }

  /** A user's socket count on this node moved (not to or from zero): their row says so, batched per turn. */
  private countChanged(userId: string): Promise<void> {
    if (!this.shared) return Promise.resolve();
    return this.counts.add(userId).catch((err: unknown) => this.deps.log.warn({ err }, 'socket count update failed; the next change or arrival rewrites it'));
  }

  private readonly counts = new TurnBatch<string>((userIds) =>
    inChunks(
      unique(userIds).filter((u) => this.sockets.has(u)),
      (chunk) => this.writeRows(chunk, false),
    ),
  );

  /**
   * Sockets the user holds on other nodes (fresh rows only: a crashed node's count expires with
   * its rows). Lookups made in one turn share one statement, so a reconnect storm pays one read
   * per turn. If the read fails the answer is 0: the cap falls back to this node's count, and a
   * database hiccup never refuses a socket.
   */
  socketsElsewhere(userId: string): Promise<number> {
    if (!this.shared) return Promise.resolve(0);
    const item = { userId, n: 0 };
    return this.elsewhere.add(item).then(() => item.n);
  }

  private readonly elsewhere = new TurnBatch<{ userId: string; n: number }>(async (items) => {
    try {
      const fresh = this.deps.now() - STALE_MS;
      const found = new Map<string, number>();
      await inChunks(unique(items.map((i) => i.userId)), async (chunk) => {
        const rows = await this.deps.db
          .selectFrom('presence')
          .select((eb) => ['user_id', eb.fn.sum<number>('sockets').as('n')])
          .where('user_id', 'in', chunk)
          .where('node_id', '<>', this.node)
          .where('updated_at', '>', fresh)
          .groupBy('user_id')
          .execute();
        for (const r of rows) found.set(r.user_id, Number(r.n));
      });
      for (const i of items) i.n = found.get(i.userId) ?? 0;
    } catch (err) {
      this.deps.log.warn({ err }, 'reading socket counts of other nodes failed; capping by this node alone');
    }
  });

  private rowWrites: Promise<unknown> = Promise.resolve();

  /**
   * This node's writes of its own rows, one at a time in the order asked. Two in flight at once
   * could land out of order (each takes a pool connection, one may wait longer for it): a stale
   * count written last would tell other nodes fewer sockets than this node has admitted, and the
   * cap would be passed. Each write reads the counts when its turn comes, so the last is current.
   */
  private inOrder(write: () => Promise<unknown>): Promise<void> {
    const done = this.rowWrites.then(write);
    this.rowWrites = done.catch(() => undefined);
    return done.then(() => undefined);
  }

  /** This node's rows for these users (all holding sockets here) with their socket counts; an arrival is online, not away. */
  private writeRows(userIds: string[], arriving: boolean): Promise<void> {
    return this.inOrder(() => {
      const t = this.deps.now();
      // Someone who left while this waited for its turn is not written back.
      const here = userIds.filter((u) => this.sockets.has(u));
      if (here.length === 0) return Promise.resolve();
      return this.deps.db
        .insertInto('presence')
        .values(here.map((u) => ({ node_id: this.node, user_id: u, away: 0, updated_at: t, sockets: this.sockets.get(u) ?? 0 })))
        .onConflict((oc) => oc.columns(['node_id', 'user_id']).doUpdateSet((eb) => ({ sockets: eb.ref('excluded.sockets'), updated_at: t, ...(arriving ? { away: 0 } : {}) })))
        .execute();
    });
  }

  private readonly arrivals = new TurnBatch<string>((userIds) =>
    // Someone who already left again must not be written back as online.
    inChunks(
      unique(userIds).filter((u) => this.sockets.has(u)),
      async (chunk) => {
        await this.writeRows(chunk, true);
        for (const p of await this.many(chunk)) this.deps.publisher.presence(p.user_id, { type: 'presence', ...p });
      },
    ),
  );

  /**
   * The last socket of a user on this node closed. Departures in the same turn of the event loop
   * (a node's network blip drops thousands) share one delete, one read and one last-seen update.
   */
  disconnected(userId: string): Promise<void> {
    const n = (this.sockets.get(userId) ?? 1) - 1;
    if (n > 0) {
      this.sockets.set(userId, n);
      return this.countChanged(userId);
    }
    this.sockets.delete(userId);
    return this.departures.add(userId);
  }

  private readonly departures = new TurnBatch<string>((userIds) =>
    // Someone who came back in the meantime keeps their row.
    inChunks(
      unique(userIds).filter((u) => !this.sockets.has(u)),
      async (chunk) => {
        // Whoever came back while this waited for its turn keeps their row.
        await this.inOrder(() => {
          const gone = chunk.filter((u) => !this.sockets.has(u));
          return gone.length === 0 ? Promise.resolve() : this.deps.db.deleteFrom('presence').where('node_id', '=', this.node).where('user_id', 'in', gone).execute();
        });
        await this.announceDepartures(chunk);
      },
    ),
  );

  /** After their rows on this node are gone: who is now offline gets a last-seen time; everyone's presence is announced. */
  private async announceDepartures(userIds: string[]): Promise<void> {
    const { db, now, publisher } = this.deps;
    const t = now();
    const list = await this.many(userIds);
    const gone = list.filter((p) => p.status === 'offline').map((p) => p.user_id);
    if (gone.length > 0) await db.updateTable('users').set({ last_seen_at: t }).where('id', 'in', gone).execute();
    for (const p of list) publisher.presence(p.user_id, { type: 'presence', ...p, ...(p.status === 'offline' ? { last_seen_at: isoOrNull(t) } : {}) });
  }

  async set(actor: Actor, status: 'online' | 'away'): Promise<Presence> {
    await this.deps.db
      .updateTable('presence')
      .set({ away: status === 'away' ? 1 : 0, updated_at: this.deps.now() })
      .where('user_id', '=', actor.userId)
      .execute();
    return this.announce(actor.userId);
  }

  /** Presence of many users at once: online if any live row is not away, away if all are. */
  async many(userIds: string[]): Promise<Presence[]> {
    if (userIds.length === 0) return [];
    const { db } = this.deps;
    const ids = [...new Set(userIds)];
    const fresh = this.deps.now() - STALE_MS;
    const [rows, users] = await Promise.all([
      db.selectFrom('presence').select(['user_id', 'away']).where('user_id', 'in', ids).where('updated_at', '>', fresh).execute(),
      db.selectFrom('users').select(['id', 'last_seen_at']).where('id', 'in', ids).execute(),
    ]);
    const live = new Map<string, { any: boolean; allAway: boolean }>();
    for (const r of rows) {
      const cur = live.get(r.user_id) ?? { any: false, allAway: true };
      cur.any = true;
      cur.allAway &&= Number(r.away) === 1;
      live.set(r.user_id, cur);
    }
    const seen = new Map(users.map((u) => [u.id, u.last_seen_at === null ? null : Number(u.last_seen_at)]));
    return userIds.map((u) => {
      const l = live.get(u);
      if (!l) return { user_id: u, status: 'offline', last_seen_at: isoOrNull(seen.get(u) ?? null) };
      return { user_id: u, status: l.allAway ? 'away' : 'online', last_seen_at: null };
    });
  }

  private async announce(userId: string): Promise<Presence> {
    const [p] = await this.many([userId]);
    this.deps.publisher.presence(userId, { type: 'presence', ...p! });
    return p!;
  }

  /**
   * Typing goes to the conversation's sockets. Repeated `typing.start` within a third of the TTL
   * is absorbed, so a client may send it on every keystroke.
   */
  async typing(actor: Actor, convId: string, threadRootId: string | null, active: boolean): Promise<void> {
    const a = await accessConversation(this.deps.db, actor, convId);
    assertCan(actor, 'typing', a);
    const key = `${actor.userId}:${convId}`;
    const t = this.deps.now();
    const ttl = this.deps.config.typingTtlMs;
    if (active) {
      const last = this.typingSent.get(key);
      if (last !== undefined && t - last < ttl / 3) return;
      this.typingSent.set(key, t);
      if (this.typingSent.size > 50_000) this.typingSent.clear();
    } else {
      if (!this.typingSent.delete(key)) return;
    }
    this.deps.publisher.toConversation(convId, { type: 'typing', conv_id: convId, user_id: actor.userId, thread_root_id: threadRootId, active, expires_in_ms: active ? ttl : 0 });
  }

  /** A sent message ends its sender's typing. */
  stoppedBySend(userId: string, convId: string): void {
    const key = `${userId}:${convId}`;
    if (this.typingSent.delete(key)) {
      this.deps.publisher.toConversation(convId, { type: 'typing', conv_id: convId, user_id: userId, thread_root_id: null, active: false, expires_in_ms: 0 });
    }
  }
}
