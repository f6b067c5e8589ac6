/**
 * The composer's built-in slash commands. They run in the client: some turn the text into a
 * message (`/me`, `/shrug`, `/code`), others call the API the rest of the app uses (`/topic`,
 * `/invite`, `/leave`). A line starting with `//` sends the text with one slash.
 */
export const COMMANDS = ['me', 'shrug', 'code', 'topic', 'invite', 'leave', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Which commands make sense where: a DM has no topic, members or leaving. */
export function commandsFor(kind: 'dm' | 'group' | 'channel' | undefined): CommandName[] {
  return COMMANDS.filter((c) => kind !== 'dm' || !['topic', 'invite', 'leave'].includes(c));
}

/** The command name being typed (`/to` → `to`) while the text is only that, or null. */
export function commandQuery(text: string): string | null {
  const m = /^\/([a-z]*)$/i.exec(text);
  return m ? m[1]!.toLowerCase() : null;
}

export type Parsed =
  | { kind: 'send'; body: string }
  | { kind: 'topic'; topic: string }
  | { kind: 'invite'; username: string }
  | { kind: 'leave' }
  | { kind: 'help' }
  | { kind: 'usage'; name: CommandName }
  | { kind: 'unknown'; name: string };

/** What the composer's text asks for; null when it is an ordinary message. */
export function parseCommand(text: string): Parsed | null {
  if (text.startsWith('//')) return { kind: 'send', body: text.slice(1) };
  const m = /^\/([a-z]+)(?:[ \t]+([\s\S]*))?$/i.exec(text);
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  const rest = (m[2] ?? '').trim();
  switch (name) {
    case 'me':
      return rest ? { kind: 'send', body: `_${rest}_` } : { kind: 'usage', name };
    case 'shrug':
      // Escaped for Markdown: the arm and the underscores are shown as typed.
      return { kind: 'send', body: `${rest ? `${rest} ` : ''}¯\\\\\\_(ツ)\\_/¯` };
    case 'code': {
      const c = /^(\S+)[ \t]*\n?([\s\S]*)$/.exec(rest);
      if (!c || !c[2]!.trim()) return { kind: 'usage', name };
      return { kind: 'send', body: `\`\`\`${c[1]}\n${c[2]!.replace(/\n+$/, '')}\n\`\`\`` };
    }
    case 'topic':
      return { kind: 'topic', topic: rest };
    case 'invite': {
      const u = /^@?([a-z0-9._-]{1,32})$/i.exec(rest);
      return u ? { kind: 'invite', username: u[1]!.toLowerCase() } : { kind: 'usage', name };
    }
    case 'leave':
      return { kind: 'leave' };
    case 'help':
      return { kind: 'help' };
    default:
      return { kind: 'unknown', name };
  }
}
