import type { LogEvent, Message, RevealedMessage } from '@parley/protocol';
import { burnAfterSeconds } from '@parley/protocol';
import type { Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import { iso } from '../core/time.js';
import { appendEvent, readEvents } from '../conversations/log.js';
import type { Db } from '../store/db.js';
import type { MessageRow } from './presenter.js';
import { normaliseMessage } from './presenter.js';

/**
 * Burn after reading.
 *
 * A burn message's text, files and tags are never part of its shared shape (messages/presenter.ts):
 * history, live events and their replays, sync pages, threads, conversation lists, search,
 * export, notifications and outgoing webhooks all carry the message without them. A reader gets
 * them from `reveal`, for themselves: the first reveal starts their timer (`burn_after`, cut at
 * the message's `expires_at`); past it, reveal answers `burned` for them. Once every recipient's
 * timer ran out, or at `expires_at` whoever read it, the sweeper burns it for everyone: the row's
 * text erased, its files' rows deleted and their bytes collected, a `message.burned` tombstone in
 * the log, like a recall.
 */

/** The request's `burn_after` and `expires_at`, held to the configured range; undefined for an ordinary send. */
export function resolveBurn(
  config: Deps['config'],
  now: number,
  req: { burn_after?: number | string | undefined; expires_at?: string | undefined },
): { afterMs: number; expiresAt: number } | undefined {
  if (req.burn_after === undefined) {
    if (req.expires_at !== undefined) throw new AppError('invalid_request', 'expires_at goes with burn_after.', { field: '/expires_at' });
    return undefined;
  }
  const range = `between ${Math.round(config.burnMinMs / 1000)} s and ${Math.round(config.burnMaxMs / 1000)} s`;
  const seconds = burnAfterSeconds(req.burn_after);
  const afterMs = seconds === null ? NaN : seconds * 1000;
  if (!(afterMs >= config.burnMinMs && afterMs <= config.burnMaxMs)) {
    throw new AppError('invalid_request', `burn_after must be ${range} (30s, 1m, 2h, 7d…).`, { field: '/burn_after' });
  }
  const latest = now + config.burnMaxMs;
  if (req.expires_at === undefined) return { afterMs, expiresAt: latest };
  const at = Date.parse(req.expires_at);
  if (!Number.isFinite(at) || at <= now || at > latest) {
    throw new AppError('invalid_request', `expires_at must be in the future and at most ${Math.round(config.burnMaxMs / 1000)} s away.`, { field: '/expires_at' });
  }
  return { afterMs, expiresAt: at };
}

/**
 * A reader's reveal: the message with its content, and when it burns for them. `present` builds
 * the shape with the content (presentMessages with `revealBurn`), after every check here passed.
 */
export async function reveal(deps: Deps, userId: string, row: MessageRow, present: () => Promise<Message>, onScheduled: (burnsAt: number) => void): Promise<RevealedMessage> {
  if (row.burn_after_ms === null || row.recalled_at !== null) return { message: await present(), burns_at: null, burns_in_ms: null };
  const t = deps.now();
  if (row.burned_at !== null || t >= (row.burn_expires_at ?? 0)) throw new AppError('burned');
  // Its sender sees it until it burns for everyone; sending is not reading.
  if (row.sender_id === userId) return { message: await present(), burns_at: null, burns_in_ms: null };
  const { db } = deps;
  const end = Math.min(t + row.burn_after_ms, row.burn_expires_at!);
  await db
    .insertInto('burn_reveals')
    .values({ message_id: row.id, user_id: userId, revealed_at: t, burns_at: end })
    .onConflict((oc) => oc.columns(['message_id', 'user_id']).doNothing())
    .execute();
  // The first reveal's end holds, whichever device or node wrote it.
  const mine = await db.selectFrom('burn_reveals').select('burns_at').where('message_id', '=', row.id).where('user_id', '=', userId).executeTakeFirstOrThrow();
  const burnsAt = Number(mine.burns_at);
  if (burnsAt <= t) throw new AppError('burned', 'This message burned for you.');
  const everyone = await burnsForEveryoneAt(db, row);
  if (everyone !== null) onScheduled(everyone);
  return { message: await present(), burns_at: iso(burnsAt), burns_in_ms: burnsAt - t };
}

/**
 * Brings the message's burn forward to the last recipient's end once every recipient revealed
 * it (current members who may read its seq, its sender aside). A member who left or joined after
 * is not waited for; the cap still holds. Returns the new time, or null when someone has yet to
 * reveal it.
 */
async function burnsForEveryoneAt(db: Db, row: MessageRow): Promise<number | null> {
  const waiting = await db
    .selectFrom('members as m')
    .select('m.user_id')
    .where('m.conv_id', '=', row.conv_id)
    .where('m.left_seq', 'is', null)
    .where('m.user_id', '<>', row.sender_id)
    .where('m.visible_from_seq', '<=', row.seq)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('burn_reveals as r').select('r.user_id').where('r.message_id', '=', row.id).whereRef('r.user_id', '=', 'm.user_id'))))
    .limit(1)
    .executeTakeFirst();
  if (waiting) return null;
  const last = await db
    .selectFrom('burn_reveals')
    .select((eb) => eb.fn.max('burns_at').as('end'))
    .where('message_id', '=', row.id)
    .executeTakeFirst();
  if (last?.end === null || last?.end === undefined) return null;
  const at = Math.min(Number(last.end), row.burn_expires_at!);
  await db.updateTable('messages').set({ burns_at: at }).where('id', '=', row.id).where('burned_at', 'is', null).where('burns_at', '>', at).execute();
  return at;
}

