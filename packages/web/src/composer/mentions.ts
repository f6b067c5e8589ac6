import type { User } from '@parley/protocol';

/** The `@prefix` being typed right before the caret, or null. Mirrors the server's mention rule. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[^\w@.])@([a-z0-9._-]{0,32})$/i.exec(before);
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() };
}

export interface MentionOption {
  username: string;
  label: string;
  user: User | null;
}

const BROADCASTS = ['channel', 'here'];

export function mentionOptions(users: readonly User[], query: string, me: string, allowBroadcast: boolean): MentionOption[] {
  const out: MentionOption[] = [];
  for (const u of users) {
    if (u.id === me) continue;
    const name = u.display_name.toLowerCase();
    if (u.username.startsWith(query) || name.startsWith(query) || name.split(/\s+/).some((w) => w.startsWith(query))) out.push({ username: u.username, label: u.display_name || u.username, user: u });
  }
  out.sort((a, b) => Number(!a.username.startsWith(query)) - Number(!b.username.startsWith(query)) || a.username.localeCompare(b.username));
  if (allowBroadcast) for (const b of BROADCASTS) if (b.startsWith(query)) out.push({ username: b, label: `@${b}`, user: null });
  return out.slice(0, 8);
}
