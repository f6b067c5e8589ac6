/**
 * Test fixtures for the wire types, shared by every package's tests (`@parley/protocol/testing`)
 * so that a new field on a message is added once, not in each test's own copy.
 */
import type { Conversation, Membership, Message, User } from './entities.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/**
 * A message with every field set to what a plain, top-level text message has: seq 1 unless
 * given, an id and client id derived from the seq, `created_at` a second per seq after a fixed
 * instant. `over` sets anything else.
 */
export function testMessage(over: Partial<Message> = {}): Message {
  const seq = over.seq ?? 1;
  return {
    id: `M${seq}`,
    conv_id: 'C_1',
    seq,
    sender_id: 'U_BOB',
    client_msg_id: `c${seq}`,
    body: `body ${seq}`,
    created_at: new Date(T0 + seq * 1000).toISOString(),
    edited_at: null,
    recalled: false,
    recalled_at: null,
    reply_to: null,
    thread_root_id: null,
    reply_count: 0,
    last_reply_at: null,
    mentions: [],
    mentions_channel: false,
    reactions: [],
    attachments: [],
    tags: [],
    burn: null,
    pinned_at: null,
    pinned_by: null,
    ...over,
  };
}

/**
 * A group `C_1` with two members, seen by a member (`U_ME`'s view: a membership that has read
 * nothing, no messages yet). `over` sets conversation fields, `membership` the member's own.
 */
export function testConversation(over: Partial<Conversation> = {}, membership: Partial<Membership> = {}): Conversation {
  const at = new Date(T0).toISOString();
  return {
    id: 'C_1',
    kind: 'group',
    name: 'g',
    topic: '',
    purpose: null,
    visibility: null,
    history_visibility: 'full',
    created_by: 'U_ME',
    created_at: at,
    archived: false,
    last_seq: 0,
    member_count: 2,
    dm_user_id: null,
    membership: { role: 'member', joined_at: at, visible_from_seq: 1, left_seq: null, read_seq: 0, muted: false, notify: 'all', ...membership },
    unread_count: 0,
    mention_count: 0,
    last_message: null,
    retention_days: null,
    ...over,
  };
}

/** A plain member with no picture or status; the username is the id in lower case unless given. */
export function testUser(id: string, over: Partial<User> = {}): User {
  return {
    id,
    username: id.toLowerCase(),
    display_name: id,
    avatar_url: null,
    status_text: null,
    status_emoji: null,
    status_expires_at: null,
    time_zone: null,
    role: 'member',
    is_bot: false,
    created_at: new Date(T0).toISOString(),
    ...over,
  };
}

/**
 * Waits for `probe` to give something — anything but undefined, null, false or an empty list —
 * and returns it, probing every `intervalMs`; after `timeoutMs` it throws, naming `what`. Tests
 * wait for a condition this way, never for a fixed time a busy machine may overrun.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
