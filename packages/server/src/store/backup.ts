import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import SQLite from 'better-sqlite3';
import tar from 'tar-stream';
import type { Deps } from '../core/context.js';
import { AppError } from '../core/errors.js';
import type { BlobStore } from '../files/blob-store.js';

const require = createRequire(import.meta.url);

export interface BackupManifest {
  format: 'parley-backup';
  version: 1;
  created_at: string;
  node: string;
  /** The schema's migrations, in order: a restore into an older Parley is refused by it. */
  migrations: string[];
  messages: number;
  files: number;
  file_bytes: number;
}

/** Entry names a backup may hold, and nothing else (a restore refuses any other name: no path tricks). */
const BLOB_ENTRY = /^files\/blobs\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;
const FIXED_ENTRIES = new Set(['manifest.json', 'parley.db', 'jwt.secret']);

// Plain CommonJS run on a thread of its own: VACUUM INTO reads the database in one transaction
// (a consistent snapshot, with writers going on in WAL mode) for as long as the copy takes,
// which must not be the event loop's time.
const SNAPSHOT_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
try {
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  db.prepare('VACUUM INTO ?').run(workerData.target);
  db.close();
  parentPort.postMessage({ ok: true });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String((e && e.message) || e) });
}
`;

function snapshot(file: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(SNAPSHOT_SOURCE, { eval: true, workerData: { file, target, driver: require.resolve('better-sqlite3') } });
    w.once('message', (m: { ok: boolean; error?: string }) => (m.ok ? resolve() : reject(new Error(`snapshot failed: ${m.error}`))));
    w.once('error', reject);
  });
}

/**
 * An online backup of the embedded database and its files, as a gzipped tar written to `out`:
 * the database as one consistent snapshot (VACUUM INTO, so sends keep being committed meanwhile;
 * SQLite's backup API restarts whenever another connection writes, which under steady load it
 * always does), then every file and thumbnail the snapshot references, read from the blob store
 * (disk or S3) by content hash, then the JWT secret, so sessions stay valid after a restore.
 * The collector does not delete bytes while this runs (`holdCollector`), so a file recalled
 * after the snapshot is still there to copy. Uploads in progress are not included.
 */
export async function writeBackup(deps: Pick<Deps, 'sqlite' | 'config' | 'now'>, blobs: BlobStore, holdCollector: <T>(work: () => Promise<T>) => Promise<T>, out: Writable): Promise<BackupManifest> {
  if (!deps.sqlite) throw new AppError('conflict', 'This server keeps its data in PostgreSQL: back it up with pg_dump and the file store’s own tools (docs/operations.md#backups).');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'parley-backup-'));
  try {
    return await holdCollector(async () => {
      const db = path.join(dir, 'parley.db');
      await snapshot(deps.sqlite!.name, db);
      const snap = new SQLite(db, { readonly: true });
      let refs: string[];
      let messages: number;
      let migrations: string[];
      try {
        refs = snap
          .prepare<[], { h: string }>(
            "SELECT sha256 AS h FROM uploads WHERE state = 'complete' AND sha256 IS NOT NULL UNION SELECT thumb_sha256 FROM uploads WHERE state = 'complete' AND thumb_sha256 IS NOT NULL",
          )
          .all()
          .map((r) => r.h);
        messages = snap.prepare<[], { n: number }>('SELECT count(*) AS n FROM messages').get()!.n;
        migrations = snap
          .prepare<[], { name: string }>('SELECT name FROM kysely_migration ORDER BY name')
          .all()
          .map((r) => r.name);
      } finally {
        snap.close();
      }
      const pack = tar.pack();
      const written = pipeline(pack, zlib.createGzip(), out);
      const add = async (name: string, size: number, source: NodeJS.ReadableStream) => {
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name, size, mode: 0o600 }, (err) => (err ? reject(err) : resolve()));
          source.on('error', reject);
          source.pipe(entry);
        });
      };
      let bytes = 0;
      let files = 0;
      for (const sha of refs) {
        const size = await blobs.size(sha);
        // Referenced but gone (a restore from a store that lost it): the database says so; nothing to copy.
        if (size === null) continue;
        await add(`files/blobs/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`, size, blobs.read(sha));
        bytes += size;
        files++;
      }
      const secret = path.join(deps.config.dataDir, 'jwt.secret');
      if (fs.existsSync(secret)) await add('jwt.secret', fs.statSync(secret).size, fs.createReadStream(secret));
      await add('parley.db', fs.statSync(db).size, fs.createReadStream(db));
      const manifest: BackupManifest = {
        format: 'parley-backup',
        version: 1,
        created_at: new Date(deps.now()).toISOString(),
        node: deps.config.nodeName,
        migrations,
        messages,
        files,
        file_bytes: bytes,
      };
      const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
      pack.entry({ name: 'manifest.json', size: text.length, mode: 0o600 }, text);
      pack.finalize();
      await written;
      return manifest;
    });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** A restore that cannot be done as asked: the message says why, for the command line. */
export class RestoreError extends Error {}

/**
 * Unpacks a backup into an empty data directory, checking as it goes: only the names a backup
 * holds, each file's bytes against the hash that names it, the database's integrity, and that
 * this Parley knows every migration the backup's schema went through. Nothing is left behind on
 * failure. Start Parley on the directory afterwards; the search index is rebuilt on its own.
 */
export async function restoreBackup(file: string, dataDir: string, knownMigrations: readonly string[]): Promise<BackupManifest> {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) throw new RestoreError(`${dataDir} is not empty: restore into a new, empty data directory`);
  const created = !fs.existsSync(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    let manifest: BackupManifest | null = null;
    const extract = tar.extract();
    extract.on('entry', (header, stream, next) => {
      void (async () => {
        const name = header.name;
        const blob = BLOB_ENTRY.exec(name);
        if (header.type !== 'file' || (!blob && !FIXED_ENTRIES.has(name))) throw new RestoreError(`the backup holds ${name}, which no Parley backup does`);
        if (name === 'manifest.json') {
          const chunks: Buffer[] = [];
          for await (const c of stream) chunks.push(c as Buffer);
          manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BackupManifest;
          return;
        }
        const target = path.join(dataDir, ...name.split('/'));
        await fsp.mkdir(path.dirname(target), { recursive: true });
        const hash = crypto.createHash('sha256');
        stream.on('data', (c: unknown) => void hash.update(c as Buffer));
        await pipeline(stream, fs.createWriteStream(target, { mode: 0o600 }));
        if (blob && hash.digest('hex') !== blob[3]) throw new RestoreError(`${name} does not hold the bytes its name promises: the backup is damaged`);
      })().then(
        () => next(),
        (err: unknown) => next(err as Error),
      );
    });
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), extract);
    const m = manifest as BackupManifest | null;
    if (!m || m.format !== 'parley-backup' || m.version !== 1) throw new RestoreError(`${file} is not a Parley backup (no manifest)`);
    const unknown = m.migrations.filter((x) => !knownMigrations.includes(x));
    if (unknown.length > 0) throw new RestoreError(`the backup is from a newer Parley (migrations ${unknown.join(', ')}): upgrade this one first`);
    const dbFile = path.join(dataDir, 'parley.db');
    if (!fs.existsSync(dbFile)) throw new RestoreError('the backup holds no database');
    const db = new SQLite(dbFile, { readonly: true });
    try {
      const check = db.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new RestoreError(`the backup's database is damaged: ${String(check)}`);
    } finally {
      db.close();
    }
    return m;
  } catch (e) {
    // Leave nothing half-restored behind.
    if (created) await fsp.rm(dataDir, { recursive: true, force: true });
    else for (const f of fs.readdirSync(dataDir)) await fsp.rm(path.join(dataDir, f), { recursive: true, force: true });
    if (e instanceof RestoreError) throw e;
    throw new RestoreError(`the backup could not be read: ${(e as Error).message}`);
  }
}
