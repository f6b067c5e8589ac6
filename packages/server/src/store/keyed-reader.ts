import type { Compilable } from 'kysely';
import type { Deps } from '../core/context.js';
import { TurnLoader } from '../core/turn-loader.js';
import type { Db } from './db.js';

/**
 * One row by key, for reads every request makes (is this session or token still good, with which
 * role). On the embedded database the read runs on the read-only connection: synchronous,
 * committed data only, and never queued behind the writing connection's lock, which every send
 * batch holds (through that lock the read added ~60 ms to p95 ack latency at 5,000 DMs/s). On
 * PostgreSQL the reads of one event-loop turn share one query instead of a pooled round trip each.
 *
 * `build` receives the keys and must use them as the query's only parameters (`where key in keys`).
 */
export function keyedReader<R>(deps: Deps, build: (db: Db, keys: string[]) => Compilable<R>, keyOf: (row: R) => string): (key: string) => Promise<R | undefined> {
  if (deps.sqliteReader) {
    const compiled = build(deps.db, ['key']).compile();
    if (compiled.parameters.length !== 1) throw new Error('keyedReader: the key must be the query’s only parameter');
    const statement = deps.sqliteReader.prepare<[string], R>(compiled.sql);
    return (key) => Promise.resolve(statement.get(key));
  }
  const loader = new TurnLoader<R>(async (keys) => {
    const { rows } = await deps.db.executeQuery<R>(build(deps.db, keys).compile());
    return new Map(rows.map((r) => [keyOf(r), r]));
  });
  return (key) => loader.get(key);
}

/**
 * The same read, remembered until `auth_epoch` moves (migration 011: triggers bump it on every
 * change to the rows and columns the auth checks read, whoever writes them). A remembered row is
 * exactly what a new read would return, so a socket request skips the read unless something the
 * check depends on changed since. Callers must not modify the rows. Without the embedded
 * database (PostgreSQL) this is `keyedReader`.
 */
export function epochKeyedReader<R>(deps: Deps, build: (db: Db, keys: string[]) => Compilable<R>, keyOf: (row: R) => string): (key: string) => Promise<R | undefined> {
  const read = keyedReader(deps, build, keyOf);
  if (!deps.sqliteReader) return read;
  const epoch = deps.sqliteReader.prepare<[], number>('SELECT n FROM auth_epoch WHERE id = 1').pluck();
  const memo = new Map<string, R | undefined>();
  let seen = -1;
  return async (key) => {
    const now = epoch.get()!;
    if (now !== seen || memo.size >= 100_000) {
      memo.clear();
      seen = now;
    }
    if (memo.has(key)) return memo.get(key);
    const row = await read(key);
    // Read after the epoch: a change committed in between bumps it past `now`, so this row is
    // dropped at the next call rather than kept stale.
    memo.set(key, row);
    return row;
  };
}
