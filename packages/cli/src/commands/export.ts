import { once } from 'node:events';
import fs from 'node:fs';
import { plural, type Conversation, type Message } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { clientFromConfig } from '../session.js';

type Line = ({ type: 'conversation' } & Conversation) | ({ type: 'message' } & Message);

/**
 * What an earlier, possibly interrupted, export already holds: the highest seq per conversation
 * and which conversations have their header line. A torn last line is cut off.
 */
function resumeState(file: string): { done: Map<string, number>; headers: Set<string> } {
  const done = new Map<string, number>();
  const headers = new Set<string>();
  if (!fs.existsSync(file)) return { done, headers };
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
    else if (rec.type === 'message') done.set(rec.conv_id, Math.max(done.get(rec.conv_id) ?? 0, rec.seq));
  }
  return { done, headers };
}

/** Exports every conversation I can see as NDJSON; with --out, a rerun resumes where the last one stopped. */
export async function exportAll(opts: { format?: string; out?: string }): Promise<void> {
  if ((opts.format ?? 'ndjson') !== 'ndjson') throw new CliError(`Unknown format "${opts.format}": only ndjson is supported.`, Exit.usage);
  const client = clientFromConfig();
  const { done, headers } = opts.out ? resumeState(opts.out) : { done: new Map<string, number>(), headers: new Set<string>() };
  const fd = opts.out ? fs.openSync(opts.out, 'a') : null;
  // Standard output goes through the stream, with backpressure: a synchronous write to a pipe
  // that is full (`parley export | gzip`) fails with EAGAIN.
  const write = async (rec: Line) => {
    const line = `${JSON.stringify(rec)}\n`;
    if (fd !== null) fs.writeSync(fd, line);
    else if (!process.stdout.write(line)) await once(process.stdout, 'drain');
  };
  let count = 0;
  try {
    const convs = await client.listConversations(true);
    for (const c of convs) {
      if (!headers.has(c.id)) await write({ type: 'conversation', ...c });
      for await (const m of client.allMessages(c.id, done.get(c.id) ?? 0)) {
        await write({ type: 'message', ...m });
        count++;
      }
    }
  } finally {
    if (fd !== null) fs.closeSync(fd);
    await client.close();
  }
  if (opts.out) process.stderr.write(`exported ${plural(count, 'new message')} to ${opts.out}\n`);
}
