import type { Conversation, Pin, SavedMessage } from '@parley/protocol';
import { CliError, Exit } from '../errors.js';
import { formatMessage, Names, printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

function limitOption(limit: string | undefined): number {
  if (limit === undefined) return Number.MAX_SAFE_INTEGER;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1) throw new CliError('--limit takes a whole number from 1.', Exit.usage);
  return n;
}

/** `parley pin MESSAGE_ID` (or `parley unpin`): pins a message to its conversation, or unpins it. */
export async function pinMessage(messageId: string, opts: { json?: boolean }, op: 'add' | 'remove' = 'add'): Promise<void> {
  const msg = await clientFromConfig().pin(messageId, op);
  if (opts.json) printJson(msg);
  else process.stderr.write(msg.pinned_at ? `📌 Message ${msg.id} is pinned.\n` : `Message ${msg.id} is not pinned.\n`);
}

export const unpinMessage = (messageId: string, opts: { json?: boolean }) => pinMessage(messageId, opts, 'remove');

/** `parley pins #ops`: the conversation's pinned messages, newest pin first. */
export async function listPins(target: string, opts: { json?: boolean; limit?: string }): Promise<void> {
  const max = limitOption(opts.limit);
  const client = clientFromConfig();
  const names = new Names(client);
  const conv = await client.resolveTarget(target);
  const pins: Pin[] = [];
  let before: number | undefined;
  while (pins.length < max) {
    const page = await client.pins(conv.id, { limit: Math.min(100, max - pins.length), ...(before !== undefined ? { before_seq: before } : {}) });
    pins.push(...page.pins);
    const last = page.pins.at(-1);
    if (!page.has_more || !last) break;
    before = last.seq;
  }
  if (opts.json) {
    for (const p of pins) printJson(p);
    return;
  }
  if (pins.length === 0) process.stderr.write(`Nothing is pinned in ${target}.\n`);
  for (const p of pins) {
    const by = await names.user(p.pinned_by);
    process.stdout.write(`📌 ${time(p.pinned_at)} by ${by?.username ?? p.pinned_by}\n    ${await formatMessage(p.message, names)}\n`);
  }
}

/** `parley save MESSAGE_ID` (or `parley unsave`): saves a message for myself alone, or unsaves it. */
export async function saveMessage(messageId: string, opts: { json?: boolean }): Promise<void> {
  const saved = await clientFromConfig().save(messageId);
  if (opts.json) printJson(saved);
  else process.stderr.write(`Saved message ${saved.message.id} (parley saved lists it).\n`);
}

export async function unsaveMessage(messageId: string): Promise<void> {
  await clientFromConfig().unsave(messageId);
  process.stderr.write(`Message ${messageId} is not saved.\n`);
}

/** `parley saved`: my saved messages I may still read, last saved first, with where each is. */
export async function listSaved(opts: { json?: boolean; limit?: string }): Promise<void> {
  const max = limitOption(opts.limit);
  const client = clientFromConfig();
  const names = new Names(client);
  const saved: SavedMessage[] = [];
  let cursor: string | undefined;
  while (saved.length < max) {
    const page = await client.saved({ limit: Math.min(100, max - saved.length), ...(cursor ? { cursor } : {}) });
    saved.push(...page.saved);
    if (!page.next_cursor || page.saved.length === 0) break;
    cursor = page.next_cursor;
  }
  if (opts.json) {
    for (const s of saved) printJson(s);
    return;
  }
  if (saved.length === 0) {
    process.stderr.write('No saved messages (parley save MESSAGE_ID saves one).\n');
    return;
  }
  // Saved messages are in conversations I am (or was) in: one list names them all.
  const convs = new Map<string, Conversation>((await client.listConversations(true)).map((c) => [c.id, c]));
  for (const s of saved) {
    const c = convs.get(s.message.conv_id);
    const where = c ? await names.conversation(c) : s.message.conv_id;
    process.stdout.write(`${where}  ${await formatMessage(s.message, names)}\n`);
  }
}
