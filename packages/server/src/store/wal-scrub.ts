import type { Deps } from '../core/context.js';

/**
 * Empties the embedded database's WAL file after content was erased (a burn). SQLite reuses the
 * WAL from its start after a checkpoint but leaves older frames in the file until they are
 * overwritten, so erased text would sit there, readable with `strings`, for as long as the WAL
 * is not written that far again. A TRUNCATE checkpoint copies every frame into the database (whose
 * pages secure_delete has zeroed) and cuts the file to nothing.
 *
 * Run on the main connection in its turn, with no busy wait: when the send writer or a reader holds
 * the WAL, it answers busy at once rather than stall the event loop, and returns false; the
 * caller tries again at its next pass.
 */
export async function scrubWal(deps: Pick<Deps, 'sqlite' | 'sqliteTurn' | 'log'>): Promise<boolean> {
  const sqlite = deps.sqlite;
  if (!sqlite) return true;
  await deps.sqliteTurn?.acquire();
  const timeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
  try {
    sqlite.pragma('busy_timeout = 0');
    const [r] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    return r !== undefined && r.busy === 0;
  } catch (err) {
    deps.log.debug({ err }, 'WAL scrub after a burn did not run; retrying');
    return false;
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
    deps.sqliteTurn?.release();
  }
}
