import type { SearchConversation, SearchPage } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { ansiMark, emphasise } from '../highlight.js';
import { bodyText, Names, printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

export interface SearchOptions {
  in?: string[];
  from?: string[];
  json?: boolean;
  limit?: string;
  order?: string;
}

const PAGE_MAX = 100;

/** The query with the `--in` / `--from` options appended in the query language's own words. */
export function buildQuery(words: string[], opts: Pick<SearchOptions, 'in' | 'from'>): string {
  const parts = [words.join(' ').trim()];
  for (const target of opts.in ?? []) parts.push(`in:${/^[#@]/.test(target) ? target : `#${target}`}`);
  for (const user of opts.from ?? []) parts.push(`from:${user.startsWith('@') ? user : `@${user}`}`);
  return parts.filter(Boolean).join(' ');
}

export async function search(words: string[], opts: SearchOptions): Promise<void> {
  const q = buildQuery(words, opts);
  if (!q) throw new CliError('Nothing to search for: give words or a filter such as --from @alice.', Exit.usage);
  const limit = opts.limit === undefined ? 20 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError('--limit takes a whole number from 1 to 10000.', Exit.usage);
  const order = opts.order ?? 'newest';
  if (order !== 'newest' && order !== 'relevance') throw new CliError('--order takes newest or relevance.', Exit.usage);

  const client = clientFromConfig();
  const names = new Names(client);
  // Emphasis only for a person at a terminal; a pipe gets the body exactly as written.
  const mark = process.stdout.isTTY && !process.env.NO_COLOR ? ansiMark : null;
  let shown = 0;
  let cursor: string | undefined;
  try {
    while (shown < limit) {
      const page: SearchPage = await client.search(q, { order, limit: Math.min(PAGE_MAX, limit - shown), ...(cursor ? { cursor } : {}) });
      shown += page.hits.length;
      if (opts.json) printJson(page);
      else await printHits(page, names, mark, shown === page.hits.length);
      if (!page.next_cursor || page.hits.length === 0) break;
      cursor = page.next_cursor;
    }
  } finally {
    await client.close();
  }
  if (!opts.json && shown === 0) process.stderr.write('No messages match.\n');
}

async function printHits(page: SearchPage, names: Names, mark: ((s: string) => string) | null, first: boolean): Promise<void> {
  const convs = new Map<string, SearchConversation>(page.conversations.map((c) => [c.id, c]));
  let blank = !first;
  for (const hit of page.hits) {
    const m = hit.message;
    const conv = convs.get(m.conv_id);
    const where = conv ? await names.conversation(conv) : m.conv_id;
    const who = (await names.user(m.sender_id))?.username ?? m.sender_id;
    // A burn-after-reading message has no text here: a note and how to reveal it instead.
    const body = m.burn ? bodyText(m) : mark ? emphasise(m.body, hit.highlights, mark) : m.body;
    const head = `${where}  ${who}  ${time(m.created_at)}  #${m.seq}${m.thread_root_id ? '  (in a thread)' : ''}`;
    process.stdout.write(`${blank ? '\n' : ''}${head}\n${body.replace(/^/gm, '  ')}\n`);
    blank = true;
  }
}
