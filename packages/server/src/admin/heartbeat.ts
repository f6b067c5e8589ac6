import type { Deps } from '../core/context.js';
import { PassLoop } from '../core/pass-loop.js';

/** How often a node writes its row in `nodes`. */
export const HEARTBEAT_MS = 10_000;
/** A node whose row is older than this is shown stale: three heartbeats missed. */
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;
/** Rows of nodes gone this long are deleted by whichever node beats next. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
/** The window of "messages in the last minute". */
const MINUTE_MS = 60_000;

/** What the node's gateway knows right now. */
export interface NodeFigures {
  open: number;
  authenticated: number;
  users: number;
}

/**
 * Each node reports itself through the database, the one thing every node already shares: no
 * cluster protocol of our own. The messages figure is the node's own `parley_sends_total{acked}`
 * counter, differenced against the sample taken a minute earlier (kept in memory: a restarted node
 * counts from its start).
 */
export class NodeHeartbeat {
  private readonly loop: PassLoop;
  private readonly startedAt: number;
  /** Acked-send counter samples, oldest first, covering a little over the last minute. */
  private samples: { at: number; acked: number }[] = [];

  constructor(
    private readonly deps: Deps,
    private readonly figures: () => NodeFigures,
  ) {
    this.startedAt = deps.now();
    // The counter starts at zero with the node: a node younger than a minute counts from its start.
    this.samples.push({ at: this.startedAt, acked: 0 });
    this.loop = new PassLoop(
      () => this.beat(),
      (err) => deps.log.warn({ err }, 'node heartbeat: a write failed'),
    );
  }

  start(): void {
    this.loop.start(HEARTBEAT_MS);
  }

  /** Stops beating and removes the row: a node that left cleanly is not shown as a stale one. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.deps.db
      .deleteFrom('nodes')
      .where('name', '=', this.deps.config.nodeName)
      .execute()
      .catch((err: unknown) => this.deps.log.warn({ err }, 'node heartbeat: could not remove this node'));
  }

  /** Writes now (tests, and the console right after start-up). */
  async beat(): Promise<void> {
    const { db, now, config } = this.deps;
    const t = now();
    const f = this.figures();
    const row = {
      name: config.nodeName,
      started_at: this.startedAt,
      heartbeat_at: t,
      sockets: f.open,
      authenticated_sockets: f.authenticated,
      users: f.users,
      messages_last_minute: await this.messagesLastMinute(t),
    };
    await db
      .insertInto('nodes')
      .values(row)
      .onConflict((oc) => oc.column('name').doUpdateSet({ ...row }))
      .execute();
    await db
      .deleteFrom('nodes')
      .where('heartbeat_at', '<', t - FORGET_AFTER_MS)
      .execute();
  }

  private async messagesLastMinute(t: number): Promise<number> {
    const counter = await this.deps.metrics.sends.get();
    const acked = counter.values.filter((v) => v.labels.outcome === 'acked').reduce((n, v) => n + v.value, 0);
    this.samples.push({ at: t, acked });
    // Keep the newest sample at least a minute old as the baseline; drop older ones.
    while (this.samples.length > 1 && this.samples[1]!.at <= t - MINUTE_MS) this.samples.shift();
    return Math.max(0, acked - this.samples[0]!.acked);
  }
}
