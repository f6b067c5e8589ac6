import crypto from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import type { Bus } from '../bus/bus.js';

/**
 * tus's lock on an upload, held across every node of a deployment.
 *
 * Why PostgreSQL advisory locks rather than a NATS key-value bucket: every multi-node Parley
 * already has PostgreSQL, while NATS KV needs JetStream enabled on the server and a client
 * package Parley does not carry. A session-level advisory lock lives exactly as long as the
 * connection that took it, so a node that crashes or loses PostgreSQL frees its locks at once,
 * with no TTL to tune or refresh. Each node holds all its upload locks on one dedicated
 * connection (advisory locks are per session and re-entrant within one, hence the in-process
 * map that keeps two requests of this node apart).
 *
 * tus asks a lock's holder to let go when another request wants it (a client that resumes
 * while its old, stalled request still holds the upload). Across nodes that request travels
 * on the bus: the waiter publishes on `upload-lock.<id>`, and the holder, subscribed while it
 * holds, calls its release callback; tus then ends the stalled request and unlocks.
 */
export class PgUploadLocker implements Locker {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  /** Uploads locked by this node: the holder's release callback, or a reservation while PostgreSQL is asked. */
  readonly held = new Map<string, { release: RequestRelease | null; unsubscribe: () => void }>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly bus: Bus,
    private readonly log: Logger,
    /** Keeps deployments that share a database (schemas) from locking each other's ids. */
    private readonly namespace: string,
    readonly acquireTimeoutMs = 30_000,
  ) {}

  newLock(id: string): Lock {
    return new PgUploadLock(this, id);
  }

  /** 64 bits of a hash: the key space advisory locks take. */
  keyOf(id: string): string {
    return crypto.createHash('sha256').update(`parley-upload\0${this.namespace}\0${id}`).digest().readBigInt64BE(0).toString();
  }

  async query(sql: string, key: string): Promise<boolean> {
    const client = await this.connection();
    const res = await client.query<{ ok: boolean }>(sql, [key]);
    return res.rows[0]?.ok === true;
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.closed) return Promise.reject(new Error('upload locker closed'));
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
      client.on('error', (err) => this.lost(client, err));
      client.on('end', () => this.lost(client, null));
      try {
        await client.connect();
      } catch (err) {
        this.connecting = null;
        throw err;
      }
      this.client = client;
      this.connecting = null;
      return client;
    })();
    return this.connecting;
  }

  /**
   * The connection is gone and PostgreSQL has dropped every lock it held: the requests that
   * held them are asked to stop, since another node may now take their uploads.
   */
  private lost(client: pg.Client, err: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    if (!this.closed) this.log.warn({ err }, 'upload locks: lost the PostgreSQL connection; stopping the uploads that held locks');
    for (const entry of this.held.values()) void entry.release?.();
  }

  subscribe(id: string, onRequest: () => void): () => void {
    return this.bus.subscribe(`upload-lock.${id}`, onRequest);
  }

  askHolder(id: string): void {
    this.bus.publish(`upload-lock.${id}`, 'release');
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class PgUploadLock implements Lock {
  private key: string;

  constructor(
    private readonly locker: PgUploadLocker,
    private readonly id: string,
  ) {
    this.key = locker.keyOf(id);
  }

  /**
   * Retries until the lock is free, asking its holder (on this node or another) to release it
   * each time; gives up with tus's lock timeout after `acquireTimeoutMs` or when the waiting
   * request goes away.
   */
  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const deadline = Date.now() + this.locker.acquireTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted || Date.now() > deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
      const local = this.locker.held.get(this.id);
      if (local) {
        await local.release?.();
      } else {
        const entry = { release: null as RequestRelease | null, unsubscribe: () => undefined as void };
        this.locker.held.set(this.id, entry);
        let got = false;
        try {
          got = await this.locker.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', this.key);
        } finally {
          if (!got) this.locker.held.delete(this.id);
        }
        if (got) {
          entry.release = requestRelease;
          entry.unsubscribe = this.locker.subscribe(this.id, () => void requestRelease());
          return;
        }
        this.locker.askHolder(this.id);
      }
      await sleep(Math.min(250, 20 * 2 ** Math.min(attempt, 4)));
    }
  }

  async unlock(): Promise<void> {
    const entry = this.locker.held.get(this.id);
    if (!entry) throw new Error('Releasing an unlocked lock!');
    this.locker.held.delete(this.id);
    entry.unsubscribe();
    // False (with a notice) when the connection was lost meanwhile: PostgreSQL already let go.
    await this.locker.query('SELECT pg_advisory_unlock($1::bigint) AS ok', this.key).catch(() => undefined);
  }
}
