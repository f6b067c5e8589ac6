import pg from 'pg';
import type { Logger } from 'pino';
import { StorageUnavailableError } from '../core/errors.js';

/**
 * node-postgres reports a lost or unreachable server in two ways. Errors from the socket carry
 * Node's code (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT…), errors from the server carry a
 * SQLSTATE (57P01 admin shutdown…); but several carry no code at all: "Connection terminated"
 * and "Connection terminated unexpectedly" (pg/lib/client.js, the socket ended), "Client has
 * encountered a connection error and is not queryable" and "Client was closed and is not
 * queryable" (a query on a dead client), and from pg-pool "timeout exceeded when trying to
 * connect" (no free client in time) and "Connection terminated due to connection timeout". A
 * Node socket code alone does not say whose socket failed either: an HTTP client that hangs up
 * mid-request raises ECONNRESET too. So the failures are tagged here, where we know they come
 * from PostgreSQL: whatever `connect()` fails with, and whatever a query fails with once its
 * client has lost its connection (the client emitted `error` or `end`; pg does that before it
 * rejects the client's queries). Errors the server sends back (`DatabaseError`, with a SQLSTATE)
 * are left as they are: their code says what they are (see `isStorageUnavailable`).
 */

class TaggingClient extends pg.Client {
  private lost = false;

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => (this.lost = true));
    this.on('end', () => (this.lost = true));
    // pg.Client's `query` has a dozen overloads; wrapping the one function keeps them all.
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        const done = last as (err: unknown, res?: unknown) => void;
        return query(...args.slice(0, -1), (err: unknown, res?: unknown) => done(err ? this.tag(err) : err, res));
      }
      const result = query(...args);
      if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(this.tag(err)));
      return result;
    }) as pg.Client['query'];
  }

  private tag(err: unknown): unknown {
    if (err instanceof pg.DatabaseError || err instanceof StorageUnavailableError || !this.lost) return err;
    return new StorageUnavailableError(err);
  }
}

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/** A pg pool whose connection failures are `StorageUnavailableError`s (see above), and whose lost connections are logged. */
export class StoragePool extends pg.Pool {
  constructor(config: pg.PoolConfig, log: Logger, what: string) {
    super({ ...config, Client: TaggingClient });
    // A client losing its connection must never crash the process: idle ones are reported on the
    // pool, busy ones on themselves (their query rejects too, and the caller answers `unavailable`).
    this.on('error', (err) => log.warn({ err }, `${what}: an idle PostgreSQL connection was lost`));
    this.on('connect', (client) => client.on('error', (err) => log.warn({ err }, `${what}: a PostgreSQL connection in use was lost`)));
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const tag = (err: unknown) => (err instanceof StorageUnavailableError ? err : new StorageUnavailableError(err));
    if (callback) {
      super.connect((err, client, done) => callback(err ? tag(err) : undefined, client, done));
      return;
    }
    return super.connect().catch((err: unknown) => Promise.reject(tag(err)));
  }
}
