/** `@name` tokens not preceded by a word character (so e-mail addresses are not mentions). */
const MENTION = /(?<![\w@.])@([a-z0-9][a-z0-9._-]{0,31})/gi;
const BROADCAST = new Set(['channel', 'here', 'all', 'everyone']);

export interface ParsedMentions {
  usernames: string[];
  broadcast: boolean;
}

/** Finds mentioned usernames and broadcast mentions (@channel, @here, @all, @everyone), ignoring code spans and blocks. */
export function parseMentions(body: string): ParsedMentions {
  const text = body.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const names = new Set<string>();
  let broadcast = false;
  for (const m of text.matchAll(MENTION)) {
    const name = m[1]!.toLowerCase().replace(/[._-]+$/, '');
    if (BROADCAST.has(name)) broadcast = true;
    else if (name.length >= 2) names.add(name);
  }
  return { usernames: [...names], broadcast };
}
