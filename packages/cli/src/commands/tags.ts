import type { TagCount } from '@parley/protocol';
import { printJson } from '../output.js';
import { clientFromConfig } from '../session.js';

/** `parley tags #deploys`: the conversation's tags, most used first. */
export async function listTags(target: string, opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const conv = await client.resolveTarget(target);
  const tags: TagCount[] = await client.tags(conv.id);
  if (opts.json) {
    for (const t of tags) printJson(t);
    return;
  }
  if (tags.length === 0) process.stderr.write(`No tags in ${target} yet.\n`);
  const width = Math.max(0, ...tags.map((t) => t.tag.length + 1));
  for (const t of tags) process.stdout.write(`${`#${t.tag}`.padEnd(width)}  ${String(t.count).padStart(5)}  latest seq ${t.last_seq}\n`);
}

/** `parley tag MESSAGE_ID bug` (or `--remove`): tags a message after it was sent. */
export async function tagMessage(messageId: string, tag: string, opts: { remove?: boolean; json?: boolean }): Promise<void> {
  const msg = await clientFromConfig().tag(messageId, tag, opts.remove ? 'remove' : 'add');
  if (opts.json) printJson(msg);
  else process.stderr.write(`Message ${msg.id} is tagged ${msg.tags.length > 0 ? msg.tags.map((t) => `#${t}`).join(' ') : '(nothing)'}.\n`);
}
