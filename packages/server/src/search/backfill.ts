import type { Deps } from '../core/context.js';
import { indexMessage } from './write.js';

const BATCH = 500;

/** Where the backfill stands, for /readyz and the logs. */
export interface BackfillStatus {
  state: 'done' | 'running' | 'failed';
  /** Messages still to index (counted at start, then counted down). */
  remaining: number;
}

/**
 * Indexes the messages stored before search existed (migration 010 noted the newest of them as
 * `backfill_until`; everything sent since was indexed in its own send). Works upwards by message
 * id in batches, each batch and the cursor committed together, so a restart resumes where it
 * stopped and never indexes a message twice; several nodes may run it at once (a message
 * another node indexed meanwhile is skipped). Live traffic goes first: batches yield between.
 */
export class SearchBackfill {
  private status: BackfillStatus = { state: 'running', remaining: 0 };
  private stopped = false;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: Deps) {}

  current(): BackfillStatus {
    return { ...this.status };
  }

  start(): void {
    this.running ??= this.run().catch((err: unknown) => {
      this.status = { ...this.status, state: 'failed' };
      this.deps.log.error({ err }, 'indexing earlier messages for search failed; it resumes at the next start');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async state(key: string): Promise<string | null> {
    const row = await this.deps.db.selectFrom('search_state').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  private async run(): Promise<void> {
    const { db } = this.deps;
    // SQLite queues every stored message when it creates the index file (sqlite-index-file.ts).
    if (!this.deps.pg) {
      this.status = { state: 'done', remaining: 0 };
      return;
    }
    const until = await this.state('backfill_until');
    let cursor = (await this.state('backfill_cursor')) ?? '';
    if (until === null || cursor >= until) {
      this.status = { state: 'done', remaining: 0 };
      return;
    }
    const counted = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', '>', cursor)
      .where('id', '<=', until)
      .executeTakeFirst();
    this.status = { state: 'running', remaining: Number(counted?.n ?? 0) };
    this.deps.log.info({ remaining: this.status.remaining }, 'indexing earlier messages for search');
    const pg = this.deps.pg !== null;
    while (!this.stopped && cursor < until) {
      const rows = await db
        .selectFrom('messages')
        .select(['id', 'conv_id', 'seq', 'sender_id', 'created_at', 'body', 'recalled_at', 'burn_after_ms', 'expired_at'])
        .where('id', '>', cursor)
        .where('id', '<=', until)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      const next = rows[rows.length - 1]!.id;
      await db.transaction().execute(async (trx) => {
        const files = await trx
          .selectFrom('uploads')
          .select(['message_id', 'mime', 'name'])
          .where(
            'message_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
        for (const r of rows) {
          if (r.recalled_at !== null || r.burn_after_ms !== null || r.expired_at !== null) continue;
          const attachments = files.filter((f) => f.message_id === r.id);
          await indexMessage(
            trx,
            pg,
            { messageId: r.id, convId: r.conv_id, seq: Number(r.seq), senderId: r.sender_id, createdAt: Number(r.created_at), body: r.body, attachments },
            { skipKnown: true },
          );
        }
        await trx
          .insertInto('search_state')
          .values({ key: 'backfill_cursor', value: next })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: next }))
          .execute();
      });
      cursor = next;
      this.status = { state: 'running', remaining: Math.max(0, this.status.remaining - rows.length) };
      // Let sends and reads waiting on the connection through between batches.
      await new Promise((r) => setImmediate(r));
    }
    if (cursor >= until) {
      this.status = { state: 'done', remaining: 0 };
      this.deps.log.info('earlier messages are indexed for search');
    }
  }
}
