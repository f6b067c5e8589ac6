import type { Conversation, Message, User } from '@parley/protocol';
import type { Parley } from '@parley/sdk';
import { bytesText } from './files.js';

/** Looks up and caches display names for human-readable output. */
export class Names {
  private readonly users = new Map<string, Promise<User | null>>();
  constructor(private readonly client: Parley) {}

  user(id: string): Promise<User | null> {
    let p = this.users.get(id);
    if (!p) {
      p = this.client.rest.request<User>('GET', `/users/${id}`).catch(() => null);
      this.users.set(id, p);
    }
    return p;
  }

  async conversation(c: Pick<Conversation, 'id' | 'kind' | 'name' | 'dm_user_id'>): Promise<string> {
    if (c.kind === 'channel') return `#${c.name ?? c.id}`;
    if (c.kind === 'dm') {
      const u = c.dm_user_id ? await this.user(c.dm_user_id) : null;
      return `@${u?.username ?? c.dm_user_id ?? '?'}`;
    }
    return c.name ?? `group ${c.id}`;
  }
}

export function time(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export async function formatMessage(m: Message, names: Names): Promise<string> {
  const u = await names.user(m.sender_id);
  const who = u?.username ?? m.sender_id;
  const body = m.recalled ? '(message recalled)' : m.body;
  const flags = [m.edited_at && !m.recalled ? '(edited)' : '', m.thread_root_id ? `↳ ${m.thread_root_id}` : ''].filter(Boolean).join(' ');
  const files = m.attachments.map((a) => `\n    [file] ${a.name}  ${bytesText(a.size)}  ${a.mime}  ${a.id}`).join('');
  return `${time(m.created_at)}  #${m.seq}  ${who}: ${body}${flags ? `  ${flags}` : ''}${files}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
