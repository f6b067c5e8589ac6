import type { Actor, Deps } from '../core/context.js';
import { accessConversation, visibleUpTo } from '../conversations/access.js';
import { assertCan } from '../conversations/policy.js';
import type { TraceRecorder } from '../trace/recorder.js';

/**
 * Read cursors and delivery cursors. Both only move forward. Read receipts go to every member of
 * a DM or group; in channels only to the reader's own devices (a 10,000-member channel must not
 * fan every read out to everyone).
 */
export class ReceiptsService {
  constructor(
    private readonly deps: Deps,
    /** The message trace records each device's cursor moves (the member's cursors are per user). */
    private readonly trace: TraceRecorder | null = null,
  ) {}

  async markRead(actor: Actor, convId: string, seq: number): Promise<{ conv_id: string; read_seq: number }> {
    const { db, publisher } = this.deps;
    const a = await accessConversation(db, actor, convId);
    assertCan(actor, 'read.mark', a);
    const target = Math.min(seq, visibleUpTo(a));
    this.trace?.ack(actor, convId, 'read', target);
    const current = a.member!.read_seq;
    if (target <= current) return { conv_id: convId, read_seq: current };
    await db.updateTable('members').set({ read_seq: target }).where('conv_id', '=', convId).where('user_id', '=', actor.userId).where('read_seq', '<', target).execute();
    const event = { type: 'read' as const, conv_id: convId, user_id: actor.userId, read_seq: target };
    if (a.conv.kind === 'channel') publisher.toUser(actor.userId, event);
    else publisher.toConversation(convId, event);
    if (a.member!.delivered_seq < target) await this.ack(actor, convId, target, a.member!.delivered_seq, a.conv.kind);
    return { conv_id: convId, read_seq: target };
  }

  async markDelivered(actor: Actor, convId: string, seq: number): Promise<{ conv_id: string; delivered_seq: number }> {
    const a = await accessConversation(this.deps.db, actor, convId);
    assertCan(actor, 'read.mark', a);
    const target = Math.min(seq, visibleUpTo(a));
    // Before the member's cursor is compared: another device of theirs may have acked it already.
    this.trace?.ack(actor, convId, 'delivered', target);
    if (target <= a.member!.delivered_seq) return { conv_id: convId, delivered_seq: a.member!.delivered_seq };
    await this.ack(actor, convId, target, a.member!.delivered_seq, a.conv.kind);
    return { conv_id: convId, delivered_seq: target };
  }

  private async ack(actor: Actor, convId: string, target: number, current: number, kind: string): Promise<void> {
    if (target <= current) return;
    await this.deps.db.updateTable('members').set({ delivered_seq: target }).where('conv_id', '=', convId).where('user_id', '=', actor.userId).where('delivered_seq', '<', target).execute();
    if (kind !== 'channel') {
      this.deps.publisher.toConversation(convId, { type: 'delivered', conv_id: convId, user_id: actor.userId, delivered_seq: target });
    }
  }
}
