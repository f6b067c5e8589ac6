import type { LogEvent } from '@parley/protocol';
import type { Deps } from '../core/context.js';
import { appendEvent, readEvents } from '../conversations/log.js';
import { unindexMessage } from '../search/write.js';
import { lastExpiredSeq } from './live-range.js';
import type { WorkspaceSettingsService } from '../workspace/settings.js';

/**
 * Retention policies (issue 20; docs/operations.md "Retention").
 *
 * The workspace's `retention_days` setting (PARLEY_RETENTION_DAYS until an admin changes it), or
 * a conversation's own `retention_days` over it, says how long messages are kept. Past it, the
 * sweeper erases them as a recall does (text, edits, mentions, reactions, tags, pins, saved
 * entries, reveals, search entries, and the files with their bytes), marks them `expired_at`, and
 * from then on no read path serves them. Each batch is one `messages.expired` log event with the
 * highest seq it reached: clients drop every message up to it.
 *
 * What expires is always a prefix of the conversation's messages by seq: the oldest ones not yet
 * expired, up to the first that is still within the policy. So "everything up to `up_to_seq`" is
 * exact for clients, and reads bound their walks by the last expired seq (messages/live-range.ts).
 */

/** Messages per batch, and so per event: small enough for one transaction's IN lists on SQLite. */
const BATCH = 200;
const DAY_MS = 86_400_000;

/** Aborts a batch's transaction when another node expired the messages first. */
class AlreadyExpired extends Error {}

/**
 * Runs on every node, every PARLEY_RETENTION_SWEEP. A batch is one conditional transaction taken
 * under the conversation's lock (appendEvent), so two sweepers never erase a message twice nor
 * publish two events for it: the second finds the rows claimed and rolls back.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  private scrubPending = false;

  constructor(
    private readonly deps: Deps,
    private readonly workspace: WorkspaceSettingsService | null,
    private readonly publish: (events: LogEvent[]) => void,
    /** After a pass erased something: collect the files' bytes, scrub the embedded database's WAL (false: try again next pass). */
    private readonly afterExpire: () => Promise<boolean>,
  ) {}

  start(): void {
    this.stopped = false;
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Erases everything past its retention now; returns how many messages it erased. Passes on one node never overlap. */
  sweep(): Promise<number> {
    const next = this.running.then(() => this.pass());
    this.running = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweep()
        .catch((err: unknown) => this.deps.log.warn({ err }, 'expiring messages failed; retrying at the next sweep'))
        .finally(() => this.arm());
    }, this.deps.config.retentionSweepMs);
    this.timer.unref();
  }

  private async pass(): Promise<number> {
    const { db, now, config } = this.deps;
    const workspaceDays = this.workspace ? (await this.workspace.get()).retention_days : config.retentionDays;
    let q = db.selectFrom('conversations').select(['id', 'retention_days', 'created_by']);
    if (workspaceDays === null) q = q.where('retention_days', 'is not', null);
    const convs = await q.execute();
    let expired = 0;
    for (const c of convs) {
      const days = c.retention_days ?? workspaceDays;
      if (days === null) continue;
      const cutoff = now() - Number(days) * DAY_MS;
      for (;;) {
        const n = await this.expireBatch(c.id, c.created_by, cutoff);
        expired += n;
        if (n < BATCH) break;
      }
    }
    if (expired > 0 || this.scrubPending) this.scrubPending = !(await this.afterExpire());
    return expired;
  }

  /** The oldest unexpired messages sent before `cutoff`, in one transaction; returns how many this call erased. */
  private async expireBatch(convId: string, actorId: string, cutoff: number): Promise<number> {
    const { db, now } = this.deps;
    const ids = await this.due(db, convId, cutoff);
    if (ids.length === 0) return 0;
    const t = now();
    try {
      const events = await db.transaction().execute(async (trx) => {
        // The conversation's lock first (appendEvent), as recall and burn take it; the rows are
        // read again under it, so a second sweeper that got here first leaves nothing to claim.
        const seq = await appendEvent(trx, { conv_id: convId, type: 'messages.expired', actor_id: actorId, data: {}, now: t });
        const mine = await this.due(trx, convId, cutoff);
        if (mine.length === 0) throw new AlreadyExpired();
        const idList = mine.map((m) => m.id);
        const upToSeq = mine[mine.length - 1]!.seq;
        await trx.updateTable('messages').set({ body: '', expired_at: t, mentions_all: 0, burns_at: null }).where('id', 'in', idList).where('expired_at', 'is', null).execute();
        const files = await trx.selectFrom('uploads').select(['sha256', 'thumb_sha256', 'completed_at']).where('message_id', 'in', idList).execute();
        await trx.deleteFrom('uploads').where('message_id', 'in', idList).execute();
        // Their bytes go at the collector's next pass (as a burn's), unless an upload claimed them since.
        const blobs = [...new Set(files.flatMap((f) => [f.sha256, f.thumb_sha256]).filter((s): s is string => s !== null))];
        if (blobs.length > 0) {
          const since = Math.max(...files.map((f) => Number(f.completed_at ?? 0)));
          await trx.updateTable('blobs').set({ last_used_at: 0 }).where('sha256', 'in', blobs).where('last_used_at', '<=', since).execute();
        }
        for (const table of ['burn_reveals', 'mentions', 'reactions', 'message_tags', 'message_pins', 'saved_messages', 'message_edits'] as const) {
          await trx.deleteFrom(table).where('message_id', 'in', idList).execute();
        }
        for (const id of idList) await unindexMessage(trx, this.deps.pg !== null, id);
        await trx
          .updateTable('events')
          .set({ data: JSON.stringify({ up_to_seq: upToSeq, count: mine.length }) })
          .where('conv_id', '=', convId)
          .where('seq', '=', seq)
          .execute();
        return readEvents(trx, convId, seq, seq);
      });
      this.publish(events);
      const e = events[0];
      return e?.type === 'messages.expired' ? e.count : 0;
    } catch (e) {
      if (e instanceof AlreadyExpired) return 0;
      throw e;
    }
  }

  /**
   * The prefix by seq of the conversation's unexpired messages that were sent before `cutoff`,
   * walked from after the last expired one (messages/live-range.ts), not past every message
   * expired before at each sweep.
   */
  private async due(db: Deps['db'], convId: string, cutoff: number): Promise<{ id: string; seq: number }[]> {
    const rows = await db
      .selectFrom('messages')
      .select(['id', 'seq', 'created_at'])
      .where('conv_id', '=', convId)
      .where('seq', '>', lastExpiredSeq(convId))
      .where('expired_at', 'is', null)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    const out: { id: string; seq: number }[] = [];
    for (const r of rows) {
      if (Number(r.created_at) >= cutoff) break;
      out.push({ id: r.id, seq: Number(r.seq) });
    }
    return out;
  }
}
