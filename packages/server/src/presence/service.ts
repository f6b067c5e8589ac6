import type { Presence } from '@parley/protocol';
import type { Actor, Deps } from '../core/context.js';
import { accessConversation } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import { isoOrNull } from '../core/time.js';

/**
 * Presence and typing: ephemeral, never in the log. A user is online while any of their devices
 * holds a socket; `away` is a manual choice that lasts while connected. Last-seen is written when
 * the last socket closes.
 */
export class PresenceService {
  private readonly sockets = new Map<string, number>();
  private readonly away = new Set<string>();
  private readonly lastSeen = new Map<string, number>();
  private readonly typingSent = new Map<string, number>();

  constructor(private readonly deps: Deps) {}

  connected(userId: string): void {
    const n = (this.sockets.get(userId) ?? 0) + 1;
    this.sockets.set(userId, n);
    if (n === 1) this.announce(userId);
  }

  async disconnected(userId: string): Promise<void> {
    const n = (this.sockets.get(userId) ?? 1) - 1;
    if (n > 0) {
      this.sockets.set(userId, n);
      return;
    }
    this.sockets.delete(userId);
    this.away.delete(userId);
    const t = this.deps.now();
    this.lastSeen.set(userId, t);
    this.announce(userId);
    await this.deps.db.updateTable('users').set({ last_seen_at: t }).where('id', '=', userId).execute();
  }

  set(actor: Actor, status: 'online' | 'away'): Presence {
    if (status === 'away') this.away.add(actor.userId);
    else this.away.delete(actor.userId);
    this.announce(actor.userId);
    return this.current(actor.userId);
  }

  current(userId: string): Presence {
    const online = (this.sockets.get(userId) ?? 0) > 0;
    const status = !online ? 'offline' : this.away.has(userId) ? 'away' : 'online';
    return { user_id: userId, status, last_seen_at: online ? null : isoOrNull(this.lastSeen.get(userId) ?? null) };
  }

  async many(userIds: string[]): Promise<Presence[]> {
    const missing = userIds.filter((u) => !this.sockets.has(u) && !this.lastSeen.has(u));
    if (missing.length > 0) {
      const rows = await this.deps.db.selectFrom('users').select(['id', 'last_seen_at']).where('id', 'in', missing).execute();
      for (const r of rows) if (r.last_seen_at !== null) this.lastSeen.set(r.id, Number(r.last_seen_at));
    }
    return userIds.map((u) => this.current(u));
  }

  private announce(userId: string): void {
    this.deps.publisher.presence(userId, { type: 'presence', ...this.current(userId) });
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
