import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { CliError, Exit } from '../errors.js';
import { bytesText, downloadTo, existsError, Progress, safeName } from '../files.js';
import { clientFromConfig } from '../session.js';

/**
 * `parley download ID [-o PATH]`: saves a file under its own name (made safe) in the current
 * directory, or at PATH (a directory keeps the file's name; `-` is standard output). Never
 * replaces an existing file without --force; an interrupted download continues when rerun.
 */
export async function download(id: string, opts: { out?: string; force?: boolean }): Promise<void> {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/i.test(id)) throw new CliError(`"${id}" is not a file id (26 letters and digits, as history --json shows in attachments).`, Exit.usage);
  const client = clientFromConfig();
  try {
    const file = await client.downloadFile(id.toUpperCase());
    if (opts.out === '-') {
      await pipeline(Readable.fromWeb(file.body as unknown as NodeWebStream<Uint8Array>), process.stdout);
      return;
    }
    const name = safeName(file.name, `file-${id}`);
    let dest = opts.out ?? name;
    if (opts.out && fs.statSync(opts.out, { throwIfNoEntry: false })?.isDirectory()) dest = path.join(opts.out, name);
    if (!opts.force && fs.existsSync(dest)) {
      await file.body.cancel().catch(() => undefined);
      throw existsError(dest);
    }
    const size = await downloadTo(client, file.id, dest, { first: file, progress: new Progress(name), ...(opts.force ? { force: true } : {}) });
    process.stderr.write(`saved ${dest} (${bytesText(size)}, ${file.type})\n`);
  } finally {
    await client.close();
  }
}
