/**
 * The web's details panel shows a control only when the server would allow it
 * (packages/web/src/details/permissions.ts): this holds its rules to `can()` for every kind of
 * conversation and every kind of person, so a change to the policy that the web does not follow
 * fails here rather than as a button that always answers "forbidden" (or a missing one).
 */
import { describe, expect, test } from 'vitest';
import type { Conversation, WorkspaceRole } from '@parley/protocol';
import type { Actor } from '../core/context.js';
import type { ConversationsTable, MembersTable } from '../store/schema.js';
import { can, type ConvAction } from './policy.js';
import { allows, canViewEdits, type ConvControl } from '../../../web/src/details/permissions.js';

const KINDS = ['private', 'public', 'group', 'dm', 'archived private', 'archived public'] as const;
type Kind = (typeof KINDS)[number];
const PEOPLE = {
  owner: { ws: 'member', conv: 'owner' },
  admin: { ws: 'member', conv: 'admin' },
  member: { ws: 'member', conv: 'member' },
  guest: { ws: 'guest', conv: 'member' },
  former: { ws: 'member', conv: 'left' },
  wsAdminMember: { ws: 'admin', conv: 'member' },
  wsOwnerMember: { ws: 'owner', conv: 'member' },
  outsider: { ws: 'member', conv: null },
  wsAdmin: { ws: 'admin', conv: null },
  guestOutsider: { ws: 'guest', conv: null },
} as const satisfies Record<string, { ws: WorkspaceRole; conv: 'owner' | 'admin' | 'member' | 'left' | null }>;
type Person = keyof typeof PEOPLE;

const LABEL: Record<Kind, string> = {
  private: 'a private channel',
  public: 'a public channel',
  group: 'a group',
  dm: 'a DM',
  'archived private': 'an archived private channel',
  'archived public': 'an archived public channel',
};

const CONTROLS: Record<ConvControl, ConvAction> = {
  rename: 'conversation.rename',
  topic: 'conversation.set_topic',
  archive: 'conversation.archive',
  history: 'conversation.set_history',
  invite: 'conversation.invite',
  kick: 'conversation.kick',
  role: 'conversation.set_role',
  leave: 'conversation.leave',
};

function both(kind: Kind, who: Person): { actor: Actor; conv: ConversationsTable; member: MembersTable | null; seen: Conversation } {
  const p = PEOPLE[who];
  const archived = kind.startsWith('archived');
  const conv: ConversationsTable = {
    id: 'C',
    kind: kind === 'dm' ? 'dm' : kind === 'group' ? 'group' : 'channel',
    name: 'x',
    topic: '',
    purpose: null,
    retention_days: null,
    visibility: kind.endsWith('public') ? 'public' : kind.endsWith('private') ? 'private' : null,
    history_visibility: 'full',
    dm_key: null,
    created_by: 'O',
    created_at: 0,
    last_seq: 10,
    archived_at: archived ? 5 : null,
    member_count: 3,
  };
  const role = p.conv === 'left' || p.conv === null ? 'member' : p.conv;
  const left = p.conv === 'left' ? 7 : null;
  const member: MembersTable | null = p.conv === null ? null : { conv_id: 'C', user_id: 'U', role, joined_at: 0, visible_from_seq: 1, left_seq: left, read_seq: 0, delivered_seq: 0, notify: null };
  // What the web holds: the conversation as the API presents it to this person.
  const seen = {
    kind: conv.kind,
    visibility: conv.visibility,
    archived,
    membership: member && { role, joined_at: '', visible_from_seq: 1, left_seq: left, read_seq: 0, muted: false, notify: 'all' as const },
  } as Conversation;
  return { actor: { userId: 'U', role: p.ws, sessionId: 'S', via: 'session' }, conv, member, seen };
}

describe('the details panel shows each control exactly when the server allows it', () => {
  for (const kind of KINDS) {
    test(`in ${LABEL[kind]}`, () => {
      const web: string[] = [];
      const server: string[] = [];
      for (const who of Object.keys(PEOPLE) as Person[]) {
        if (kind === 'dm' && (PEOPLE[who].conv === 'owner' || PEOPLE[who].conv === 'admin')) continue;
        const { actor, conv, member, seen } = both(kind, who);
        for (const [control, action] of Object.entries(CONTROLS) as [ConvControl, ConvAction][]) {
          if (allows(seen, actor.role, control)) web.push(`${who} ${control}`);
          if (can(actor, action, { conv, member })) server.push(`${who} ${control}`);
        }
        // Someone else's edit history: whoever may recall anyone's message there.
        const msg = { sender_id: 'OTHER', edited_at: '2026-01-01T00:00:00.000Z' };
        if (canViewEdits(seen, actor.role, 'U', msg)) web.push(`${who} edits`);
        if (can(actor, 'message.recall_any', { conv, member })) server.push(`${who} edits`);
      }
      expect(web).toEqual(server);
    });
  }
});
