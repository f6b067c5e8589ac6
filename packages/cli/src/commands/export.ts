import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { plural, type Attachment, type Conversation, type Message } from '@parley/protocol';
import { ParleyError, type Parley } from '@parley/sdk';
import { CliError, Exit } from '../errors.js';
import { downloadTo, safeName } from '../files.js';
import { clientFromConfig } from '../session.js';

type Line = ({ type: 'conversation' } & Conversation) | ({ type: 'message' } & Message);

interface ResumeState {
  done: Map<string, number>;
  headers: Set<string>;
  /** Files the messages already exported carry, by id. */
  files: Map<string, Attachment>;
}

/**
 * What an earlier, possibly interrupted, export already holds: the highest seq per conversation,
 * which conversations have their header line, and the files its messages carry. A torn last
 * line is cut off.
 */
function resumeState(file: string): ResumeState {
  const done = new Map<string, number>();
  const headers = new Set<string>();
  const files = new Map<string, Attachment>();
  if (!fs.existsSync(file)) return { done, headers, files };
  const text = fs.readFileSync(file, 'utf8');
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  if (complete.length !== text.length) fs.truncateSync(file, Buffer.byteLength(complete));
  for (const line of complete.split('\n')) {
    if (!line) continue;
    let rec: Line;
    try {
      rec = JSON.parse(line) as Line;
    } catch {
      throw new CliError(`${file} is not an NDJSON export written by parley; refusing to append to it.`, Exit.failure);
    }
    if (rec.type === 'conversation') headers.add(rec.id);
    else if (rec.type === 'message') {
      done.set(rec.conv_id, Math.max(done.get(rec.conv_id) ?? 0, rec.seq));
      for (const a of rec.attachments ?? []) files.set(a.id, a);
    }
  }
  return { done, headers, files };
}

/**
 * Fetches each file into `dir` as `<id>-<name>`. One already there at its full size is skipped,
 * a partial one continued; a file that is gone since (its message recalled) is reported and
 * skipped. Returns the counts.
 */
async function fetchFiles(client: Parley, files: Iterable<Attachment>, dir: string): Promise<{ fetched: number; present: number; gone: number }> {
  fs.mkdirSync(dir, { recursive: true });
  const n = { fetched: 0, present: 0, gone: 0 };
  for (const a of files) {
    const dest = path.join(dir, `${a.id}-${safeName(a.name, 'file')}`);
    if (fs.statSync(dest, { throwIfNoEntry: false })?.size === a.size) {
      n.present++;
      continue;
    }
    try {
      await downloadTo(client, a.id, dest, { force: true });
      n.fetched++;
    } catch (e) {
      if (!(e instanceof ParleyError && e.code === 'not_found')) throw e;
      process.stderr.write(`parley: ${a.id} (${a.name}) is no longer readable; skipped\n`);
      n.gone++;
    }
  }
  return n;
}

/** Exports every conversation I can see as NDJSON; with --out, a rerun resumes where the last one stopped. */
export async function exportAll(opts: { format?: string; out?: string; files?: string }): Promise<void> {
  if ((opts.format ?? 'ndjson') !== 'ndjson') throw new CliError(`Unknown format "${opts.format}": only ndjson is supported.`, Exit.usage);
  const client = clientFromConfig();
  const { done, headers, files } = opts.out ? resumeState(opts.out) : { done: new Map<string, number>(), headers: new Set<string>(), files: new Map<string, Attachment>() };
  const fd = opts.out ? fs.openSync(opts.out, 'a') : null;
  // Standard output goes through the stream, with backpressure: a synchronous write to a pipe
  // that is full (`parley export | gzip`) fails with EAGAIN.
  const write = async (rec: Line) => {
    const line = `${JSON.stringify(rec)}\n`;
    if (fd !== null) fs.writeSync(fd, line);
    else if (!process.stdout.write(line)) await once(process.stdout, 'drain');
  };
  let count = 0;
  let burns = 0;
  try {
    const convs = await client.listConversations(true);
    for (const c of convs) {
      if (!headers.has(c.id)) await write({ type: 'conversation', ...c });
      for await (const m of client.allMessages(c.id, done.get(c.id) ?? 0)) {
        // A burn-after-reading message is exported as what it is, marked by its `burn`, never
        // with content: only a reveal shows that, to one reader, for a while.
        if (m.burn) burns++;
        await write(m.burn ? { type: 'message', ...m, body: '', attachments: [], tags: [] } : { type: 'message', ...m });
        for (const a of m.burn ? [] : m.attachments) files.set(a.id, a);
        count++;
      }
    }
    if (opts.files) {
      const n = await fetchFiles(client, files.values(), opts.files);
      process.stderr.write(`fetched ${plural(n.fetched, 'file')} into ${opts.files}${n.present > 0 ? ` (${n.present} already there)` : ''}${n.gone > 0 ? `, ${n.gone} no longer readable` : ''}\n`);
    }
  } finally {
    if (fd !== null) fs.closeSync(fd);
    await client.close();
  }
  const burnNote = burns > 0 ? `${plural(burns, 'burn-after-reading message')} without content` : '';
  if (opts.out) process.stderr.write(`exported ${plural(count, 'new message')} to ${opts.out}${burnNote ? ` (${burnNote})` : ''}\n`);
  else if (burnNote) process.stderr.write(`exported ${burnNote}\n`);
}