/** Aborts a burn's transaction when another node burned the message first. */
class AlreadyBurned extends Error {}

/**
 * Burns messages whose time came, on every node (a burn is one conditional transaction, so two
 * nodes never burn one message twice). It wakes at the next known burn time and at least every
 * `pollMs`, so a reveal made on another node is honoured within that.
 */
export class BurnSweeper {
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Infinity;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private scrubPending = false;

  constructor(
    private readonly deps: Deps,
    private readonly publish: (events: LogEvent[]) => void,
    /**
     * After a pass burned something: collect the files' bytes, scrub the embedded database's WAL.
     * False when the scrub could not run yet: it is tried again at every pass until it does.
     */
    private readonly afterBurn: () => Promise<boolean>,
    private readonly pollMs = 1_000,
  ) {}

  start(): void {
    this.stopped = false;
    this.arm(this.deps.now());
  }

  /** A burn is due at `at` (a send with a cap, a reveal): wake then if that is sooner than planned. */
  schedule(at: number): void {
    if (this.stopped || at >= this.nextAt) return;
    this.arm(at);
  }

  /** Burns everything due now; returns how many burned. Passes never overlap. */
  sweep(): Promise<number> {
    const next = this.running.then(() => this.pass());
    this.running = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(at - this.deps.now(), this.pollMs));
    this.nextAt = this.deps.now() + wait;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Infinity;
      this.sweep()
        .catch((err: unknown) => this.deps.log.warn({ err }, 'burning messages failed; retrying'))
        .finally(() => {
          if (!this.stopped) this.arm(this.deps.now() + this.pollMs);
        });
    }, wait);
    this.timer.unref();
  }

  private async pass(): Promise<number> {
    const { now } = this.deps;
    let burned = 0;
    for (;;) {
      // A poll: on the read-only connection (Deps.reads); the burn itself writes on the main one.
      const due = await this.deps.reads.selectFrom('messages').select('id').where('burns_at', '<=', now()).orderBy('burns_at').limit(100).execute();
      for (const { id } of due) if (await this.burn(id)) burned++;
      if (due.length < 100) break;
    }
    if (burned > 0 || this.scrubPending) this.scrubPending = !(await this.afterBurn());
    return burned;
  }

  /** One message, in one transaction; false when it was not due after all (burned elsewhere, recalled). */
  async burn(id: string): Promise<boolean> {
    const { db, now } = this.deps;
    const t = now();
    try {
      const events = await db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
        if (!before) throw new AlreadyBurned();
        const row = normaliseMessage(before);
        if (row.burned_at !== null || row.burns_at === null || row.burns_at > t) throw new AlreadyBurned();
        // The conversation's lock first (appendEvent), as edit and recall take it; then the row is
        // claimed under it, so a second node's burn finds it taken and rolls back.
        const seq = await appendEvent(trx, { conv_id: row.conv_id, type: 'message.burned', actor_id: row.sender_id, message_id: row.id, now: t });
        const claimed = await trx.updateTable('messages').set({ body: '', burned_at: t, burns_at: null, mentions_all: 0 }).where('id', '=', row.id).where('burned_at', 'is', null).executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) throw new AlreadyBurned();
        const files = await trx.selectFrom('uploads').select(['sha256', 'thumb_sha256', 'completed_at']).where('message_id', '=', row.id).execute();
        await trx.deleteFrom('uploads').where('message_id', '=', row.id).execute();
        // Its bytes go at the collector's next pass rather than after the grace period that
        // protects uploads in flight, unless an upload claimed them since this one completed.
        const blobs = files.flatMap((f) => [f.sha256, f.thumb_sha256]).filter((s): s is string => s !== null);
        if (blobs.length > 0) {
          const since = Math.max(...files.map((f) => Number(f.completed_at ?? 0)));
          await trx.updateTable('blobs').set({ last_used_at: 0 }).where('sha256', 'in', blobs).where('last_used_at', '<=', since).execute();
        }
        await trx.deleteFrom('burn_reveals').where('message_id', '=', row.id).execute();
        await trx.deleteFrom('mentions').where('message_id', '=', row.id).execute();
        await trx.deleteFrom('reactions').where('message_id', '=', row.id).execute();
        await trx.deleteFrom('message_tags').where('message_id', '=', row.id).execute();
        // A burn message is never pinned nor saved (pins/); should a row exist, it goes with the content.
        await trx.deleteFrom('message_pins').where('message_id', '=', row.id).execute();
        await trx.deleteFrom('saved_messages').where('message_id', '=', row.id).execute();
        await trx.deleteFrom('message_edits').where('message_id', '=', row.id).execute();
        return readEvents(trx, row.conv_id, seq, seq);
      });
      this.publish(events);
      return true;
    } catch (e) {
      if (e instanceof AlreadyBurned) return false;
      throw e;
    }
  }
}
