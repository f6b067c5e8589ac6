import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { ParleyError, type DownloadedFile, type Parley, type UploadedFile } from '@parley/sdk';
import { configDir } from './credentials.js';
import { CliError, Exit } from './errors.js';

const KiB = 1024;
const MiB = KiB * 1024;
const GiB = MiB * 1024;

export function bytesText(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= KiB) return `${(n / KiB).toFixed(1)} KiB`;
  return `${n} B`;
}

/**
 * A progress line on stderr, redrawn in place, only when stderr is a terminal: a script or a
 * log file gets no carriage-return noise.
 */
export class Progress {
  private last = 0;
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly label: string) {}

  update(done: number, total: number): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    process.stderr.write(`\r\x1b[K${this.label}  ${String(pct).padStart(3)}%  ${bytesText(done)} / ${bytesText(total)}`);
  }

  end(): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
  }
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f/\\]/g;

/**
 * A file name from the server, safe to create in a directory: no path separators or control
 * characters, never `.`, `..` or empty, at most 255 bytes.
 */
export function safeName(name: string, fallback: string): string {
  let n = name.replace(UNSAFE, '_').trim();
  if (n === '' || n === '.' || n === '..') n = fallback;
  while (Buffer.byteLength(n) > 255) n = n.slice(0, -1);
  return n;
}

/** The local files to attach, checked before anything is uploaded. */
export function checkFiles(files: string[]): void {
  if (files.length > 10) throw new CliError(`A message carries at most 10 files; ${files.length} were given.`, Exit.usage);
  for (const f of files) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      throw new CliError(`${f}: no such file.`, Exit.notFound);
    }
    if (!st.isFile()) throw new CliError(`${f} is not a file.`, Exit.usage);
    try {
      fs.accessSync(f, fs.constants.R_OK);
    } catch {
      throw new CliError(`${f}: permission denied.`, Exit.failure);
    }
  }
}

/**
 * Where the CLI remembers unfinished uploads (`uploads.json` in the config directory), so a
 * `parley send --file` interrupted half-way continues when run again. None if it cannot be made.
 */
function resumeStore(): string | false {
  const dir = configDir();
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return path.join(dir, 'uploads.json');
  } catch {
    return false;
  }
}

/** Uploads the files one after another, with a progress line each on a terminal. */
export async function uploadAll(client: Parley, files: string[]): Promise<UploadedFile[]> {
  const resume = resumeStore();
  const out: UploadedFile[] = [];
  for (const f of files) {
    const progress = new Progress(path.basename(f));
    try {
      out.push(await client.uploadFile(fs.createReadStream(f), { resume, onProgress: (s, t) => progress.update(s, t) }));
    } catch (e) {
      progress.end();
      if (e instanceof Error) e.message = `${f}: ${e.message}`;
      throw e;
    }
    progress.end();
  }
  return out;
}

/**
 * Downloads a file to `dest` through `dest.part`, continuing a partial `.part` left by an
 * earlier run. The finished file appears under its name only once complete, and only if
 * nothing is there already (unless `force`). `first` is an answer already open for the whole
 * file, used when there is nothing to continue. Returns the file's size.
 */
export async function downloadTo(client: Parley, id: string, dest: string, opts: { force?: boolean; first?: DownloadedFile; progress?: Progress } = {}): Promise<number> {
  const part = `${dest}.part`;
  let have = 0;
  try {
    have = fs.statSync(part).size;
  } catch {
    have = 0;
  }
  let file = opts.first;
  if (!file || have > 0) {
    await file?.body.cancel().catch(() => undefined);
    try {
      file = await client.downloadFile(id, { offset: have });
    } catch (e) {
      // 416: the part is not shorter than the file, so it is not a prefix of it.
      if (!(e instanceof ParleyError && e.status === 416)) throw e;
      have = 0;
      file = await client.downloadFile(id);
    }
  }
  // The server ignored the range (the part is longer than the file, or the file is empty): start over.
  if (file.offset !== have) have = 0;
  const total = file.size;
  let written = have;
  const source = Readable.fromWeb(file.body as unknown as NodeWebStream<Uint8Array>);
  source.on('data', (chunk: Buffer) => {
    written += chunk.length;
    opts.progress?.update(written, total);
  });
  await pipeline(source, fs.createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }));
  opts.progress?.end();
  if (total >= 0 && written !== total) throw new CliError(`${id}: the download stopped at ${bytesText(written)} of ${bytesText(total)}; run again to continue.`, Exit.unreachable);
  if (opts.force) fs.renameSync(part, dest);
  else {
    // A hard link fails if the name is taken: no moment in which an existing file is replaced.
    try {
      fs.linkSync(part, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(dest);
      throw e;
    }
    fs.rmSync(part);
  }
  return written;
}

export const existsError = (dest: string) => new CliError(`${dest} exists; use --force to overwrite it or -o to choose another path.`, Exit.failure);
