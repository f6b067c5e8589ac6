import { plural } from '@parley/protocol';
import { Names, printJson, time } from '../output.js';
import { clientFromConfig } from '../session.js';

export async function conversations(opts: { json?: boolean }): Promise<void> {
  const client = clientFromConfig();
  const list = await client.listConversations();
  const names = new Names(client);
  for (const c of list) {
    if (opts.json) {
      printJson(c);
      continue;
    }
    const badge = c.unread_count > 0 ? `  ${c.unread_count} unread${c.mention_count > 0 ? `, ${plural(c.mention_count, 'mention')}` : ''}` : '';
    const last = c.last_message ? `  last ${time(c.last_message.created_at)}` : '';
    process.stdout.write(`${(await names.conversation(c)).padEnd(28)} ${c.kind.padEnd(7)} ${c.id}${badge}${last}\n`);
  }
}
