import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { CliError, Exit } from '../errors.js';
import { bytesText, existsError } from '../files.js';
import { clientFromConfig } from '../session.js';

/**
 * `parley backup FILE`: the server's online backup (the embedded database as one consistent
 * snapshot and every file it references), written to FILE.part and renamed once complete, so a
 * FILE that exists is a whole backup. Workspace owners only.
 */
export async function backup(file: string, opts: { force?: boolean }): Promise<void> {
  if (!opts.force && fs.existsSync(file)) throw existsError(file);
  const client = clientFromConfig();
  const part = `${file}.part`;
  try {
    const body = await client.backup();
    await pipeline(Readable.fromWeb(body as unknown as NodeWebStream<Uint8Array>), fs.createWriteStream(part, { mode: 0o600 }));
    fs.renameSync(part, file);
    process.stderr.write(`backup saved to ${file} (${bytesText(fs.statSync(file).size)}); restore it with: parley restore ${file} --data-dir DIR\n`);
  } catch (e) {
    fs.rmSync(part, { force: true });
    throw e;
  } finally {
    await client.close();
  }
}

/**
 * `parley restore FILE --data-dir DIR`: unpacks a backup into an empty data directory, checking
 * every file's hash, the database's integrity and its schema; then `parley serve --data-dir DIR`.
 * Offline: no server runs on DIR meanwhile.
 */
export async function restore(file: string, opts: { dataDir?: string }): Promise<void> {
  const dir = path.resolve(opts.dataDir ?? process.env.DATA_DIR ?? './data');
  if (!fs.existsSync(file)) throw new CliError(`${file} does not exist.`, Exit.usage);
  // Loaded on demand, like `serve`: the server's code is only needed here.
  const { restoreBackup, RestoreError, migrationNames } = await import('@parley/server');
  try {
    const m = await restoreBackup(file, dir, await migrationNames());
    process.stderr.write(
      `restored ${m.messages} messages and ${m.files} files (${bytesText(m.file_bytes)}) from the backup of ${m.created_at} into ${dir}; start it with: parley serve --data-dir ${dir}\n`,
    );
  } catch (e) {
    if (e instanceof RestoreError) throw new CliError(e.message, Exit.failure);
    throw e;
  }
}
