import { formatBurnAfter, type Conversation, type Message, type User } from '@parley/protocol';
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

/** How far away a time is, roughly, as people say it: `in 59 s`, `in 5 min`, `in 3 h`, `in 2 d`. */
export function inText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `in ${s} s`;
  if (s < 120 * 60) return `in ${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86_400)} d`;
}

/**
 * What stands for a message's text: its body, or for a recall or a burn-after-reading message
 * (whose content only `parley reveal` shows) a note saying so.
 */
export function bodyText(m: Message): string {
  if (m.recalled) return '(message recalled)';
  if (m.burn?.burned_at) return '🔥 burned after reading';
  if (m.burn) return `🔥 burns ${formatBurnAfter(m.burn.after_s)} after reading — parley reveal ${m.id}`;
  return m.body;
}

export async function formatMessage(m: Message, names: Names): Promise<string> {
  const u = await names.user(m.sender_id);
  const who = u?.username ?? m.sender_id;
  const body = bodyText(m);
  const flags = [m.edited_at && !m.recalled ? '(edited)' : '', m.thread_root_id ? `↳ ${m.thread_root_id}` : ''].filter(Boolean).join(' ');
  const files = m.attachments.map((a) => `\n    [file] ${a.name}  ${bytesText(a.size)}  ${a.mime}  ${a.id}`).join('');
  return `${time(m.created_at)}  #${m.seq}  ${who}: ${body}${flags ? `  ${flags}` : ''}${files}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
