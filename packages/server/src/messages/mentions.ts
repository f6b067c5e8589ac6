/** `@name` tokens not preceded by a word character (so e-mail addresses are not mentions). */
const MENTION = /(?<![\w@.])@([a-z0-9][a-z0-9._-]{0,31})/gi;
/** Mentions of every member (stored as the message's `mentions_all`). */
const BROADCAST = new Set(['channel', 'all', 'everyone']);

export interface ParsedMentions {
  usernames: string[];
  /** @channel, @all or @everyone: every member. */
  broadcast: boolean;
  /**
   * @here: the members who are online when it is sent (Slack's and Mattermost's meaning), not an
   * alias of @channel. Resolved at send time into one `mentions` row per such member, so mention
   * counts and every client (which read `Message.mentions`) agree without knowing presence.
   */
  here: boolean;
}

/** Finds mentioned usernames and broadcast mentions (@channel, @all, @everyone; @here), ignoring code spans and blocks. */
export function parseMentions(body: string): ParsedMentions {
  const text = body.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const names = new Set<string>();
  let broadcast = false;
  let here = false;
  for (const m of text.matchAll(MENTION)) {
    const name = m[1]!.toLowerCase().replace(/[._-]+$/, '');
    if (BROADCAST.has(name)) broadcast = true;
    else if (name === 'here') here = true;
    else if (name.length >= 2) names.add(name);
  }
  return { usernames: [...names], broadcast, here };
}
