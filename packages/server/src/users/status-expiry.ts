import type { Deps } from '../core/context.js';
import { PassLoop } from '../core/pass-loop.js';

/** How often every node looks for statuses past their expiry; a status due sooner is woken for. */
const POLL_MS = 5_000;
/** Statuses cleared per query; a pass repeats until fewer come back. */
const BATCH = 100;

/**
 * Clears statuses whose expiry has passed and announces each user (`user.updated`), so other
 * clients clear them live. Readers never see an expired status anyway (the presenter hides it);
 * this makes the row and every open client agree. Several nodes may sweep at once: a row is
 * cleared by one conditional update, and only the node whose update took it announces.
 */
export class StatusExpiry {
  private readonly loop: PassLoop;
  private soon: NodeJS.Timeout | null = null;
  private soonAt = Infinity;

  constructor(
    private readonly deps: Deps,
    private readonly announce: (userId: string) => Promise<void>,
  ) {
    this.loop = new PassLoop(
      () => this.pass(),
      (err) => deps.log.warn({ err }, 'status expiry: a pass failed'),
    );
  }

  start(): void {
    this.loop.start(POLL_MS);
  }

  async stop(): Promise<void> {
    if (this.soon) clearTimeout(this.soon);
    this.soon = null;
    await this.loop.stop();
  }

  /** A status set on this node that expires before the next poll is cleared on time. */
  wakeAt(at: number): void {
    const delay = at - this.deps.now();
    if (delay > POLL_MS || !this.loop.active || at >= this.soonAt) return;
    if (this.soon) clearTimeout(this.soon);
    this.soonAt = at;
    this.soon = setTimeout(
      () => {
        this.soon = null;
        this.soonAt = Infinity;
        this.loop.kick();
      },
      Math.max(0, delay) + 5,
    );
    this.soon.unref();
  }

  private async pass(): Promise<void> {
    const { db } = this.deps;
    for (;;) {
      const t = this.deps.now();
      // A poll, on the read-only connection (Deps.reads).
      const due = await this.deps.reads.selectFrom('users').select(['id', 'status_expires_at']).where('status_expires_at', '<=', t).limit(BATCH).execute();
      for (const row of due) {
        if (!this.loop.active) return;
        const cleared = await db
          .updateTable('users')
          .set({ status_text: null, status_emoji: null, status_expires_at: null })
          .where('id', '=', row.id)
          .where('status_expires_at', '=', row.status_expires_at)
          .executeTakeFirst();
        if (Number(cleared.numUpdatedRows) === 1) await this.announce(row.id).catch((err: unknown) => this.deps.log.warn({ err, user: row.id }, 'status expiry: announcing failed'));
      }
      if (due.length < BATCH) return;
    }
  }
}
