import type { Limits, SlashCommand } from '@parley/protocol';
import { burnAfterSeconds } from '@parley/protocol';

/**
 * The composer's built-in slash commands. They run in the client: some turn the text into a
 * message (`/me`, `/shrug`, `/code`, `/burn`), others call the API the rest of the app uses (`/topic`,
 * `/invite`, `/leave`, `/mute`, `/remind`, `/tag`). A line starting with `//` sends the text with one slash.
 * The workspace's custom commands (`/deploy`) are run by the server, which calls their endpoint.
 */
export const COMMANDS = ['me', 'shrug', 'code', 'burn', 'topic', 'invite', 'leave', 'mute', 'remind', 'tag', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Which commands make sense where: a DM has no topic, members or leaving. */
export function commandsFor(kind: 'dm' | 'group' | 'channel' | undefined): CommandName[] {
  return COMMANDS.filter((c) => kind !== 'dm' || !['topic', 'invite', 'leave'].includes(c));
}

/** One line of the `/` list: a built-in command (worded by the UI), or a custom one (worded by its admin). */
export type Suggestion = { name: CommandName; custom: null } | { name: string; custom: SlashCommand };

/**
 * The commands offered for what is typed after `/`: the built-in ones first, in their own order,
 * then the workspace's custom ones alphabetically. A custom command never shadows a built-in.
 */
export function commandSuggestions(kind: 'dm' | 'group' | 'channel' | undefined, query: string, custom: readonly SlashCommand[] | null): Suggestion[] {
  const builtIn: Suggestion[] = commandsFor(kind)
    .filter((c) => c.startsWith(query))
    .map((name) => ({ name, custom: null }));
  const mine: Suggestion[] = (custom ?? [])
    .filter((c) => c.command.startsWith(query) && !(COMMANDS as readonly string[]).includes(c.command))
    .sort((a, b) => (a.command < b.command ? -1 : a.command > b.command ? 1 : 0))
    .map((c) => ({ name: c.command, custom: c }));
  return [...builtIn, ...mine];
}

/** The command name being typed (`/to` → `to`) while the text is only that, or null. */
export function commandQuery(text: string): string | null {
  const m = /^\/([a-z0-9_-]*)$/i.exec(text);
  return m ? m[1]!.toLowerCase() : null;
}

export type Parsed =
  | { kind: 'send'; body: string }
  /** `/burn 1m text`: the text (and the composer's files) sent to burn `seconds` after each reader reveals it. */
  | { kind: 'burn'; seconds: number; body: string }
  /** `/burn` followed by something that is not a burn time (`/burn soon …`). */
  | { kind: 'burnTime'; typed: string }
  | { kind: 'topic'; topic: string }
  | { kind: 'invite'; username: string }
  | { kind: 'leave' }
  | { kind: 'mute' }
  | { kind: 'help' }
  | { kind: 'remind'; text: string }
  /** On the thread's root in a thread, else on the conversation's latest message; `-name` removes. */
  | { kind: 'tag'; tag: string; op: 'add' | 'remove' }
  | { kind: 'custom'; name: string; text: string }
  | { kind: 'usage'; name: CommandName }
  | { kind: 'unknown'; name: string };

/**
 * What the composer's text asks for; null when it is an ordinary message. `custom` names the
 * workspace's custom commands: one of them is run by the server with the rest of the line.
 */
export function parseCommand(text: string, custom: readonly string[] = []): Parsed | null {
  if (text.startsWith('//')) return { kind: 'send', body: text.slice(1) };
  const m = /^\/([a-z0-9][a-z0-9_-]*)(?:[ \t]+([\s\S]*))?$/i.exec(text);
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
    case 'burn': {
      // The time first, as the server takes it (`30s`, `1m`, `2h`, `7d`); the rest is the message, Markdown and all.
      const b = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest);
      if (!b) return { kind: 'usage', name };
      const seconds = burnAfterSeconds(b[1]!);
      return seconds === null ? { kind: 'burnTime', typed: b[1]! } : { kind: 'burn', seconds, body: (b[2] ?? '').trim() };
    }
    case 'topic':
      return { kind: 'topic', topic: rest };
    case 'invite': {
      const u = /^@?([a-z0-9._-]{1,32})$/i.exec(rest);
      return u ? { kind: 'invite', username: u[1]!.toLowerCase() } : { kind: 'usage', name };
    }
    case 'leave':
      return { kind: 'leave' };
    case 'mute':
      return { kind: 'mute' };
    case 'remind':
      // The server reads the time (`me in 10m …`, `me at 14:30 …`) and says how when it cannot.
      return rest ? { kind: 'remind', text: rest } : { kind: 'usage', name };
    case 'tag': {
      const g = /^(-)?#?([^\s#]+)$/u.exec(rest);
      return g ? { kind: 'tag', tag: g[2]!, op: g[1] ? 'remove' : 'add' } : { kind: 'usage', name };
    }
    case 'help':
      return { kind: 'help' };
    default:
      return custom.includes(name) ? { kind: 'custom', name, text: rest } : { kind: 'unknown', name };
  }
}

/** A `/burn` line in any state of being typed: its words are never kept as a draft. */
export function isBurnText(text: string): boolean {
  return /^\s*\/burn(?:\s|$)/i.test(text);
}

/** Every parse of a `/burn` line, sent or refused by the composer whatever else is pending. */
export function isBurnCommand(c: Parsed | null): c is Extract<Parsed, { kind: 'burn' | 'burnTime' }> | { kind: 'usage'; name: 'burn' } {
  return c !== null && (c.kind === 'burn' || c.kind === 'burnTime' || (c.kind === 'usage' && c.name === 'burn'));
}

/**
 * The server's range when `seconds` is outside it, else null. Unknown limits (no hello yet)
 * check nothing here: the server holds the send to its range and says so.
 */
export function burnOutOfRange(seconds: number, limits: Pick<Limits, 'burn_min_s' | 'burn_max_s'> | null): { min: number; max: number } | null {
  if (!limits || (seconds >= limits.burn_min_s && seconds <= limits.burn_max_s)) return null;
  return { min: limits.burn_min_s, max: limits.burn_max_s };
}
